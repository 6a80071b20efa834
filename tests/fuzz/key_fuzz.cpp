// Fuzzes parse_key (deploy keys, project deploy keys, SSH keys; one key or a page of them) and,
// through it, parse_timestamp: every timestamp that parses must survive format → parse.
#include <cstddef>
#include <cstdint>
#include <string>

#include "bbp/bitbucket/parse.hpp"
#include "bbp/core/time.hpp"
#include "fuzz_support.hpp"

namespace {

using bbp::core::KeyKind;

void check_timestamp(const nlohmann::json& value, const char* field) {
  const auto text = bbp::bitbucket::string_at(value, field);
  if (!text) {
    return;
  }
  const auto time = bbp::core::parse_timestamp(*text);
  if (!time) {
    return;
  }
  // Every timestamp that is accepted can be written back and reads back the same (snapshots
  // depend on it).
  BBP_FUZZ_REQUIRE(bbp::core::parse_timestamp(bbp::core::format_timestamp(*time)) == time);
}

void check_one(const nlohmann::json& value) {
  for (const auto kind : {KeyKind::deploy_key, KeyKind::project_deploy_key, KeyKind::ssh_key}) {
    const auto key = bbp::bitbucket::parse_key(value, kind);
    BBP_FUZZ_REQUIRE(key.has_value() == value.is_object());
    if (!key) {
      return;
    }
    BBP_FUZZ_REQUIRE(key->kind == kind);
    BBP_FUZZ_REQUIRE(key->created_field == "created_on" || key->created_field == "added_on");
    if (key->created_on) {
      BBP_FUZZ_REQUIRE(bbp::bitbucket::string_at(value, key->created_field).has_value());
    }
  }
  for (const char* field : {"created_on", "added_on", "last_used", "expires_on"}) {
    check_timestamp(value, field);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bbp::fuzz::quiet();
  const auto text = bbp::fuzz::as_text(data, size);
  // The raw input as a timestamp too: cheap, and reaches every branch of the date parser.
  check_timestamp(nlohmann::json{{"created_on", std::string(text)}}, "created_on");
  const auto json = bbp::fuzz::parse_json(text);
  if (json.is_discarded()) {
    return 0;
  }
  check_one(json);
  if (json.is_object()) {
    if (const auto values = json.find("values"); values != json.end() && values->is_array()) {
      for (const auto& value : *values) {
        check_one(value);
      }
    }
  }
  return 0;
}
