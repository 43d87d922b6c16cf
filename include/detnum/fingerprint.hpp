// Fingerprints: a short, stable name for a buffer's exact bytes, for comparing results across
// machines and runs without moving the data ("did the H100 produce the same bits as my laptop?").
#pragma once

#include <cstddef>
#include <string>

namespace detnum {

// "xxh3:" followed by 32 lowercase hex digits: the 128-bit XXH3 hash (XXH3_128bits, seed 0) of
// the `bytes` bytes at `data`, high 64 bits first, then low 64 bits. data may be null when
// bytes is 0. The same bytes give the same string on every machine and with every xxHash
// release that implements XXH3 (its output is frozen since xxHash 0.8.0).
std::string fingerprint_bytes(const void* data, std::size_t bytes);

}  // namespace detnum
