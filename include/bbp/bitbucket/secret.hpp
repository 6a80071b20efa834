// A credential value that cannot be printed by accident.
#pragma once

#include <string>
#include <utility>

namespace bbp::bitbucket {

// Holds a secret string. There is no stream operator, no implicit conversion and no
// formatter: the only way to the value is an explicit reveal() at the point of use.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

}  // namespace bbp::bitbucket
