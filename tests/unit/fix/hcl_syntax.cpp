#include "hcl_syntax.hpp"

#include <cstdint>

namespace bbp::fix::testing {
namespace {

bool identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool identifier_char(char c) {
  return identifier_start(c) || (c >= '0' && c <= '9') || c == '-';
}

bool digit(char c) {
  return c >= '0' && c <= '9';
}

void append_utf8(std::string& out, std::uint32_t c) {
  const auto byte = [&](std::uint32_t b) { out += static_cast<char>(b); };
  if (c < 0x80U) {
    byte(c);
  } else if (c < 0x800U) {
    byte(0xC0U | (c >> 6U));
    byte(0x80U | (c & 0x3FU));
  } else if (c < 0x10000U) {
    byte(0xE0U | (c >> 12U));
    byte(0x80U | ((c >> 6U) & 0x3FU));
    byte(0x80U | (c & 0x3FU));
  } else {
    byte(0xF0U | (c >> 18U));
    byte(0x80U | ((c >> 12U) & 0x3FU));
    byte(0x80U | ((c >> 6U) & 0x3FU));
    byte(0x80U | (c & 0x3FU));
  }
}

// A recursive descent over the characters; new lines end attributes and blocks, as in HCL,
// except inside a list. The first error is thrown and turned into a value by parse_hcl.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  HclBlock file() {
    HclBlock root;
    root.line = 1;
    body(root, false);
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const { throw HclError{line_, message}; }

  bool at_end() const { return at_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const {
    return at_ + ahead < text_.size() ? text_[at_ + ahead] : '\0';
  }

  // Spaces and a comment up to (not including) the end of its line.
  void skip_space() {
    while (!at_end()) {
      if (peek() == ' ' || peek() == '\t' || (peek() == '\r' && peek(1) == '\n')) {
        ++at_;
      } else if (peek() == '#') {
        while (!at_end() && peek() != '\n') {
          ++at_;
        }
      } else {
        return;
      }
    }
  }

  void skip_space_and_newlines() {
    for (skip_space(); peek() == '\n'; skip_space()) {
      ++at_;
      ++line_;
    }
  }

  // An attribute or a block ends its line.
  void end_of_line(const char* what) {
    skip_space();
    if (at_end()) {
      return;
    }
    if (peek() != '\n') {
      fail(std::string("unexpected '") + peek() + "' after " + what);
    }
    ++at_;
    ++line_;
  }

  std::string identifier() {
    if (!identifier_start(peek())) {
      fail(at_end() ? "unexpected end of file" : std::string("unexpected '") + peek() + "'");
    }
    const auto from = at_;
    while (identifier_char(peek())) {
      ++at_;
    }
    return std::string(text_.substr(from, at_ - from));
  }

  // Items up to the closing brace of `block` (or the end of the file, for the file itself).
  void body(HclBlock& block, bool nested) {
    for (skip_space_and_newlines(); !at_end() && peek() != '}'; skip_space_and_newlines()) {
      item(block);
    }
    if (nested && at_end()) {
      throw HclError{block.line,
                     "unbalanced braces: the '{' of this " + block.type + " block is never closed"};
    }
    if (!nested && !at_end()) {
      fail("unbalanced braces: a '}' without its '{'");
    }
  }

  void item(HclBlock& into) {
    const int line = line_;
    const auto name = identifier();
    skip_space();
    if (peek() == '=') {
      ++at_;
      skip_space();
      auto v = value();
      if (!into.attributes.emplace(name, std::move(v)).second) {
        fail("the attribute '" + name + "' is set twice");
      }
      end_of_line("an attribute");
      return;
    }
    into.blocks.push_back(block(name, line));
  }

  HclBlock block(const std::string& type, int line) {
    HclBlock b;
    b.type = type;
    b.line = line;
    for (skip_space(); peek() != '{'; skip_space()) {
      if (peek() == '"') {
        b.labels.push_back(quoted());
      } else if (identifier_start(peek())) {
        b.labels.push_back(identifier());
      } else {
        fail("'" + type + "' is followed by neither '=' (an attribute) nor '{' (a block)");
      }
    }
    ++at_;
    skip_space();
    if (peek() != '\n') {
      fail("a block's '{' must end its line");
    }
    body(b, true);
    ++at_;  // the '}'
    end_of_line("a block's '}'");
    return b;
  }

  HclValue value() {
    if (peek() == '"') {
      return {HclValue::Kind::string, quoted(), {}};
    }
    if (peek() == '[') {
      return list();
    }
    if (digit(peek())) {
      return {HclValue::Kind::number, number(), {}};
    }
    auto name = identifier();
    if (name == "true" || name == "false") {
      return {HclValue::Kind::boolean, name, {}};
    }
    while (peek() == '.') {
      ++at_;
      name += "." + identifier();
    }
    return {HclValue::Kind::reference, name, {}};
  }

  std::string number() {
    const auto from = at_;
    const auto digits = [&] {
      if (!digit(peek())) {
        fail("a number is cut short");
      }
      while (digit(peek())) {
        ++at_;
      }
    };
    digits();
    if (peek() == '.') {
      ++at_;
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      ++at_;
      if (peek() == '+' || peek() == '-') {
        ++at_;
      }
      digits();
    }
    return std::string(text_.substr(from, at_ - from));
  }

  // Inside brackets new lines do not end anything.
  HclValue list() {
    HclValue out{HclValue::Kind::list, "", {}};
    ++at_;
    for (skip_space_and_newlines(); peek() != ']'; skip_space_and_newlines()) {
      out.items.push_back(value());
      skip_space_and_newlines();
      if (peek() == ',') {
        ++at_;
      } else if (peek() != ']') {
        fail("a list item is followed by neither ',' nor ']'");
      }
    }
    ++at_;
    return out;
  }

  std::uint32_t hex_digits(int count) {
    std::uint32_t out = 0;
    for (int i = 0; i < count; ++i, ++at_) {
      const char c = peek();
      const bool hex = digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex) {
        fail("a \\u or \\U escape without its hexadecimal digits");
      }
      const int d = digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
      out = (out << 4U) | static_cast<std::uint32_t>(d);
    }
    return out;
  }

