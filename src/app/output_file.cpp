#include "output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <streambuf>
#include <variant>

namespace bbp::app {
namespace {

namespace fs = std::filesystem;

std::string errno_text(int error) {
  return std::strerror(error);  // NOLINT(concurrency-mt-unsafe)
}

// A buffered std::streambuf writing to a file descriptor, remembering whether a write failed.
class FdBuffer final : public std::streambuf {
 public:
  explicit FdBuffer(int fd) : fd_(fd) { setp(buffer_.data(), buffer_.data() + buffer_.size()); }
  bool failed() const { return failed_; }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (!flush_buffer()) {
      return traits_type::eof();
    }
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return flush_buffer() ? 0 : -1; }

 private:
  bool flush_buffer() {
    const char* data = pbase();
    auto left = static_cast<std::size_t>(pptr() - pbase());
    while (left > 0 && !failed_) {
      const auto n = ::write(fd_, data, left);
      if (n < 0) {
        if (errno != EINTR) {
          failed_ = true;
          error_ = errno;
        }
        continue;
      }
      data += n;
      left -= static_cast<std::size_t>(n);
    }
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return !failed_;
  }

  int fd_;
  bool failed_ = false;
  int error_ = 0;
  std::array<char, std::size_t{64} * 1024> buffer_{};
};

// `path` with every symbolic link along the way followed (the target a write lands on), or
// `path` itself when it is not a link. Follows at most 40 links, like the kernel.
fs::path final_target(const fs::path& path) {
  fs::path current = path;
  std::error_code ec;
  for (int hops = 0; hops < 40 && fs::is_symlink(current, ec); ++hops) {
    const fs::path next = fs::read_symlink(current, ec);
    if (ec) {
      break;
    }
    current = next.is_absolute() ? next : current.parent_path() / next;
  }
  return current;
}

fs::path folder_of(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

// What identifies the file an output lands on: its device and inode when it exists, else its
// absolute, normalised path.
using Identity = std::variant<std::pair<dev_t, ino_t>, std::string>;

Identity identity_of(const fs::path& target) {
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) {
    return std::pair{st.st_dev, st.st_ino};
  }
  std::error_code ec;
  return fs::weakly_canonical(fs::absolute(target, ec), ec).string();
}

// Why `target` (links followed) cannot be written as `option`; nullopt when it can.
std::optional<std::string> problem_with(const fs::path& target) {
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) {
    const fs::path folder = folder_of(target);
    struct stat dir {};
    if (::stat(folder.c_str(), &dir) != 0) {
      return "the folder " + folder.string() + " does not exist: create it first";
    }
    if (!S_ISDIR(dir.st_mode)) {
      return folder.string() + " is not a folder";
    }
    if (::access(folder.c_str(), W_OK | X_OK) != 0) {
      return "the folder " + folder.string() + " cannot be written (" + errno_text(errno) + ")";
    }
    return std::nullopt;
  }
  if (S_ISDIR(st.st_mode)) {
    return "it is a folder: name a file in it";
  }
  if (S_ISSOCK(st.st_mode) || S_ISBLK(st.st_mode)) {
    return std::string("it is a ") + (S_ISSOCK(st.st_mode) ? "socket" : "block device") +
           ", which a report must not be written to";
  }
  if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
    if (::access(target.c_str(), W_OK) != 0) {
      return "it cannot be written (" + errno_text(errno) + ")";
    }
    return std::nullopt;
  }
  // A regular file is replaced by a rename in its folder.
  const fs::path folder = folder_of(target);
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    return "its folder " + folder.string() + " cannot be written (" + errno_text(errno) +
           "), which replacing the file needs";
  }
  return std::nullopt;
}

tl::expected<void, std::string> write_to_stdout(const std::function<void(std::ostream&)>& writer) {
  writer(std::cout);
  std::cout.flush();
  if (!std::cout) {
    return tl::unexpected(std::string("could not write to standard output"));
  }
  return {};
}

