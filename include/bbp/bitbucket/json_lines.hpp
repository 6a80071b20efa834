// An append-only JSON Lines file for what must survive a crash: the scan's checkpoint and the
// fix command's undo journal.
//
// Each line is written with one write(2) and flushed to the disk (fdatasync) before append()
// returns, so a line either is in the file whole or is the torn last line of a process that died
// while writing it: that one is dropped when the file is opened, any other unreadable line is an
// error. A file it creates has mode 0600.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace bbp::bitbucket {

class JsonLinesFile {
 public:
  // Opens (or creates) `path`; `what` names the file in errors ("the undo journal"), `record`
  // what each line is ("a journal record": "line 3 is not a journal record").
  static tl::expected<std::unique_ptr<JsonLinesFile>, std::string> open(
      const std::string& path, std::string_view what, std::string_view record = "a JSON line");
  // Reads `path` without opening it for writing.
  static tl::expected<std::vector<nlohmann::json>, std::string> read(
      const std::string& path, std::string_view what, std::string_view record = "a JSON line");
  // Removes the file (a journal whose work is done).
  tl::expected<void, std::string> remove() const;
  ~JsonLinesFile();
  JsonLinesFile(const JsonLinesFile&) = delete;
  JsonLinesFile& operator=(const JsonLinesFile&) = delete;
  JsonLinesFile(JsonLinesFile&&) = delete;
  JsonLinesFile& operator=(JsonLinesFile&&) = delete;

  // The lines the file held when it was opened (a torn last line left out).
  const std::vector<nlohmann::json>& lines() const { return lines_; }
  // Appends one line and flushes it to the disk. Safe to call from several threads. Text that is
  // not valid UTF-8 is written with U+FFFD in its place rather than refused.
  tl::expected<void, std::string> append(const nlohmann::json& line);
  const std::string& path() const { return path_; }

 private:
  JsonLinesFile(std::string path, std::string what, int fd);

  std::string path_;
  std::string what_;
  int fd_ = -1;
  std::vector<nlohmann::json> lines_;
  std::mutex mutex_;
};

// The lines of a JSON Lines text: a torn last line (no newline) is dropped; any other line that
// is not JSON is an error naming its number and what it should have been (`record`).
tl::expected<std::vector<nlohmann::json>, std::string> parse_json_lines(
    const std::string& text, std::string_view record = "a JSON line");

}  // namespace bbp::bitbucket
