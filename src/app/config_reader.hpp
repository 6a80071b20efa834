// Reading a config file's YAML nodes with a located message for every mistake:
// "FILE:LINE:COLUMN: what; how to fix" (yaml-cpp counts from 0, messages from 1).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>
#include <tl/expected.hpp>

#include "bbp/core/policy.hpp"

namespace bbp::app {

using Failure = tl::unexpected<std::string>;

class YamlReader {
 public:
  explicit YamlReader(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }

  // "FILE:LINE:COLUMN: what".
  std::string at(const YAML::Mark& mark, std::string_view what) const;
  Failure fail(const YAML::Node& node, std::string_view what) const;
  // "FILE:LINE" of a node, for sources.
  std::string source(const YAML::Node& node) const;

  // A key's value that must be one non-empty text.
  tl::expected<std::string, std::string> text(const YAML::Node& key, const YAML::Node& value) const;
  // A key's value that is a list of non-empty texts, or one text.
  tl::expected<std::vector<std::string>, std::string> texts(const YAML::Node& key,
                                                            const YAML::Node& value) const;
  // A key that is not one of `known`: said with the nearest one.
  Failure unknown_key(const YAML::Node& key, std::string_view where,
                      const std::vector<std::string>& known) const;

 private:
  std::string path_;
};

// The position of `value`, or of its key when the value has none (an empty value).
YAML::Mark mark_of(const YAML::Node& key, const YAML::Node& value);

// Key nodes of a mapping, in file order, refusing a key given twice.
tl::expected<std::vector<std::pair<YAML::Node, YAML::Node>>, std::string> entries(
    const YamlReader& reader, const YAML::Node& mapping, std::string_view where);

// The `ignore:` list.
tl::expected<std::vector<core::Suppression>, std::string> read_suppressions(
    const YamlReader& reader, const YAML::Node& key, const YAML::Node& value);

// The `declared_restrictions:` list, with each entry's optional reason by its source.
struct Declarations {
  std::vector<core::DeclaredRestrictions> entries;
  std::map<std::string, std::string, std::less<>> reasons;
};
tl::expected<Declarations, std::string> read_declarations(const YamlReader& reader,
                                                          const YAML::Node& key,
                                                          const YAML::Node& value);

// Whether a key names a credential ("client_secret", "api_token", "password"…).
bool looks_like_credential(std::string_view key);

// Refuses a credential-looking key anywhere under `node`.
tl::expected<void, std::string> refuse_credentials(const YamlReader& reader,
                                                   const YAML::Node& node);

}  // namespace bbp::app
