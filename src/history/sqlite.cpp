#include "sqlite.hpp"

#include <sqlite3.h>

#include <utility>

namespace bbp::history::sql {

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_error_(other.bind_error_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_error_ = other.bind_error_;
  }
  return *this;
}

namespace {

void keep_first(int& kept, int rc) {
  if (kept == 0 && rc != SQLITE_OK) {
    kept = rc;
  }
}

}  // namespace

Statement& Statement::bind(int index, std::string_view value) {
  keep_first(bind_error_, sqlite3_bind_text(stmt_, index, value.data(),
                                            static_cast<int>(value.size()), SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  keep_first(bind_error_, sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  return value ? bind(index, std::string_view(*value)) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  keep_first(bind_error_, sqlite3_bind_null(stmt_, index));
  return *this;
}

tl::expected<bool, std::string> Statement::step() {
  if (bind_error_ != 0) {
    return tl::unexpected(std::string("a value could not be bound: ") +
                          sqlite3_errstr(bind_error_));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return tl::unexpected(std::string(sqlite3_errmsg(db_)));
}

Status Statement::run() {
  auto stepped = step();
  reset();
  if (!stepped) {
    return tl::unexpected(stepped.error());
  }
  return {};
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = 0;
}

std::string Statement::text(int column) const {
  const auto* data = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  return data == nullptr ? std::string()
                         : std::string(reinterpret_cast<const char*>(data),  // NOLINT
                                       static_cast<std::size_t>(size));
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column)) {
    return std::nullopt;
  }
  return text(column);
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

tl::expected<Database, std::string> Database::open(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return tl::unexpected(std::move(message));
  }
  return Database(db);
}

Database::~Database() {
  sqlite3_close(db_);
}

Database::Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Status Database::exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string error = message != nullptr ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    return tl::unexpected(std::move(error));
  }
  return {};
}

tl::expected<Statement, std::string> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return tl::unexpected(std::string(sqlite3_errmsg(db_)));
  }
  return Statement(db_, stmt);
}

tl::expected<std::int64_t, std::string> Database::scalar(std::string_view sql) {
  auto stmt = prepare(sql);
  if (!stmt) {
    return tl::unexpected(stmt.error());
  }
  auto row = stmt->step();
  if (!row) {
    return tl::unexpected(row.error());
  }
  return *row ? stmt->integer(0) : 0;
}

std::int64_t Database::last_insert_id() const {
  return sqlite3_last_insert_rowid(db_);
}

std::int64_t Database::changes() const {
  return sqlite3_changes64(db_);
}

std::string Database::error() const {
  return sqlite3_errmsg(db_);
}

tl::expected<Transaction, std::string> Transaction::begin(Database& db) {
  if (auto begun = db.exec("BEGIN IMMEDIATE"); !begun) {
    return tl::unexpected(begun.error());
  }
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) {
    (void)db_->exec("ROLLBACK");
  }
}

Status Transaction::commit() {
  auto done = db_->exec("COMMIT");
  if (done) {
    db_ = nullptr;
  }
  return done;
}

}  // namespace bbp::history::sql
