// Bitbucket's partial responses: the `fields=` query parameter.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace bbp::fake::detail {

// Applies a comma-separated `fields` expression to `document`:
//  * bare paths ("next", "values.full_name") form a whitelist: only those subtrees are kept;
//  * "-path" removes a subtree; "+path" adds one back from the full document;
//  * arrays are transparent ("values.slug" applies to every element of "values");
//  * "*" as a path segment matches any key ("-links.*", "values.*.href").
// A whitelisted path that stops at a scalar or null keeps the scalar (e.g. a null mainbranch).
nlohmann::json apply_fields(const nlohmann::json& document, std::string_view fields);

}  // namespace bbp::fake::detail
