// Bitbucket's partial responses: the `fields=` query parameter.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace bbp::fake::detail {

// Applies a comma-separated `fields` expression to `document`:
//  * bare paths ("next", "values.full_name") form a whitelist: only those subtrees are kept;
//  * "-path" removes a subtree; "+path" adds one back from the full document;
//  * arrays are transparent ("values.slug" applies to every element of "values");
//  * "*" as a path segment matches any key ("-links.*", "values.*.href").
// A whitelisted path that stops at a scalar or null keeps the scalar (e.g. a null mainbranch).
//
// `non_default` lists dotted paths that `document` holds but Bitbucket sends only on request
// ("values.user.has_2fa_enabled"): they are left out unless a bare or "+" entry names exactly
// that path. Without a `fields` parameter at all, use `without_paths` instead.
nlohmann::json apply_fields(const nlohmann::json& document, std::string_view fields,
                            const std::vector<std::string>& non_default = {});

// `document` without the given dotted paths (arrays are transparent).
nlohmann::json without_paths(nlohmann::json document, const std::vector<std::string>& paths);

}  // namespace bbp::fake::detail
