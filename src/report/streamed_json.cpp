#include "streamed_json.hpp"

#include <algorithm>
#include <stdexcept>

namespace bbp::report {
namespace {

constexpr auto kReplace = nlohmann::json::error_handler_t::replace;

struct Placement {
  std::size_t at;      // where the member's value (the quoted marker) starts
  std::size_t length;  // length of the quoted marker
  std::size_t indent;  // indentation of the member's line
  const StreamedArray* array;
};

// Finds `"key": "marker"` in the dumped skeleton. Text read from Bitbucket cannot produce it:
// a string's own quotes are escaped, so an unescaped `": "` only ever follows a real key.
Placement place(const std::string& text, const StreamedArray& array) {
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

}  // namespace

void ArrayWriter::add(const nlohmann::json& item) {
  out_ << (empty_ ? "[\n" : ",\n");
  empty_ = false;
  const std::string pad(indent_ + 2, ' ');
  const std::string text = item.dump(2, ' ', false, kReplace);
  // Strings hold no raw newline, so every '\n' of the dump starts a line to indent.
  out_ << pad;
  std::size_t from = 0;
  for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', from)) {
    out_.write(text.data() + from, static_cast<std::streamsize>(nl + 1 - from));
    out_ << pad;
    from = nl + 1;
  }
  out_.write(text.data() + from, static_cast<std::streamsize>(text.size() - from));
}

void ArrayWriter::finish() {
  if (empty_) {
    out_ << "[]";
  } else {
    out_ << '\n' << std::string(indent_, ' ') << ']';
  }
}

void write_streamed(std::ostream& out, const nlohmann::json& skeleton,
                    const std::vector<StreamedArray>& arrays) {
  const std::string text = skeleton.dump(2, ' ', false, kReplace);
  std::vector<Placement> placements;
  placements.reserve(arrays.size());
  for (const auto& array : arrays) {
    placements.push_back(place(text, array));
  }
  std::sort(placements.begin(), placements.end(),
            [](const Placement& a, const Placement& b) { return a.at < b.at; });
  std::size_t pos = 0;
  for (const auto& p : placements) {
    out.write(text.data() + pos, static_cast<std::streamsize>(p.at - pos));
    ArrayWriter writer(out, p.indent);
    p.array->fill(writer);
    writer.finish();
    pos = p.at + p.length;
  }
  out.write(text.data() + pos, static_cast<std::streamsize>(text.size() - pos));
  out << '\n';
}

}  // namespace bbp::report
