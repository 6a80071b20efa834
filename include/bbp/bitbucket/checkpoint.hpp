// --checkpoint: an append-only journal of the reads a scan has completed, so that a scan that
// was stopped in any way (SIGINT, SIGTERM, kill -9, a cron timeout, a power cut, --max-wait)
// can be run again and read only what the journal lacks.
//
// The file is JSON Lines. The first line says what the journal is for (format version, API URL,
// scope and rules: a journal of another scan is refused rather than mixed in); every further
// line is one completed read:
//   {"read":"branches","repository":{...as in a snapshot: restrictions, branching model...}}
//   {"read":"deploy_keys","repository":"ws/slug","keys":[...]}
//   {"read":"project_keys","workspace":"ws","project":"KEY","keys":[...]}
//   {"read":"ssh_keys","keys":[...]}
// Only reads that succeeded are written: a failed read is tried again by the next run. Each
// line is written with one write(2) and flushed to the disk (fdatasync; JsonLinesFile) before the
// read counts as done, so at most the reads in flight are lost. A torn last line (the process died
// while writing it) is dropped when the journal is opened; any other unreadable line is an error.
// The journal holds what a snapshot holds and no secret.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "bbp/bitbucket/json_lines.hpp"
#include "bbp/core/models.hpp"

namespace bbp::bitbucket {

inline constexpr int kCheckpointVersion = 1;

// What a journal belongs to: everything that decides which reads a scan makes.
struct CheckpointScope {
  std::string api_url;
  std::vector<std::string> workspaces;
  std::vector<std::string> repos;
  std::vector<std::string> exclude_repos;
  std::vector<std::string> projects;
  std::vector<std::string> rules;  // slugs of the selected rules
};

class Checkpoint {
 public:
  // Opens (or creates) the journal at `path` for `scope`. Errors name the file and say how to
  // proceed (a journal of another scan, a corrupt line, a file that cannot be written).
  static tl::expected<std::unique_ptr<Checkpoint>, std::string> open(const std::string& path,
                                                                     const CheckpointScope& scope);
  ~Checkpoint();
  Checkpoint(const Checkpoint&) = delete;
  Checkpoint& operator=(const Checkpoint&) = delete;
  Checkpoint(Checkpoint&&) = delete;
  Checkpoint& operator=(Checkpoint&&) = delete;

  // What earlier runs read (nullopt / nullptr: not read yet).
  std::optional<core::Repository> branches(const std::string& full_name) const;
  const std::vector<core::Key>* deploy_keys(const std::string& full_name) const;
  const std::vector<core::Key>* project_keys(const std::string& workspace,
                                             const std::string& project) const;
  const std::vector<core::Key>* ssh_keys() const;
  std::size_t reads() const { return reads_; }  // completed reads found when opened

  // Appends one completed read. Thread-safe. A failed write is logged once, and the scan goes
  // on (it only loses the ability to resume).
  void record_branches(const core::Repository& repository);
  void record_deploy_keys(const std::string& full_name, const std::vector<core::Key>& keys);
  void record_project_keys(const std::string& workspace, const std::string& project,
                           const std::vector<core::Key>& keys);
  void record_ssh_keys(const std::vector<core::Key>& keys);

  // Removes the journal: the scan it was for has finished.
  void remove();

  const std::string& path() const { return file_->path(); }

 private:
  explicit Checkpoint(std::unique_ptr<JsonLinesFile> file);
  tl::expected<void, std::string> load(const nlohmann::json& header);
  void load_record(const nlohmann::json& record);
  void append(const nlohmann::json& record);

  std::unique_ptr<JsonLinesFile> file_;
  std::map<std::string, nlohmann::json> branches_;  // full name -> repository
  std::map<std::string, std::vector<core::Key>> deploy_keys_;
  std::map<std::pair<std::string, std::string>, std::vector<core::Key>> project_keys_;
  std::optional<std::vector<core::Key>> ssh_keys_;
  std::size_t reads_ = 0;
  std::atomic<bool> write_failed_{false};
};

// The first line of a journal for `scope`.
nlohmann::json checkpoint_header(const CheckpointScope& scope);

}  // namespace bbp::bitbucket
