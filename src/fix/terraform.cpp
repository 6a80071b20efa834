#include "bbp/fix/terraform.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bbp/core/time.hpp"
#include "bbp/text/utf8.hpp"

namespace bbp::fix {
namespace {

using nlohmann::json;

constexpr std::string_view kResourceType = "bitbucket_branch_restriction";

// ---- HCL text -----------------------------------------------------------------------------------

// Characters a reader of the file would not see: control characters (a raw newline would end a
// comment or a string early), line separators, zero-widths and bidirectional overrides, which
// could make a reviewed line say something else than what Terraform reads.
bool invisible(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x2028 && c <= 0x202E) || (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF;
}

std::string unicode_escape(char32_t c) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out = "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) {
    out += kHex[(c >> static_cast<unsigned>(shift)) & 0xFU];
  }
  return out;
}

// One character as it may stand in a comment: what is invisible or not UTF-8 (HCL files are
// UTF-8) is written as an escape, so that it shows.
void append_visible(std::string& out, const text::Utf8Char& c, std::string_view bytes) {
  if (!c.valid) {
    out += unicode_escape(0xFFFD);
  } else if (invisible(c.code_point)) {
    out += unicode_escape(c.code_point);
  } else {
    out += bytes;
  }
}

// `text` on one comment line.
std::string comment_text(std::string_view text) {
  std::string out;
  for (std::size_t at = 0; at < text.size();) {
    const auto c = text::decode_utf8(text, at);
    append_visible(out, c, text.substr(at, c.length));
    at += c.length;
  }
  return out;
}

// `text` as an HCL quoted string that reads back as `text`: quoted strings are templates, so
// "${" and "%{" are doubled to stay literal, besides the usual escapes.
std::string hcl_string(std::string_view text) {
  std::string out = "\"";
  for (std::size_t at = 0; at < text.size();) {
    const auto c = text::decode_utf8(text, at);
    const bool opens_template = (c.code_point == U'$' || c.code_point == U'%') &&
                                at + 1 < text.size() && text[at + 1] == '{';
    if (c.code_point == U'\\' || c.code_point == U'"') {
      out += '\\';
      out += text[at];
    } else if (c.code_point == U'\n') {
      out += "\\n";
    } else if (c.code_point == U'\r') {
      out += "\\r";
    } else if (c.code_point == U'\t') {
      out += "\\t";
    } else {
      append_visible(out, c, text.substr(at, c.length));
    }
    if (opens_template) {
      out += text[at];
    }
    at += c.length;
  }
  return out + "\"";
}

std::string hcl_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : ", ") + hcl_string(items[i]);
  }
  return out + "]";
}

// ---- The restriction a step asks for --------------------------------------------------------

bool is_restriction(Action action) {
  switch (action) {
    case Action::create_restriction:
    case Action::raise_value:
    case Action::replace_exemptions:
      return true;
    case Action::make_private:
    case Action::set_fork_policy:
    case Action::delete_deploy_key:
    case Action::delete_project_deploy_key:
      return false;
  }
  return false;
}

// Bitbucket keeps exemption lists only for these kinds; on the others they mean nothing.
bool has_exemptions(const std::string& kind) {
  return kind == "push" || kind == "restrict_merges";
}

