// A small RAII wrapper over the SQLite C API, used only inside the history layer: one
// connection, prepared statements with bound values (never SQL built from data), and every
// failure returned as a value naming what failed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

struct sqlite3;
struct sqlite3_stmt;

namespace bbp::history::sql {

using Status = tl::expected<void, std::string>;

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;

  // Parameters are numbered from 1, as in SQL's "?1".
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, const std::optional<std::string>& value);
  Statement& bind_null(int index);

  // One step: true when a row is there to read, false when the statement is done.
  tl::expected<bool, std::string> step();
  // Runs a statement that returns no row, then resets it for the next use.
  Status run();
  // Ready to run again; the bound values are cleared.
  void reset();

  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::int64_t integer(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  int bind_error_ = 0;  // the first failed bind, reported by step()
};

class Database {
 public:
  // Opens (never creates) the database file at `path`, read-write or read-only.
  static tl::expected<Database, std::string> open(const std::string& path, bool read_only);

  Database() = default;
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;

  // Runs SQL without data in it (schema, pragmas, BEGIN/COMMIT).
  Status exec(const std::string& sql);
  tl::expected<Statement, std::string> prepare(std::string_view sql);
  // The single integer a query such as "PRAGMA user_version" returns.
  tl::expected<std::int64_t, std::string> scalar(std::string_view sql);
  std::int64_t last_insert_id() const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes() const;
  std::string error() const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// A transaction: BEGIN IMMEDIATE (the write lock taken at once, waiting as long as the busy
// timeout allows), rolled back unless commit() was called and succeeded.
class Transaction {
 public:
  static tl::expected<Transaction, std::string> begin(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Status commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_ = nullptr;
};

}  // namespace bbp::history::sql
