// The one base64 codec (RFC 4648, standard alphabet): HTTP Basic credentials are encoded padded,
// SSH key fingerprints unpadded, and public key blobs decoded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bbp::text {

inline constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// `bytes` in base64; with `padded`, '=' fills the last group to four characters.
inline std::string base64_encode(std::string_view bytes, bool padded = true) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8U) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64Alphabet[(buffer >> static_cast<unsigned>(bits)) & 0x3FU];
    }
  }
  if (bits > 0) {
    out += kBase64Alphabet[(buffer << static_cast<unsigned>(6 - bits)) & 0x3FU];
  }
  while (padded && out.size() % 4 != 0) {
    out += '=';
  }
  return out;
}

// The bytes `text` encodes (padding optional), or nullopt when it is empty, holds a character
// outside the alphabet, or has more than two '=' or one before the end.
inline std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (const char c : text) {
    if (c == '=') {
      ++padding;
      continue;
    }
    const auto value = kBase64Alphabet.find(c);
    if (value == std::string_view::npos || padding > 0) {
      return std::nullopt;
    }
    buffer = (buffer << 6U) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU);
    }
  }
  if (out.empty() || padding > 2) {
    return std::nullopt;
  }
  return out;
}

}  // namespace bbp::text