// The members of a state read defensively: a plan is a file, and its checksum proves only that
// it is unchanged, not that it is well formed.
std::string text_in(const json& state, const char* key) {
  const auto it = state.find(key);
  return it != state.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> texts_in(const json& state, const char* key) {
  std::vector<std::string> out;
  const auto it = state.find(key);
  if (it != state.end() && it->is_array()) {
    for (const auto& item : *it) {
      if (item.is_string()) {
        out.push_back(item.get<std::string>());
      }
    }
  }
  return out;
}

struct Group {
  std::string owner;
  std::string slug;
};

struct Restriction {
  const Step* step = nullptr;
  std::string owner;
  std::string repository;
  std::string kind;
  std::string branch_match_kind;
  std::string matcher;  // the pattern (glob) or the branch type (branching_model)
  std::optional<std::int64_t> value;
  std::vector<std::string> users;
  std::vector<Group> groups;
  std::optional<std::string> import_id;  // owner/repo/id of the restriction the step changes
};

// A group as the provider names it: the plan holds its full slug, "workspace:slug".
Group group_of(const std::string& full_slug, const std::string& workspace) {
  const auto colon = full_slug.find(':');
  if (colon == std::string::npos) {
    return {workspace, full_slug};
  }
  return {full_slug.substr(0, colon), full_slug.substr(colon + 1)};
}

std::optional<std::string> restriction_id(const json& current) {
  if (!current.is_object()) {
    return std::nullopt;
  }
  const auto it = current.find("id");
  if (it != current.end() && it->is_number_integer()) {
    return it->dump();
  }
  if (it != current.end() && it->is_string() && !it->get<std::string>().empty()) {
    return it->get<std::string>();
  }
  return std::nullopt;
}

// The restriction a branch-restriction step leaves, from its desired state; nothing for a step
// of another kind or one whose desired state does not say which restriction it is.
std::optional<Restriction> restriction_of(const Step& s) {
  if (!is_restriction(s.action) || !s.desired.is_object() || !s.repository) {
    return std::nullopt;
  }
  Restriction r;
  r.step = &s;
  r.owner = s.workspace;
  r.repository = *s.repository;
  r.kind = text_in(s.desired, "kind");
  r.branch_match_kind = text_in(s.desired, "branch_match_kind");
  const bool glob = r.branch_match_kind == "glob";
  r.matcher = text_in(s.desired, glob ? "pattern" : "branch_type");
  if (r.kind.empty() || (!glob && r.branch_match_kind != "branching_model")) {
    return std::nullopt;
  }
  if (const auto v = s.desired.find("value"); v != s.desired.end() && v->is_number_integer()) {
    r.value = v->get<std::int64_t>();
  }
  if (has_exemptions(r.kind)) {
    r.users = texts_in(s.desired, "users");
    for (const auto& id : texts_in(s.desired, "groups")) {
      r.groups.push_back(group_of(id, s.workspace));
    }
  }
  if (const auto id = restriction_id(s.current); id && s.action != Action::create_restriction) {
    r.import_id = r.owner + "/" + r.repository + "/" + *id;
  }
  return r;
}

// ---- Resource names -------------------------------------------------------------------------

// [a-z0-9_], starting with a letter or an underscore, as Terraform wants a name.
std::string identifier(std::string_view text) {
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    const bool kept = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (kept) {
      out += c;
    } else if (out.empty() || out.back() != '_') {
      out += '_';
    }
  }
  if (out.empty() || (out.front() >= '0' && out.front() <= '9')) {
    out.insert(0, "_");
  }
  return out;
}

// Repository slug and kind, and the step's id where another step would have the same name:
// every step sharing a name gets it, so that no name depends on the order of the steps.
std::vector<std::string> resource_names(const std::vector<Restriction>& restrictions) {
  std::vector<std::string> names;
  std::map<std::string, int> uses;
  for (const auto& r : restrictions) {
    names.push_back(identifier(r.repository + "_" + r.kind));
    ++uses[names.back()];
  }
  std::set<std::string> taken;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (uses[names[i]] > 1) {
      names[i] = identifier(names[i] + "_" + restrictions[i].step->id.substr(0, 8));
    }
    // Only a hand-made plan repeats a step id, or has a slug that reads like a suffixed name.
    const auto stem = names[i];
    for (int n = 2; !taken.insert(names[i]).second; ++n) {
      names[i] = stem + "_" + std::to_string(n);
    }
  }
  return names;
}

// ---- Writing --------------------------------------------------------------------------------

void write_header(const Plan& plan, std::ostream& out) {
  const auto version = plan.tool_version.empty() ? "" : " " + comment_text(plan.tool_version);
  out << "# Generated by bbposture" << version
      << " from a fix plan, for the DrFaust92/bitbucket provider.\n"
      << "# plan checksum: " << comment_text(plan.checksum) << "\n"
      << "# plan created_at: " << core::format_timestamp(plan.created_at) << "\n"
      << "# api_url: " << comment_text(plan.api_url) << "\n"
      << "#\n"
      << "# Review `terraform plan` before `terraform apply`: each resource below states the "
         "whole\n"
      << "# restriction, and an import block (Terraform 1.5+) hands an existing restriction to\n"
      << "# Terraform, which from then on also manages what the plan did not change.\n";
}

