#include "bbp/bitbucket/json_lines.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bbp::bitbucket {
namespace {

using nlohmann::json;

std::string errno_text(int error) {
  return std::strerror(error);  // NOLINT(concurrency-mt-unsafe)
}

tl::expected<std::string, std::string> read_all(int fd) {
  std::string text;
  char buffer[65536];
  for (;;) {
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return tl::unexpected(errno_text(errno));
    }
    if (n == 0) {
      return text;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return ::fdatasync(fd) == 0;
}

// The length of the whole lines of `text`: what is left once a torn last line is cut off.
std::size_t whole_lines(const std::string& text) {
  const auto last = text.rfind('\n');
  return last == std::string::npos ? 0 : last + 1;
}

}  // namespace

tl::expected<std::vector<json>, std::string> parse_json_lines(const std::string& text,
                                                              std::string_view record) {
  std::vector<json> out;
  std::size_t start = 0;
  for (std::size_t line = 1; start < text.size(); ++line) {
    const auto end = text.find('\n', start);
    const bool torn = end == std::string::npos;
    if (torn) {
      break;  // the process died while writing this line
    }
    auto parsed = json::parse(text.substr(start, end - start), nullptr, false);
    if (parsed.is_discarded()) {
      return tl::unexpected("line " + std::to_string(line) + " is not " + std::string(record));
    }
    out.push_back(std::move(parsed));
    start = end + 1;
  }
  return out;
}

JsonLinesFile::JsonLinesFile(std::string path, std::string what, int fd)
    : path_(std::move(path)), what_(std::move(what)), fd_(fd) {}

JsonLinesFile::~JsonLinesFile() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

tl::expected<std::unique_ptr<JsonLinesFile>, std::string> JsonLinesFile::open(
    const std::string& path, std::string_view what, std::string_view record) {
  const std::string name = std::string(what) + " " + path;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return tl::unexpected("cannot open " + name + ": " + errno_text(errno));
  }
  std::unique_ptr<JsonLinesFile> file(new JsonLinesFile(path, std::string(what), fd));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    return tl::unexpected(name + " is not a regular file");
  }
  auto text = read_all(fd);
  if (!text) {
    return tl::unexpected("cannot read " + name + ": " + text.error());
  }
  auto lines = parse_json_lines(*text, record);
  if (!lines) {
    return tl::unexpected(name + ": " + lines.error() + "; the file is corrupt");
  }
  file->lines_ = std::move(*lines);
  if (const auto keep = whole_lines(*text);
      keep < text->size() && ::ftruncate(fd, static_cast<off_t>(keep)) != 0) {
    return tl::unexpected("cannot repair " + name + ": " + errno_text(errno));
  }
  return file;
}

tl::expected<std::vector<json>, std::string> JsonLinesFile::read(const std::string& path,
                                                                 std::string_view what,
                                                                 std::string_view record) {
  const std::string name = std::string(what) + " " + path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return tl::unexpected("cannot open " + name + ": " + errno_text(errno));
  }
  auto text = read_all(fd);
  ::close(fd);
  if (!text) {
    return tl::unexpected("cannot read " + name + ": " + text.error());
  }
  auto lines = parse_json_lines(*text, record);
  if (!lines) {
    return tl::unexpected(name + ": " + lines.error() + "; the file is corrupt");
  }
  return lines;
}

tl::expected<void, std::string> JsonLinesFile::append(const json& line) {
  const auto text = line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  const std::lock_guard lock(mutex_);
  struct stat before {};
  const bool sized = ::fstat(fd_, &before) == 0;
  if (!write_all(fd_, text)) {
    const int error = errno;
    if (sized) {
      // A line written in part (a full disk) is taken back, so the next one starts clean.
      (void)::ftruncate(fd_, before.st_size);
    }
    return tl::unexpected("cannot write " + what_ + " " + path_ + ": " + errno_text(error));
  }
  return {};
}

tl::expected<void, std::string> JsonLinesFile::remove() const {
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
    return tl::unexpected("cannot remove " + what_ + " " + path_ + ": " + errno_text(errno));
  }
  return {};
}

}  // namespace bbp::bitbucket
