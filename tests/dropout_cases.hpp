// The dropout cases every backend runs, and the comparison with the scalar reference. Shared by
// dropout_test.cpp (fast CPU path at several thread counts) and dropout_gpu_test.cu (CUDA at
// several launch configurations), so both are held to the same list.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "detnum/dropout.hpp"
#include "support/bits.hpp"
#include "support/data.hpp"

namespace detnum::test {

struct DropoutCase {
  std::int64_t n;
  DropoutParams params;
};

inline std::string describe(const DropoutCase& c) {
  return "n = " + std::to_string(c.n) + ", p = " + std::to_string(c.params.p) + ", seed = " +
         std::to_string(c.params.seed) + ", offset = " + std::to_string(c.params.offset);
}

// Sizes around every batch, window and byte boundary the implementations have, primes, 2^k +- 1
// and one past 10^6; offsets of every residue mod 4 and ones whose Philox block index needs more
// than 32 bits; p at 0, tiny, ordinary and near 1.
inline std::vector<DropoutCase> dropout_cases() {
  const std::int64_t sizes[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257,
                                1021, 4093, 4096, 65535, 65537, 262147};
  const DropoutParams params[] = {
      {0.1f, 42, 0}, {0.5f, 7, 3}, {0.0f, 1, 0}, {0.999f, 99, 1}, {1e-9f, 5, 2}, {0.3f, ~0ull, (1ull << 34) - 5}};
  std::vector<DropoutCase> cases;
  for (std::int64_t n : sizes)
    for (const DropoutParams& p : params) cases.push_back({n, p});
  cases.push_back({1'000'003, {0.25f, 2026, 6}});
  return cases;
}

template <class T>
std::vector<T> dropout_input(std::int64_t n, std::uint64_t seed) {
  if constexpr (std::is_same_v<T, float>) return random_floats(n, seed);
  else return random_bf16(n, seed);
}

template <class T>
struct DropoutOutput {
  std::vector<T> y;
  std::vector<std::uint8_t> mask;
};

// A backend under test: forward with a mask, backward from that mask, backward recomputed.
template <class T>
struct DropoutBackend {
  std::string name;
  std::function<DropoutOutput<T>(const std::vector<T>& x, const DropoutParams&)> forward;
  std::function<std::vector<T>(const std::vector<T>& dy, const std::vector<std::uint8_t>& mask, float p)> backward_mask;
  std::function<std::vector<T>(const std::vector<T>& dy, const DropoutParams&)> backward_recompute;
};

template <class T>
DropoutOutput<T> reference_forward(const std::vector<T>& x, const DropoutParams& params) {
  const auto n = static_cast<std::int64_t>(x.size());
  DropoutOutput<T> out{std::vector<T>(x.size()), std::vector<std::uint8_t>(static_cast<std::size_t>(dropout_mask_bytes(n)))};
  ref::dropout_forward(x.data(), out.y.data(), n, params, out.mask.data());
  return out;
}

// Every case, every pass, bit for bit against the reference.
template <class T>
void expect_matches_reference(const DropoutBackend<T>& backend) {
  for (const DropoutCase& c : dropout_cases()) {
    SCOPED_TRACE(backend.name + ", " + describe(c));
    const std::vector<T> x = dropout_input<T>(c.n, c.params.seed + static_cast<std::uint64_t>(c.n));
    const DropoutOutput<T> want = reference_forward(x, c.params);
    const DropoutOutput<T> got = backend.forward(x, c.params);
    ASSERT_TRUE(same_bits(want.y, got.y)) << "forward y";
    ASSERT_TRUE(same_bits(want.mask, got.mask)) << "forward mask";

    // Backward passes take an upstream gradient unrelated to x.
    const std::vector<T> dy = dropout_input<T>(c.n, ~c.params.seed);
    std::vector<T> want_dx(dy.size());
    ref::dropout_backward(dy.data(), want.mask.data(), want_dx.data(), c.n, c.params.p);
    ASSERT_TRUE(same_bits(want_dx, backend.backward_mask(dy, want.mask, c.params.p))) << "backward from mask";
    ASSERT_TRUE(same_bits(want_dx, backend.backward_recompute(dy, c.params))) << "backward recomputed";
  }
}

}  // namespace detnum::test