  void escape(std::string& out) {
    const char c = peek();
    ++at_;
    switch (c) {
      case 'n':
        out += '\n';
        return;
      case 'r':
        out += '\r';
        return;
      case 't':
        out += '\t';
        return;
      case '"':
        out += '"';
        return;
      case '\\':
        out += '\\';
        return;
      case 'u':
        append_utf8(out, hex_digits(4));
        return;
      case 'U':
        append_utf8(out, hex_digits(8));
        return;
      default:
        fail(std::string("an unknown escape '\\") + c + "' in a string");
    }
  }

  // "${" and "%{" open template sequences, outside the subset; "$${" and "%%{" are literal.
  void template_introducer(std::string& out) {
    const char c = peek();
    if (peek(1) == c && peek(2) == '{') {
      out += c;
      out += '{';
      at_ += 3;
      return;
    }
    if (peek(1) == '{') {
      fail(std::string("a template sequence '") + c + "{' in a string");
    }
    out += c;
    ++at_;
  }

  std::string quoted() {
    std::string out;
    for (++at_; peek() != '"';) {
      const char c = peek();
      if (at_end()) {
        fail("an unterminated string");
      } else if (c == '\n') {
        fail("a string runs into a new line");
      } else if (static_cast<unsigned char>(c) < 0x20U) {
        fail("a raw control character in a string");
      } else if (c == '\\') {
        ++at_;
        escape(out);
      } else if (c == '$' || c == '%') {
        template_introducer(out);
      } else {
        out += c;
        ++at_;
      }
    }
    ++at_;
    return out;
  }

  std::string_view text_;
  std::size_t at_ = 0;
  int line_ = 1;
};

}  // namespace

std::string to_string(const HclError& error) {
  return "line " + std::to_string(error.line) + ": " + error.message;
}

tl::expected<HclBlock, HclError> parse_hcl(std::string_view text) {
  try {
    return Parser(text).file();
  } catch (const HclError& error) {
    return tl::unexpected(error);
  }
}

std::vector<const HclBlock*> blocks_of(const HclBlock& parent, std::string_view type,
                                       std::string_view label) {
  std::vector<const HclBlock*> out;
  for (const auto& b : parent.blocks) {
    if (b.type == type && (label.empty() || (!b.labels.empty() && b.labels[0] == label))) {
      out.push_back(&b);
    }
  }
  return out;
}

}  // namespace bbp::fix::testing
