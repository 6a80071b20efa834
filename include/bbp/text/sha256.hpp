// SHA-256 (FIPS 180-4), for recording which config file a report was made with.
#pragma once

#include <string>
#include <string_view>

namespace bbp::text {

// The digest of `data` as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

}  // namespace bbp::text
