# Precompiled headers for the heavy third-party headers (nlohmann/json, spdlog, CLI11, yaml-cpp,
# cpp-httplib, GoogleTest): most of a translation unit's compile time here is parsing them.
# Each target precompiles only headers it already depends on, so the layering stays as it is;
# a target with one or two sources gains nothing and is left alone. CMAKE_DISABLE_PRECOMPILE_HEADERS
# (set by scripts/lint for the clang-tidy tree, which cannot read GCC's .gch) turns them off.
option(BBP_PRECOMPILE_HEADERS "Precompile heavy third-party headers" ON)

set(BBP_PCH_STD <string> <string_view> <vector> <map> <optional> <memory> <functional>
    <chrono> <algorithm> <sstream> <iostream>)

# bbp_precompile(<target> <header>...): the standard headers above plus these.
function(bbp_precompile target)
  if(BBP_PRECOMPILE_HEADERS)
    target_precompile_headers(${target} PRIVATE ${BBP_PCH_STD} ${ARGN})
  endif()
endfunction()
