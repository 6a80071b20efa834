# Build hygiene in one place: every project target links bbp_settings.
add_library(bbp_settings INTERFACE)
target_compile_options(bbp_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wnull-dereference
  -Wimplicit-fallthrough
  # A switch over one of the project's enums lists every case, so that a new enumerator is a
  # compile error where it is not handled (no `default:` hiding it).
  -Wswitch-enum)
if(BBP_WARNINGS_AS_ERRORS)
  target_compile_options(bbp_settings INTERFACE -Werror)
endif()
if(BBP_SANITIZE)
  target_compile_options(bbp_settings INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(bbp_settings INTERFACE -fsanitize=address,undefined)
endif()
if(BBP_SANITIZE_THREAD)
  if(BBP_SANITIZE)
    message(FATAL_ERROR "ThreadSanitizer cannot be combined with AddressSanitizer")
  endif()
  target_compile_options(bbp_settings INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(bbp_settings INTERFACE -fsanitize=thread)
endif()
target_compile_definitions(bbp_settings INTERFACE
  BBP_VERSION="${PROJECT_VERSION}")