// `name = value` lines, their `=` aligned as `terraform fmt` aligns them.
void write_attributes(const std::vector<std::pair<std::string, std::string>>& attributes,
                      const std::string& indent, std::ostream& out) {
  std::size_t width = 0;
  for (const auto& [name, value] : attributes) {
    width = std::max(width, name.size());
  }
  for (const auto& [name, value] : attributes) {
    out << indent << name << std::string(width - name.size(), ' ') << " = " << value << "\n";
  }
}

void write_import(const Restriction& r, const std::string& name, std::ostream& out) {
  out << "import {\n";
  write_attributes(
      {{"to", std::string(kResourceType) + "." + name}, {"id", hcl_string(*r.import_id)}}, "  ",
      out);
  out << "}\n\n";
}

void write_resource(const Restriction& r, const std::string& name, std::ostream& out) {
  std::vector<std::pair<std::string, std::string>> attributes{
      {"owner", hcl_string(r.owner)},
      {"repository", hcl_string(r.repository)},
      {"kind", hcl_string(r.kind)},
      {"branch_match_kind", hcl_string(r.branch_match_kind)},
      {r.branch_match_kind == "glob" ? "pattern" : "branch_type", hcl_string(r.matcher)}};
  if (r.value) {
    attributes.emplace_back("value", std::to_string(*r.value));
  }
  if (has_exemptions(r.kind)) {
    attributes.emplace_back("users", hcl_list(r.users));
  }
  out << "resource \"" << kResourceType << "\" \"" << name << "\" {\n";
  write_attributes(attributes, "  ", out);
  // The provider takes groups as blocks of owner and slug, not as a list of strings.
  for (const auto& g : r.groups) {
    out << "\n  groups {\n";
    write_attributes({{"owner", hcl_string(g.owner)}, {"slug", hcl_string(g.slug)}}, "    ", out);
    out << "  }\n";
  }
  out << "}\n";
}

void write_restriction(const Restriction& r, const std::string& name, std::ostream& out) {
  const Step& s = *r.step;
  out << "\n# " << comment_text(s.target) << ": " << comment_text(s.summary) << " (step "
      << comment_text(s.id) << ")\n";
  if (!r.users.empty()) {
    out << "# users are the plan's Bitbucket account ids; the provider matches users by name,\n"
        << "# so write their names in their place before applying.\n";
  }
  if (r.import_id) {
    write_import(r, name, out);
  } else if (s.action != Action::create_restriction) {
    out << "# the plan does not say which restriction this step changes: import it by hand.\n";
  }
  write_resource(r, name, out);
}

// Where the change a step makes lives in the provider, when it is not a branch restriction.
std::string_view provider_home(Action action) {
  switch (action) {
    case Action::make_private:
      return "bitbucket_repository.is_private";
    case Action::set_fork_policy:
      return "bitbucket_repository.fork_policy";
    case Action::delete_deploy_key:
      return "remove its bitbucket_deploy_key";
    case Action::delete_project_deploy_key:
      return "no resource of this provider";
    case Action::create_restriction:
    case Action::raise_value:
    case Action::replace_exemptions:
      return "its desired state is not a branch restriction";
  }
  return "";
}

// Steps that change a resource this file does not declare (a repository's settings, a key):
// declaring that resource here would take all of it over, so a person carries them across.
void write_not_exported(const std::vector<const Step*>& steps, std::ostream& out) {
  if (steps.empty()) {
    return;
  }
  out << "\n# Steps that are not branch restrictions: they change resources this file does not\n"
      << "# declare, so they are left to where those resources are managed.\n";
  for (const auto* s : steps) {
    out << "# not exported: " << comment_text(s->summary) << " (" << provider_home(s->action)
        << "): " << comment_text(s->target) << "\n";
  }
}

}  // namespace

void write_terraform(const Plan& plan, std::ostream& out) {
  std::vector<Restriction> restrictions;
  std::vector<const Step*> others;
  for (const auto& s : plan.steps) {
    if (auto r = restriction_of(s)) {
      restrictions.push_back(std::move(*r));
    } else {
      others.push_back(&s);
    }
  }
  const auto names = resource_names(restrictions);
  write_header(plan, out);
  for (std::size_t i = 0; i < restrictions.size(); ++i) {
    write_restriction(restrictions[i], names[i], out);
  }
  write_not_exported(others, out);
}

}  // namespace bbp::fix
