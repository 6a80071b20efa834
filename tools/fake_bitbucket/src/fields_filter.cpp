#include "fields_filter.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "util.hpp"

namespace bbp::fake::detail {
namespace {

using nlohmann::json;

// A set of dotted paths stored as a tree of segments.
struct PathTree {
  bool whole = false;  // the path ends here: keep the entire subtree
  std::map<std::string, PathTree> children;

  void insert(const std::vector<std::string>& segments, std::size_t index = 0) {
    if (index == segments.size()) {
      whole = true;
      return;
    }
    children[segments[index]].insert(segments, index + 1);
  }

  void merge(const PathTree& other) {
    whole = whole || other.whole;
    for (const auto& [key, child] : other.children) {
      children[key].merge(child);
    }
  }

  // The tree that applies below `key`: its own entry plus any "*" entry.
  PathTree below(const std::string& key) const {
    PathTree result;
    if (auto it = children.find(key); it != children.end()) {
      result.merge(it->second);
    }
    if (auto it = children.find("*"); it != children.end()) {
      result.merge(it->second);
    }
    return result;
  }

  bool empty() const { return !whole && children.empty(); }
};

json project(const json& node, const PathTree& tree) {
  if (tree.whole || !(node.is_object() || node.is_array())) {
    return node;
  }
  if (node.is_array()) {
    json out = json::array();
    for (const auto& element : node) {
      out.push_back(project(element, tree));
    }
    return out;
  }
  json out = json::object();
  for (const auto& [key, value] : node.items()) {
    const PathTree sub = tree.below(key);
    if (!sub.empty()) {
      out[key] = project(value, sub);
    }
  }
  return out;
}

void remove_path(json& node, const std::vector<std::string>& segments, std::size_t index) {
  if (index >= segments.size()) {
    return;
  }
  if (node.is_array()) {
    for (auto& element : node) {
      remove_path(element, segments, index);
    }
    return;
  }
  if (!node.is_object()) {
    return;
  }
  const std::string& segment = segments[index];
  const bool last = index + 1 == segments.size();
  if (segment == "*") {
    if (last) {
      node = json::object();
    } else {
      for (auto& [key, value] : node.items()) {
        remove_path(value, segments, index + 1);
      }
    }
    return;
  }
  auto it = node.find(segment);
  if (it == node.end()) {
    return;
  }
  if (last) {
    node.erase(it);
  } else {
    remove_path(*it, segments, index + 1);
  }
}

// Deep union of two projections of the same document.
void merge_into(json& target, const json& source) {
  if (target.is_object() && source.is_object()) {
    for (const auto& [key, value] : source.items()) {
      if (auto it = target.find(key); it != target.end()) {
        merge_into(*it, value);
      } else {
        target[key] = value;
      }
    }
  } else if (target.is_array() && source.is_array() && target.size() == source.size()) {
    for (std::size_t i = 0; i < target.size(); ++i) {
      merge_into(target[i], source[i]);
    }
  } else {
    target = source;
  }
}

}  // namespace

json without_paths(json document, const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    remove_path(document, split(path, '.'), 0);
  }
  return document;
}

json apply_fields(const json& document, std::string_view fields,
                  const std::vector<std::string>& non_default) {
  PathTree whitelist;
  PathTree additions;
  std::vector<std::vector<std::string>> removals;
  std::vector<std::vector<std::string>> named;  // bare and "+" entries
  bool has_whitelist = false;
  for (const auto& raw : split(fields, ',')) {
    std::string entry = raw;
    while (!entry.empty() && entry.front() == ' ') {
      entry.erase(entry.begin());
    }
    while (!entry.empty() && entry.back() == ' ') {
      entry.pop_back();
    }
    if (entry.empty()) {
      continue;
    }
    const char sign = entry.front();
    if (sign == '-' || sign == '+') {
      entry.erase(entry.begin());
    }
    if (entry.empty()) {
      continue;
    }
    const auto segments = split(entry, '.');
    if (sign == '-') {
      removals.push_back(segments);
      continue;
    }
    named.push_back(segments);
    if (sign == '+') {
      additions.insert(segments);
    } else {
      whitelist.insert(segments);
      has_whitelist = true;
    }
  }

  const json defaults = without_paths(document, non_default);
  json result = has_whitelist ? project(defaults, whitelist) : defaults;
  for (const auto& segments : removals) {
    remove_path(result, segments, 0);
  }
  if (!additions.empty()) {
    merge_into(result, project(defaults, additions));
  }
  for (const auto& path : non_default) {
    const auto segments = split(path, '.');
    if (std::find(named.begin(), named.end(), segments) != named.end()) {
      PathTree requested;
      requested.insert(segments);
      merge_into(result, project(document, requested));
    }
  }
  return result;
}

}  // namespace bbp::fake::detail
