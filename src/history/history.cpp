// Opening a history, and what `history list`, `show` and `prune` read and change.
#include "bbp/history/history.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "bbp/core/catalogue.hpp"
#include "history_internal.hpp"
#include "store.hpp"

namespace bbp::history {
namespace {

using nlohmann::json;

std::string errno_text(int error) {
  return std::strerror(error);  // NOLINT(concurrency-mt-unsafe)
}

}  // namespace

bool is_sqlite_file(const std::string& path) {
  static constexpr std::array<char, 16> kHeader{'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                                'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};
  std::ifstream in(path, std::ios::binary);
  std::array<char, 16> head{};
  return in.read(head.data(), head.size()) && head == kHeader;
}

tl::expected<void, std::string> create_file(const std::string& path) {
  // O_EXCL: an existing file (and its mode) is left alone; 0600 whatever the umask widens.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return {};
    }
    return tl::unexpected(path + ": cannot be created: " + errno_text(errno));
  }
  ::close(fd);
  return {};
}

tl::expected<void, std::string> check_appendable(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return {};
  }
  if (::access(path.c_str(), R_OK | W_OK) != 0) {
    return tl::unexpected(path + " cannot be written (" + errno_text(errno) + ")");
  }
  if (!S_ISREG(st.st_mode) || (st.st_size > 0 && !is_sqlite_file(path))) {
    return tl::unexpected(path + " is not a bbposture history (not a SQLite database)");
  }
  if (st.st_size == 0) {
    return {};
  }
  auto db = sql::Database::open(path, /*read_only=*/true);
  if (!db) {
    return tl::unexpected(path + ": " + db.error());
  }
  if (auto version = version_of(*db, path); !version) {
    return tl::unexpected(version.error());
  }
  return {};
}

History::History(std::string path, std::unique_ptr<sql::Database> db)
    : path_(std::move(path)), db_(std::move(db)) {}
History::History(History&&) noexcept = default;
History& History::operator=(History&&) noexcept = default;
History::~History() = default;

tl::expected<History, std::string> History::open(const std::string& path, Mode mode) {
  const bool write = mode == Mode::write;
  if (write) {
    if (auto created = create_file(path); !created) {
      return tl::unexpected(created.error());
    }
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return tl::unexpected(path + ": " + errno_text(errno));
  }
  if (!S_ISREG(st.st_mode) || (st.st_size > 0 && !is_sqlite_file(path))) {
    return tl::unexpected(path + " is not a bbposture history (not a SQLite database)");
  }
  auto db = sql::Database::open(path, !write);
  if (!db) {
    return tl::unexpected(path + ": " + db.error());
  }
  if (auto configured = configure(*db, write); !configured) {
    return tl::unexpected(path + ": " + configured.error());
  }
  if (auto ready = write ? migrate(*db, path) : check_version(*db, path); !ready) {
    return tl::unexpected(ready.error());
  }
  return History(path, std::make_unique<sql::Database>(std::move(*db)));
}

namespace {

bool is_hex(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isxdigit(c) != 0; });
}

constexpr const char* kFindingQuery = R"sql(
SELECT fingerprint, finding_type_id, severity, workspace, repository, resource_type, resource_id,
  resource_name, message, suppressed, open, first_seen, last_seen, fixed_at, reopened, id
FROM findings WHERE substr(fingerprint, 1, ?2) = ?1 ORDER BY fingerprint LIMIT 6)sql";

tl::expected<FindingLife, std::string> life_of(const sql::Statement& row) {
  FindingLife f;
  f.fingerprint = row.text(0);
  f.finding_type_id = row.text(1);
  const auto* rule = core::find_rule(f.finding_type_id);
  f.rule = rule != nullptr ? std::string(rule->slug) : f.finding_type_id;
  f.severity = row.text(2);
  f.workspace = row.optional_text(3);
  f.repository = row.optional_text(4);
  f.resource = row.text(5) + " " + row.text(6) + " (" + row.text(7) + ")";
  f.message = row.text(8);
  if (const auto mark = row.optional_text(9)) {
    f.suppressed = json::parse(*mark, nullptr, false).value("reason", "");
  }
  f.open = row.integer(10) != 0;
  auto first = time_of(row.text(11));
  auto last = time_of(row.text(12));
  if (!first || !last) {
    return tl::unexpected(!first ? first.error() : last.error());
  }
  f.first_seen = *first;
  f.last_seen = *last;
  if (const auto fixed = row.optional_text(13)) {
    f.fixed_at = core::parse_timestamp(*fixed);
  }
  f.reopened = row.integer(14);
  return f;
}

