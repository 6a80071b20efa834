// Reading a config file's YAML with located messages, and the refusal of anything that looks
// like a credential, at any depth.
#include <algorithm>
#include <array>
#include <set>
#include <vector>

#include "bbp/core/catalogue.hpp"
#include "bbp/text/text.hpp"
#include "commands.hpp"
#include "config_reader.hpp"

namespace bbp::app {

// ---- located reading ----------------------------------------------------------------------

std::string YamlReader::at(const YAML::Mark& mark, std::string_view what) const {
  std::string out = path_ + ":" + std::to_string(std::max(0, mark.line) + 1) + ":" +
                    std::to_string(std::max(0, mark.column) + 1) + ": ";
  out.append(what);
  return out;
}

Failure YamlReader::fail(const YAML::Node& node, std::string_view what) const {
  return Failure(at(node.Mark(), what));
}

std::string YamlReader::source(const YAML::Node& node) const {
  return path_ + ":" + std::to_string(std::max(0, node.Mark().line) + 1);
}

YAML::Mark mark_of(const YAML::Node& key, const YAML::Node& value) {
  // An empty value has the position of whatever follows it: its key's is the one to show.
  return value.IsNull() || value.Mark().line < 0 ? key.Mark() : value.Mark();
}

tl::expected<std::string, std::string> YamlReader::text(const YAML::Node& key,
                                                        const YAML::Node& value) const {
  const std::string& name = key.Scalar();
  if (value.IsNull()) {
    return Failure(at(mark_of(key, value), "'" + name + "' has no value; give one"));
  }
  if (!value.IsScalar()) {
    return Failure(at(value.Mark(), "'" + name + "' takes one value, not a " +
                                        (value.IsSequence() ? "list" : "mapping") + "; write " +
                                        name + ": VALUE"));
  }
  if (text::trim(value.Scalar()).empty()) {
    return Failure(at(value.Mark(), "'" + name + "' is empty; give a value"));
  }
  return value.Scalar();
}

tl::expected<std::vector<std::string>, std::string> YamlReader::texts(
    const YAML::Node& key, const YAML::Node& value) const {
  const std::string& name = key.Scalar();
  if (value.IsScalar()) {
    auto one = text(key, value);
    if (!one) {
      return Failure(one.error());
    }
    return std::vector<std::string>{*one};
  }
  if (value.IsMap()) {
    return Failure(
        at(value.Mark(),
           "'" + name + "' takes a list or one value, not a mapping; write " + name + ": [a, b]"));
  }
  std::vector<std::string> items;
  if (value.IsNull()) {
    return items;
  }
  for (const auto& item : value) {
    if (!item.IsScalar() || text::trim(item.Scalar()).empty()) {
      return Failure(at(item.Mark(), "an item of '" + name +
                                         "' is empty or not a single value; write each item as "
                                         "one text, or remove it"));
    }
    items.push_back(item.Scalar());
  }
  return items;
}

Failure YamlReader::unknown_key(const YAML::Node& key, std::string_view where,
                                const std::vector<std::string>& known) const {
  const std::string& name = key.Scalar();
  std::string what = "unknown key '" + name + "'";
  what.append(where);
  if (const auto suggestion = nearest(name, known)) {
    what += "; did you mean '" + *suggestion + "'?";
  } else {
    what += "; the keys are: " + text::join(known);
  }
  return Failure(at(key.Mark(), what));
}

tl::expected<std::vector<std::pair<YAML::Node, YAML::Node>>, std::string> entries(
    const YamlReader& reader, const YAML::Node& mapping, std::string_view where) {
  std::vector<std::pair<YAML::Node, YAML::Node>> out;
  for (const auto& item : mapping) {
    if (!item.first.IsScalar()) {
      return reader.fail(item.first, std::string("a key") + std::string(where) +
                                         " must be a plain word; write key: value");
    }
    const std::string name = item.first.Scalar();
    for (const auto& [key, value] : out) {
      if (key.Scalar() == name) {
        return reader.fail(item.first, "'" + name + "' is given twice (first on line " +
                                           std::to_string(key.Mark().line + 1) + "); keep one");
      }
    }
    out.emplace_back(item.first, item.second);
  }
  return out;
}

// ---- credentials --------------------------------------------------------------------------

bool looks_like_credential(std::string_view key) {
  std::string name = text::ascii_lower(key);
  std::replace(name.begin(), name.end(), '-', '_');
  if (name == "token_url") {
    return false;  // where tokens come from, not a token
  }
  static constexpr std::array<std::string_view, 13> kWords{
      "secret",    "token",    "password",   "passwd",      "passphrase",    "api_key", "apikey",
      "client_id", "clientid", "credential", "private_key", "authorization", "cookie"};
  return std::any_of(kWords.begin(), kWords.end(),
                     [&](std::string_view word) { return name.find(word) != std::string::npos; });
}

tl::expected<void, std::string> refuse_credentials(const YamlReader& reader,
                                                   const YAML::Node& node) {
  // Depth first, in document order, with a worklist rather than recursion.
  std::vector<YAML::Node> pending{node};
  while (!pending.empty()) {
    const YAML::Node current = pending.back();
    pending.pop_back();
    std::vector<YAML::Node> children;
    if (current.IsSequence()) {
      for (const auto& item : current) {
        children.push_back(item);
      }
    } else if (current.IsMap()) {
      for (const auto& item : current) {
        if (item.first.IsScalar() && looks_like_credential(item.first.Scalar())) {
          // The value is never repeated: it may be the secret itself.
          return reader.fail(item.first,
                             "'" + item.first.Scalar() +
                                 "' looks like a credential, and credentials are never read from a "
                                 "config file; remove it and set BITBUCKET_CLIENT_ID and "
                                 "BITBUCKET_CLIENT_SECRET, or BITBUCKET_ACCESS_TOKEN, or "
                                 "BITBUCKET_EMAIL and BITBUCKET_API_TOKEN in the environment");
        }
        children.push_back(item.second);
      }
    }
    pending.insert(pending.end(), children.rbegin(), children.rend());
  }
  return {};
}

}  // namespace bbp::app
