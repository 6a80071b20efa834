// The transport-neutral answer each unit produces; the server turns it into an HTTP response.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace bbp::fake_dc::detail {

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;

  static Reply json(int status, const nlohmann::json& body) {
    return Reply{status, body.dump(), "application/json", {}};
  }
  static Reply text(int status, std::string body, std::string content_type = "text/plain") {
    return Reply{status, std::move(body), std::move(content_type), {}};
  }
};

}  // namespace bbp::fake_dc::detail