tl::expected<std::vector<Event>, std::string> events_of(sql::Database& db, std::int64_t finding) {
  auto stmt = db.prepare(
      "SELECT e.scan_id, s.data_read_at, e.kind FROM events e JOIN scans s ON s.id = e.scan_id "
      "WHERE e.finding_id = ?1 ORDER BY e.scan_id");
  if (!stmt) {
    return tl::unexpected(stmt.error());
  }
  stmt->bind(1, finding);
  std::vector<Event> events;
  for (auto row = stmt->step(); row && *row; row = stmt->step()) {
    auto at = time_of(stmt->text(1));
    if (!at) {
      return tl::unexpected(at.error());
    }
    events.push_back({stmt->integer(0), *at, stmt->text(2)});
  }
  return events;
}

}  // namespace

tl::expected<FindingLife, std::string> History::finding(const std::string& fingerprint) const {
  std::string prefix = fingerprint;
  std::transform(prefix.begin(), prefix.end(), prefix.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (prefix.size() < 8 || !is_hex(prefix)) {
    return tl::unexpected("'" + fingerprint +
                          "' is not a fingerprint: give at least its first 8 hex digits");
  }
  auto stmt = db_->prepare(kFindingQuery);
  if (!stmt) {
    return tl::unexpected(path_ + ": " + stmt.error());
  }
  stmt->bind(1, prefix).bind(2, static_cast<std::int64_t>(prefix.size()));
  std::vector<std::string> matches;
  std::optional<FindingLife> found;
  std::int64_t id = 0;
  for (auto row = stmt->step(); row && *row; row = stmt->step()) {
    matches.push_back(stmt->text(0));
    if (!found) {
      auto life = life_of(*stmt);
      if (!life) {
        return tl::unexpected(path_ + ": " + life.error());
      }
      found = std::move(*life);
      id = stmt->integer(15);
    }
  }
  if (matches.empty()) {
    return tl::unexpected(path_ + " holds no finding whose fingerprint starts with " + prefix);
  }
  if (matches.size() > 1) {
    std::string list;
    for (const auto& m : matches) {
      list += (list.empty() ? "" : ", ") + m;
    }
    return tl::unexpected(prefix + " is the start of several fingerprints (" + list +
                          "): give more digits");
  }
  auto events = events_of(*db_, id);
  if (!events) {
    return tl::unexpected(path_ + ": " + events.error());
  }
  found->events = std::move(*events);
  return *found;
}

tl::expected<PruneResult, std::string> History::prune(core::TimePoint cutoff) {
  const auto fail = [&](const std::string& why) { return tl::unexpected(path_ + ": " + why); };
  auto transaction = sql::Transaction::begin(*db_);
  if (!transaction) {
    return fail(transaction.error());
  }
  // Scans are in time order; the newest stays, so the history keeps its baseline.
  auto newest = db_->scalar("SELECT coalesce(max(id), 0) FROM scans");
  auto stmt =
      db_->prepare("SELECT coalesce(max(id), 0) FROM scans WHERE data_read_at < ?1 AND id < ?2");
  if (!newest || !stmt) {
    return fail(!newest ? newest.error() : stmt.error());
  }
  // Compared as text: times of one history are all written by format_timestamp, whole seconds
  // unless BBP_NOW or a snapshot gave a fraction; the ids keep them ordered.
  stmt->bind(1, time_text(cutoff)).bind(2, *newest);
  auto row = stmt->step();
  if (!row) {
    return fail(row.error());
  }
  const std::int64_t last_dropped = *row ? stmt->integer(0) : 0;
  PruneResult result;
  auto events = db_->prepare("SELECT count(*) FROM events WHERE scan_id <= ?1");
  auto scans = db_->prepare("DELETE FROM scans WHERE id <= ?1");
  if (!events || !scans) {
    return fail(!events ? events.error() : scans.error());
  }
  events->bind(1, last_dropped);
  if (auto counted = events->step(); counted && *counted) {
    result.events = static_cast<std::size_t>(events->integer(0));
  }
  if (auto done = scans->bind(1, last_dropped).run(); !done) {
    return fail(done.error());
  }
  result.scans = static_cast<std::size_t>(db_->changes());
  if (auto done = db_->exec("DELETE FROM findings WHERE open = 0 AND NOT EXISTS "
                            "(SELECT 1 FROM events WHERE events.finding_id = findings.id)");
      !done) {
    return fail(done.error());
  }
  result.findings = static_cast<std::size_t>(db_->changes());
  if (auto done = transaction->commit(); !done) {
    return fail(done.error());
  }
  if (result.scans > 0) {
    (void)db_->exec("VACUUM");  // gives the freed pages back; the data is already committed
  }
  return result;
}

}  // namespace bbp::history
