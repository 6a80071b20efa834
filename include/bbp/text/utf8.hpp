// The one UTF-8 decoder: the HTML page replaces what is not UTF-8, the terminal table measures
// and cuts text by character. Strict (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF, no sequence cut short.
#pragma once

#include <cstddef>
#include <string_view>

namespace bbp::text {

struct Utf8Char {
  char32_t code_point;  // U+FFFD when not valid
  std::size_t length;   // bytes taken: 1 when not valid, so every byte is consumed exactly once
  bool valid;
};

// The character whose encoding starts at text[at] (at < text.size()).
constexpr Utf8Char decode_utf8(std::string_view text, std::size_t at) {
  constexpr Utf8Char kInvalid{U'\uFFFD', 1, false};
  const auto byte = [&](std::size_t i) -> unsigned {
    return i < text.size() ? static_cast<unsigned char>(text[i]) : 0U;
  };
  const unsigned lead = byte(at);
  if (lead < 0x80U) {
    return {lead, 1, true};
  }
  std::size_t length = 0;
  char32_t code_point = 0;
  unsigned low = 0x80U;   // the range the second byte must fall in
  unsigned high = 0xBFU;  // (the later ones are always 0x80..0xBF)
  if (lead >= 0xC2U && lead <= 0xDFU) {
    length = 2;
    code_point = lead & 0x1FU;
  } else if (lead >= 0xE0U && lead <= 0xEFU) {
    length = 3;
    code_point = lead & 0x0FU;
    low = lead == 0xE0U ? 0xA0U : 0x80U;   // no overlong forms
    high = lead == 0xEDU ? 0x9FU : 0xBFU;  // no surrogates
  } else if (lead >= 0xF0U && lead <= 0xF4U) {
    length = 4;
    code_point = lead & 0x07U;
    low = lead == 0xF0U ? 0x90U : 0x80U;   // no overlong forms
    high = lead == 0xF4U ? 0x8FU : 0xBFU;  // nothing above U+10FFFF
  } else {
    return kInvalid;
  }
  for (std::size_t i = 1; i < length; ++i) {
    const unsigned next = byte(at + i);
    if (next < (i == 1 ? low : 0x80U) || next > (i == 1 ? high : 0xBFU)) {
      return kInvalid;
    }
    code_point = (code_point << 6U) | (next & 0x3FU);
  }
  return {code_point, length, true};
}

}  // namespace bbp::text
