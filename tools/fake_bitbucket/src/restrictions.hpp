// The rules of branch-restriction writes (create, update, uniqueness) and the drift fault's
// changes to a repository's restrictions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "scenario.hpp"

namespace bbp::fake::detail {

// Why a write was refused: the status and the error body's message and detail.
struct WriteError {
  int status = 400;
  std::string message;
  std::string detail;
};

// The restriction a POST body describes (its known fields only, normalized: `pattern` "" for
// branching_model, `value` null for kinds without one, `users`/`groups` [] when absent), or
// the 400 that refuses it.
std::optional<WriteError> restriction_from_post(const nlohmann::json& body,
                                                nlohmann::json& restriction);

// `existing` with the known fields a PUT body has replaced (the others are left alone, as the
// API description says), then checked as a POST body is; `id` and `links` stay.
std::optional<WriteError> restriction_after_put(const nlohmann::json& existing,
                                                const nlohmann::json& body,
                                                nlohmann::json& restriction);

// The 409 when another restriction of `list` (other than the one at `self`, if any) has the
// same kind and matcher: the same `pattern` for glob, the same `branch_type` for
// branching_model.
std::optional<WriteError> duplicate_of(const nlohmann::json& list,
                                       const nlohmann::json& restriction,
                                       std::optional<std::size_t> self);

// The position in `list` (of restrictions or deploy keys) of the object whose `id` (integer or
// string) reads `id`.
std::optional<std::size_t> index_with_id(const nlohmann::json& list, const std::string& id);

// The text of an object's `id` (integer or string); "" when it has none.
std::string id_text(const nlohmann::json& object);

// Throws std::invalid_argument when a drift fault's repository is not in the scenario.
void check_drift_target(const Scenario& scenario, const nlohmann::json& change);
// Applies a drift fault's change: adds a restriction (an id is given when it has none),
// merges fields into the restriction with the given id, or removes it. A change whose
// restriction no longer exists does nothing.
void apply_drift(Scenario& scenario, const nlohmann::json& change);

}  // namespace bbp::fake::detail
