#include "bbp/bitbucket/checkpoint.hpp"

#include <algorithm>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "bbp/core/snapshot_json.hpp"

namespace bbp::bitbucket {
namespace {

using nlohmann::json;

std::vector<std::string> sorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

json keys_json(const std::vector<core::Key>& keys) {
  json out = json::array();
  for (const auto& key : keys) {
    out.push_back(core::key_to_json(key));
  }
  return out;
}

std::vector<core::Key> keys_from(const json& record) {
  std::vector<core::Key> keys;
  for (const auto& key : record.at("keys")) {
    keys.push_back(core::key_from_json(key));
  }
  return keys;
}

// The names of the header fields that differ, for the refusal message.
std::string differences(const json& found, const json& wanted) {
  std::string out;
  for (const auto& [name, value] : wanted.items()) {
    if (!found.is_object() || !found.contains(name) || found.at(name) != value) {
      out += (out.empty() ? "" : ", ") + name;
    }
  }
  return out;
}

}  // namespace

json checkpoint_header(const CheckpointScope& scope) {
  return {{"bbposture_checkpoint", kCheckpointVersion},
          {"api_url", scope.api_url},
          {"workspaces", sorted(scope.workspaces)},
          {"repos", sorted(scope.repos)},
          {"exclude_repos", sorted(scope.exclude_repos)},
          {"projects", sorted(scope.projects)},
          {"rules", sorted(scope.rules)}};
}

Checkpoint::Checkpoint(std::unique_ptr<JsonLinesFile> file) : file_(std::move(file)) {}

Checkpoint::~Checkpoint() = default;

tl::expected<std::unique_ptr<Checkpoint>, std::string> Checkpoint::open(
    const std::string& path, const CheckpointScope& scope) {
  auto file = JsonLinesFile::open(path, "the checkpoint", "a checkpoint record");
  if (!file) {
    return tl::unexpected(file.error() + " (remove it to start the scan over)");
  }
  std::unique_ptr<Checkpoint> checkpoint(new Checkpoint(std::move(*file)));
  if (auto loaded = checkpoint->load(checkpoint_header(scope)); !loaded) {
    return tl::unexpected(loaded.error());
  }
  return checkpoint;
}

// Loads the journal's records; an empty journal gets its header.
tl::expected<void, std::string> Checkpoint::load(const json& header) {
  const auto& lines = file_->lines();
  if (lines.empty()) {
    return file_->append(header);
  }
  if (lines.front() != header) {
    return tl::unexpected(path() + " is the checkpoint of another scan (" +
                          differences(lines.front(), header) +
                          " differ); remove it or give another --checkpoint file");
  }
  for (std::size_t i = 1; i < lines.size(); ++i) {
    try {
      load_record(lines[i]);
    } catch (const std::exception& e) {
      return tl::unexpected(path() + ": line " + std::to_string(i + 1) +
                            " is not a checkpoint record (" + e.what() +
                            "); remove the file to start the scan over");
    }
  }
  return {};
}

void Checkpoint::load_record(const json& record) {
  const auto& read = record.at("read").get_ref<const std::string&>();
  if (read == "branches") {
    const auto& repository = record.at("repository");
    branches_[core::repository_from_json(repository).full_name] = repository;
  } else if (read == "deploy_keys") {
    deploy_keys_[record.at("repository").get<std::string>()] = keys_from(record);
  } else if (read == "project_keys") {
    project_keys_[{record.at("workspace").get<std::string>(),
                   record.at("project").get<std::string>()}] = keys_from(record);
  } else if (read == "ssh_keys") {
    ssh_keys_ = keys_from(record);
  } else {
    throw std::invalid_argument("unknown read '" + read + "'");
  }
  ++reads_;
}

std::optional<core::Repository> Checkpoint::branches(const std::string& full_name) const {
  const auto it = branches_.find(full_name);
  if (it == branches_.end()) {
    return std::nullopt;
  }
  return core::repository_from_json(it->second);
}

const std::vector<core::Key>* Checkpoint::deploy_keys(const std::string& full_name) const {
  const auto it = deploy_keys_.find(full_name);
  return it == deploy_keys_.end() ? nullptr : &it->second;
}

const std::vector<core::Key>* Checkpoint::project_keys(const std::string& workspace,
                                                       const std::string& project) const {
  const auto it = project_keys_.find({workspace, project});
  return it == project_keys_.end() ? nullptr : &it->second;
}

const std::vector<core::Key>* Checkpoint::ssh_keys() const {
  return ssh_keys_ ? &*ssh_keys_ : nullptr;
}

void Checkpoint::record_branches(const core::Repository& repository) {
  append({{"read", "branches"}, {"repository", core::repository_to_json(repository)}});
}

void Checkpoint::record_deploy_keys(const std::string& full_name,
                                    const std::vector<core::Key>& keys) {
  append({{"read", "deploy_keys"}, {"repository", full_name}, {"keys", keys_json(keys)}});
}

void Checkpoint::record_project_keys(const std::string& workspace, const std::string& project,
                                     const std::vector<core::Key>& keys) {
  append({{"read", "project_keys"},
          {"workspace", workspace},
          {"project", project},
          {"keys", keys_json(keys)}});
}

void Checkpoint::record_ssh_keys(const std::vector<core::Key>& keys) {
  append({{"read", "ssh_keys"}, {"keys", keys_json(keys)}});
}

void Checkpoint::append(const json& record) {
  // A failed write is said once; the scan goes on, and only loses the ability to resume.
  if (auto written = file_->append(record); !written && !write_failed_.exchange(true)) {
    spdlog::warn("{}; the scan goes on but cannot be resumed", written.error());
  }
}

void Checkpoint::remove() {
  if (auto removed = file_->remove(); !removed) {
    spdlog::warn("{}", removed.error());
  }
}

}  // namespace bbp::bitbucket
