// Reading a step's target right before a write (or an undo), in the normal form of
// bbp/fix/state.hpp, and the requests that undo a write. Used only inside the fix layer.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "bbp/bitbucket/api_client.hpp"
#include "bbp/fix/plan.hpp"

namespace bbp::fix::detail {

// How a target is read.
enum class Look {
  restriction_list,  // the restrictions of one kind (and pattern): the one with the matcher
  restriction,       // one restriction by id
  setting,           // the repository, one field
  deploy_key,        // one deploy key by id
  project_key,       // one project deploy key by id
};

std::string_view to_string(Look look);
std::optional<Look> look_from_string(std::string_view text);
Look look_of(Action action);

// The target as it is: `state` in normal form (null when there is no such target), `raw` as
// Bitbucket wrote it (the journal's pre-image).
struct Observed {
  nlohmann::json state;
  nlohmann::json raw;
};

// Reads the target at `path`; `desired` tells a list which restriction it looks for and a
// setting which field.
tl::expected<Observed, bitbucket::ApiError> observe(bitbucket::ApiClient& api, Look look,
                                                    const std::string& path,
                                                    const nlohmann::json& desired);

// What undoes a write, and how to tell that its target is still as the write left it.
struct Undo {
  std::optional<Request> request;  // nullopt: irreversible
  Look look = Look::restriction;
  std::string check_path;
  nlohmann::json check_state;
};

// The undo of `intent` (the journal's record of the step), given what the write answered or,
// after an unknown outcome, what the target looks like now (`made`: for a created restriction,
// its id).
Undo undo_for(const nlohmann::json& intent, const nlohmann::json& made);

Request request_from_json(const nlohmann::json& json);

}  // namespace bbp::fix::detail
