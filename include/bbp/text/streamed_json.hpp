// Writing a pretty-printed JSON document whose long arrays are produced one element at a time,
// so a report with tens of thousands of findings, or a snapshot with tens of thousands of
// repositories, never exists in memory as one JSON tree. The output is byte for byte what
// `dump(2)` of the whole document and a newline would be, invalid UTF-8 replaced (never fatal).
//
// Used by the JSON and SARIF reporters (report) and the snapshot writer (core). The text layer
// depends on no library, so the document type is a template parameter: every caller passes an
// nlohmann::json it already includes, and this header needs no JSON include of its own.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bbp::text {

// `value.dump(2)` with invalid UTF-8 replaced: the one way the streamed documents are printed.
template <typename Json>
std::string dump_pretty(const Json& value) {
  return value.dump(2, ' ', false, Json::error_handler_t::replace);
}

namespace streamed_detail {

// The bytes as they are (unformatted: no width or fill applies).
inline void write(std::ostream& out, std::string_view bytes) {
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace streamed_detail

// Writes the elements of one array at the indentation `dump(2)` would give them.
class ArrayWriter {
 public:
  // `indent`: the indentation of the line that holds the array's key.
  ArrayWriter(std::ostream& out, std::size_t indent) : out_(out), indent_(indent) {}

  template <typename Json>
  void add(const Json& item) {
    add_dumped(dump_pretty(item));
  }

  // Writes the closing bracket ("[]" when nothing was added).
  void finish() {
    if (empty_) {
      out_ << "[]";
    } else {
      out_ << '\n' << std::string(indent_, ' ') << ']';
    }
  }

 private:
  // One element, already dumped by dump_pretty, indented line by line.
  void add_dumped(std::string_view text) {
    out_ << (empty_ ? "[\n" : ",\n");
    empty_ = false;
    const std::string pad(indent_ + 2, ' ');
    // Strings hold no raw newline, so every '\n' of the dump starts a line to indent.
    out_ << pad;
    std::size_t from = 0;
    for (auto nl = text.find('\n'); nl != std::string_view::npos; nl = text.find('\n', from)) {
      streamed_detail::write(out_, text.substr(from, nl + 1 - from));
      out_ << pad;
      from = nl + 1;
    }
    streamed_detail::write(out_, text.substr(from));
  }

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

namespace streamed_detail {

struct Placement {
  std::size_t at;      // where the member's value (the quoted marker) starts
  std::size_t length;  // length of the quoted marker
  std::size_t indent;  // indentation of the member's line
  const StreamedArray* array;
};

// Finds `"key": "marker"` in the dumped skeleton. Text read from Bitbucket cannot produce it:
// a string's own quotes are escaped, so an unescaped `": "` only ever follows a real key.
inline Placement place(const std::string& text, const StreamedArray& array) {
  const std::string quoted_marker = "\"" + array.marker + "\"";
  const std::string member = "\"" + array.key + "\": " + quoted_marker;
  const auto found = text.find(member);
  if (found == std::string::npos) {
    throw std::logic_error("streamed array '" + array.key + "' has no marker in the skeleton");
  }
  const auto line_start = text.rfind('\n', found);
  const std::size_t indent = line_start == std::string::npos ? found : found - line_start - 1;
  return {found + member.size() - quoted_marker.size(), quoted_marker.size(), indent, &array};
}

// The markers' places in the dumped skeleton, in the order they occur.
inline std::vector<Placement> placements(const std::string& text,
                                         const std::vector<StreamedArray>& arrays) {
  std::vector<Placement> found;
  found.reserve(arrays.size());
  for (const auto& array : arrays) {
    found.push_back(place(text, array));
  }
  std::sort(found.begin(), found.end(),
            [](const Placement& a, const Placement& b) { return a.at < b.at; });
  return found;
}

}  // namespace streamed_detail

// Writes `skeleton` exactly as `skeleton.dump(2)` followed by '\n' would, with every streamed
// array in place of its marker (invalid UTF-8 replaced, never fatal). Every marker must occur
// once in the skeleton, as the value of its key.
template <typename Json>
void write_streamed(std::ostream& out, const Json& skeleton,
                    const std::vector<StreamedArray>& arrays) {
  const std::string text = dump_pretty(skeleton);
  const std::string_view view(text);
  std::size_t pos = 0;
  for (const auto& p : streamed_detail::placements(text, arrays)) {
    streamed_detail::write(out, view.substr(pos, p.at - pos));
    ArrayWriter writer(out, p.indent);
    p.array->fill(writer);
    writer.finish();
    pos = p.at + p.length;
  }
  streamed_detail::write(out, view.substr(pos));
  out << '\n';
}

}  // namespace bbp::text
