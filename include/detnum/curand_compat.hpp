// A host (and device) replica of cuRAND's Philox4_32_10 device generator: what curand() and
// curand_uniform() return after curand_init(seed, subsequence, offset), reproduced word for
// word without cuRAND, so CPU code can regenerate a GPU program's random numbers. The counter
// arithmetic follows cuRAND's: the subsequence is added to counter words 2-3 (no carry beyond
// word 3), offset / 4 to words 0-1 with a carry into words 2-3, and drawing past a block
// increments the whole 128-bit counter.
#pragma once

#include <cstdint>

#include "detnum/hd.hpp"
#include "detnum/philox.hpp"
#include "detnum/random.hpp"

namespace detnum {

class CurandPhilox4x32_10 {
 public:
  DETNUM_HD CurandPhilox4x32_10(std::uint64_t seed, std::uint64_t subsequence, std::uint64_t offset)
      : ctr_{{0, 0, 0, 0}}, key_(philox_key(seed)) {
    add_high(subsequence);
    skip(offset);
  }

  // curand(state)
  DETNUM_HD std::uint32_t next() {
    const std::uint32_t r = out_.w[index_];
    if (++index_ == 4) {
      increment();
      out_ = philox4x32_10(ctr_, key_);
      index_ = 0;
    }
    return r;
  }

  // curand_uniform(state): x * 2^-32 + 2^-33 in float, so in (0, 1]; the product is exact, so a
  // fused or unfused multiply-add gives the same float.
  DETNUM_HD float uniform() { return static_cast<float>(next()) * 0x1p-32f + 0x1p-33f; }

  // skipahead(n, state)
  DETNUM_HD void skip(std::uint64_t n) {
    index_ += static_cast<std::uint32_t>(n & 3);
    n /= 4;
    if (index_ > 3) {
      n += 1;
      index_ -= 4;
    }
    add_low(n);
    out_ = philox4x32_10(ctr_, key_);
  }

  // skipahead_sequence(n, state)
  DETNUM_HD void skip_sequence(std::uint64_t n) {
    add_high(n);
    out_ = philox4x32_10(ctr_, key_);
  }

  DETNUM_HD PhiloxCounter counter() const { return ctr_; }

 private:
  DETNUM_HD void add_low(std::uint64_t n) {
    const auto nlo = static_cast<std::uint32_t>(n);
    auto nhi = static_cast<std::uint32_t>(n >> 32);
    ctr_.w[0] += nlo;
    if (ctr_.w[0] < nlo) ++nhi;  // may wrap to 0: the carry is then lost, as in cuRAND
    ctr_.w[1] += nhi;
    if (nhi <= ctr_.w[1]) return;
    if (++ctr_.w[2] != 0) return;
    ++ctr_.w[3];
  }
  DETNUM_HD void add_high(std::uint64_t n) {
    const auto nlo = static_cast<std::uint32_t>(n);
    auto nhi = static_cast<std::uint32_t>(n >> 32);
    ctr_.w[2] += nlo;
    if (ctr_.w[2] < nlo) ++nhi;
    ctr_.w[3] += nhi;
  }
  DETNUM_HD void increment() {
    for (int i = 0; i < 4; ++i)
      if (++ctr_.w[i] != 0) return;
  }

  PhiloxCounter ctr_;
  PhiloxKey key_;
  PhiloxCounter out_{};
  std::uint32_t index_ = 0;
};

}  // namespace detnum
