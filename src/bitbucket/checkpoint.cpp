#include "bbp/bitbucket/checkpoint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "bbp/core/snapshot_json.hpp"

namespace bbp::bitbucket {
namespace {

using nlohmann::json;

std::string errno_text(int error) {
  return std::strerror(error);  // NOLINT(concurrency-mt-unsafe)
}

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

tl::expected<std::string, std::string> read_all(int fd, const std::string& path) {
  std::string text;
  char buffer[65536];
  for (;;) {
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return tl::unexpected("cannot read the checkpoint " + path + ": " + errno_text(errno));
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

Checkpoint::Checkpoint(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

Checkpoint::~Checkpoint() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

tl::expected<std::unique_ptr<Checkpoint>, std::string> Checkpoint::open(
    const std::string& path, const CheckpointScope& scope) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return tl::unexpected("cannot open the checkpoint " + path + ": " + errno_text(errno));
  }
  std::unique_ptr<Checkpoint> checkpoint(new Checkpoint(path, fd));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    return tl::unexpected("the checkpoint " + path + " is not a regular file");
  }
  auto text = read_all(fd, path);
  if (!text) {
    return tl::unexpected(text.error());
  }
  if (auto loaded = checkpoint->load(*text, checkpoint_header(scope)); !loaded) {
    return tl::unexpected(loaded.error());
  }
  return checkpoint;
}

// Reads the journal's lines; a torn last line is cut off, an empty journal gets its header.
tl::expected<void, std::string> Checkpoint::load(const std::string& text, const json& header) {
  std::size_t start = 0;
  for (std::size_t line = 1; start < text.size(); ++line) {
    const auto end = text.find('\n', start);
    const bool torn = end == std::string::npos;
    const auto parsed =
        json::parse(text.substr(start, torn ? std::string::npos : end - start), nullptr, false);
    if (torn || parsed.is_discarded()) {
      if (!torn && end + 1 < text.size()) {
        return tl::unexpected(path_ + ": line " + std::to_string(line) +
                              " is not a checkpoint record; the file is corrupt (remove it to "
                              "start the scan over)");
      }
      break;  // the process died while writing this line
    }
    if (line == 1 && parsed != header) {
      return tl::unexpected(path_ + " is the checkpoint of another scan (" +
                            differences(parsed, header) +
                            " differ); remove it or give another --checkpoint file");
    }
    if (line > 1) {
      try {
        load_record(parsed);
      } catch (const std::exception& e) {
        return tl::unexpected(path_ + ": line " + std::to_string(line) +
                              " is not a checkpoint "
                              "record (" +
                              e.what() + "); remove the file to start the scan over");
      }
    }
    start = end + 1;
  }
  if (start < text.size() && ::ftruncate(fd_, static_cast<off_t>(start)) != 0) {
    return tl::unexpected("cannot repair the checkpoint " + path_ + ": " + errno_text(errno));
  }
  if (start == 0 && !write_all(fd_, header.dump() + "\n")) {
    return tl::unexpected("cannot write the checkpoint " + path_ + ": " + errno_text(errno));
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
  // Invalid UTF-8 from the API is replaced rather than refused: the read itself succeeded.
  const std::string line = record.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  const std::lock_guard lock(write_mutex_);
  if (!write_failed_ && !write_all(fd_, line)) {
    write_failed_ = true;
    spdlog::warn("cannot write the checkpoint {}: {}; the scan goes on but cannot be resumed",
                 path_, errno_text(errno));
  }
}

void Checkpoint::remove() {
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
    spdlog::warn("cannot remove the finished checkpoint {}: {}", path_, errno_text(errno));
  }
}

}  // namespace bbp::bitbucket
