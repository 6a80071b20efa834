// Writing a pretty-printed JSON document whose long arrays are produced one element at a time,
// so a report with tens of thousands of findings never exists in memory as one JSON tree.
// Internal to the report layer (the JSON and SARIF reporters).
#pragma once

#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bbp::report {

// Writes the elements of one array at the indentation `dump(2)` would give them.
class ArrayWriter {
 public:
  // `indent`: the indentation of the line that holds the array's key.
  ArrayWriter(std::ostream& out, std::size_t indent) : out_(out), indent_(indent) {}

  void add(const nlohmann::json& item);
  // Writes the closing bracket ("[]" when nothing was added).
  void finish();

 private:
  std::ostream& out_;
  std::size_t indent_;
  bool empty_ = true;
};

// An array left out of the skeleton: the skeleton holds the string `marker` as the value of
// member `key`, and `fill` adds the real elements.
struct StreamedArray {
  std::string key;
  std::string marker;
  std::function<void(ArrayWriter&)> fill;
};

// Writes `skeleton` exactly as `skeleton.dump(2)` followed by '\n' would, with every streamed
// array in place of its marker (invalid UTF-8 replaced, never fatal). Every marker must occur
// once in the skeleton, as the value of its key.
void write_streamed(std::ostream& out, const nlohmann::json& skeleton,
                    const std::vector<StreamedArray>& arrays);

}  // namespace bbp::report