// A character device or FIFO: opened and written where it is, never created or replaced.
tl::expected<void, std::string> write_in_place(const std::string& path, const fs::path& target,
                                               const std::function<void(std::ostream&)>& writer) {
  const int fd = ::open(target.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return tl::unexpected("cannot open " + path + ": " + errno_text(errno));
  }
  FdBuffer buffer(fd);
  std::ostream out(&buffer);
  writer(out);
  out.flush();
  const bool failed = buffer.failed() || !out;
  const int error = buffer.error();
  if (::close(fd) != 0 || failed) {
    return tl::unexpected("cannot write " + path + ": " + errno_text(error != 0 ? error : EIO));
  }
  return {};
}

// A regular file (or none yet): a temporary file next to it, then a rename over it.
tl::expected<void, std::string> replace_atomically(
    const std::string& path, const fs::path& target,
    const std::function<void(std::ostream&)>& writer) {
  struct stat existing {};
  const mode_t mode =
      ::stat(target.c_str(), &existing) == 0 ? (existing.st_mode & 07777) : mode_t{0644};
  const fs::path dir = folder_of(target);
  const auto name = std::string(".").append(target.filename().string()).append(".tmp.XXXXXX");
  std::string tmpl = (dir / name).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    return tl::unexpected("cannot create a file in " + dir.string() + ": " + errno_text(errno));
  }
  const auto fail = [&](int error) {
    ::close(fd);
    ::unlink(tmpl.c_str());
    return tl::unexpected("cannot write " + path + ": " + errno_text(error != 0 ? error : EIO));
  };
  {
    FdBuffer buffer(fd);
    std::ostream out(&buffer);
    writer(out);
    out.flush();
    if (buffer.failed() || !out) {
      return fail(buffer.error());
    }
  }
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
    return fail(errno);
  }
  if (::close(fd) != 0) {
    ::unlink(tmpl.c_str());
    return tl::unexpected("cannot write " + path);
  }
  if (::rename(tmpl.c_str(), target.c_str()) != 0) {
    const int saved = errno;
    ::unlink(tmpl.c_str());
    return tl::unexpected("cannot replace " + path + ": " + errno_text(saved));
  }
  return {};
}

}  // namespace

tl::expected<void, std::string> check_outputs(const std::vector<NamedPath>& outputs,
                                              const std::vector<NamedPath>& inputs,
                                              const std::vector<std::string>& stdout_ok) {
  std::vector<std::pair<const NamedPath*, Identity>> seen;
  seen.reserve(inputs.size() + outputs.size());
  for (const auto& input : inputs) {
    seen.emplace_back(&input, identity_of(final_target(input.path)));
  }
  for (const auto& output : outputs) {
    Identity identity = std::string("-");
    if (output.path.empty()) {
      return tl::unexpected(output.option + " needs a file name");
    }
    if (output.path == "-") {
      if (std::find(stdout_ok.begin(), stdout_ok.end(), output.option) == stdout_ok.end()) {
        return tl::unexpected(output.option + " cannot be standard output (-): name a file");
      }
    } else {
      const fs::path target = final_target(output.path);
      if (const auto problem = problem_with(target)) {
        return tl::unexpected(output.option + " " + output.path + ": " + *problem);
      }
      identity = identity_of(target);
    }
    for (const auto& [other, other_identity] : seen) {
      if (other_identity == identity) {
        return tl::unexpected(
            output.option + " and " + other->option + " name the same " +
            (output.path == "-" ? std::string("standard output") : "file (" + output.path + ")") +
            ": give each its own");
      }
    }
    seen.emplace_back(&output, std::move(identity));
  }
  return {};
}

tl::expected<void, std::string> write_output(const std::optional<std::string>& path,
                                             const std::function<void(std::ostream&)>& writer) {
  if (!path || *path == "-") {
    return write_to_stdout(writer);
  }
  const fs::path target = final_target(*path);
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
    return write_in_place(*path, target, writer);
  }
  return replace_atomically(*path, target, writer);
}

tl::expected<void, std::string> write_output(const std::optional<std::string>& path,
                                             const std::string& content) {
  return write_output(path, [&](std::ostream& out) { out << content; });
}

}  // namespace bbp::app
