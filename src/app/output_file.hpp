// Where reports, snapshots and checkpoints go: checked before the first request, written so
// that what is there is never damaged.
#pragma once

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace bbp::app {

// A file named on the command line: the option that names it and its path.
struct NamedPath {
  std::string option;  // "-o", "--save-snapshot", "--checkpoint", "--from-snapshot"
  std::string path;    // "-": standard output (outputs that allow it)
};

// Checks, before anything is read, that every output can be written where it is named: its
// folder exists and is writable, it is not a folder, socket or block device, "-" (standard
// output) only where `stdout_ok` says so, and no two outputs, nor an output and an input, are
// the same file. The message names the option, the path and the fix.
tl::expected<void, std::string> check_outputs(const std::vector<NamedPath>& outputs,
                                              const std::vector<NamedPath>& inputs,
                                              const std::vector<std::string>& stdout_ok);

// Writes to standard output (no path, or "-"), or to `path`:
// - a regular file (or none yet) is replaced atomically: a temporary file in the same folder,
//   then a rename; an existing file keeps its permissions; nothing partial is left on failure;
// - a symbolic link is followed: its final target is replaced that way and the link stays;
// - a character device or FIFO (/dev/null, /dev/stdout, a named pipe) is written in place,
//   never replaced.
tl::expected<void, std::string> write_output(const std::optional<std::string>& path,
                                             const std::function<void(std::ostream&)>& writer);
tl::expected<void, std::string> write_output(const std::optional<std::string>& path,
                                             const std::string& content);

}  // namespace bbp::app
