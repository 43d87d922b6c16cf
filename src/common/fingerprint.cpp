#include "detnum/fingerprint.hpp"

#include <xxhash.h>

#include <cstdint>

namespace detnum {

std::string fingerprint_bytes(const void* data, std::size_t bytes) {
  static const char kEmpty = 0;
  const XXH128_hash_t h = XXH3_128bits(bytes == 0 ? &kEmpty : data, bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "xxh3:";
  out.reserve(5 + 32);
  for (const std::uint64_t half : {std::uint64_t{h.high64}, std::uint64_t{h.low64}})
    for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(half >> shift) & 0xFu];
  return out;
}

}  // namespace detnum
