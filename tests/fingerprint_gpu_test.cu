// Device fingerprints equal host fingerprints of the same bytes: hash and every statistic, bit for
// bit, for every dtype, empty and scalar tensors, NaNs and infinities, and tensors larger than
// one 8 MiB piece (an odd number of pieces, a last piece shorter than the others).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "detnum/cuda/fingerprint.hpp"
#include "detnum/error.hpp"
#include "detnum/fingerprint.hpp"
#include "reduce_cases.hpp"
#include "support/errors.hpp"
#include "support/gpu.hpp"

namespace detnum::test {
namespace {

::testing::AssertionResult same_fingerprint(const Fingerprint& h, const Fingerprint& d) {
  const auto bits = [](double v) { return bits_of(v); };
  if (h.hash != d.hash) return ::testing::AssertionFailure() << "hash " << h.hash << " vs " << d.hash;
  const TensorStats &a = h.stats, &b = d.stats;
  if (a.count != b.count || a.nans != b.nans || a.infs != b.infs || bits(a.min) != bits(b.min) ||
      bits(a.max) != bits(b.max) || bits(a.sum) != bits(b.sum) || bits(a.l2) != bits(b.l2))
    return ::testing::AssertionFailure() << "stats: host count " << a.count << " nans " << a.nans << " infs " << a.infs
                                         << " min " << a.min << " max " << a.max << " sum " << a.sum << " l2 " << a.l2
                                         << "; device count " << b.count << " nans " << b.nans << " infs " << b.infs
                                         << " min " << b.min << " max " << b.max << " sum " << b.sum << " l2 " << b.l2;
  return ::testing::AssertionSuccess();
}

template <class T>
void check(std::int64_t n, std::vector<std::int64_t> shape) {
  SCOPED_TRACE(std::string(dtype_name(dtype_of<T>())) + " n " + std::to_string(n));
  std::vector<T> x(static_cast<std::size_t>(n));
  if constexpr (std::is_integral_v<T>) {
    for (std::int64_t i = 0; i < n; ++i) x[i] = static_cast<T>((i * 2654435761u) ^ (i >> 3));
  } else {
    x = reduce_input<T>(n, 41, Family::mixed);
  }
  DeviceBuffer<T> d(static_cast<std::size_t>(n));
  if (n > 0) DETNUM_TEST_CUDA(cudaMemcpy(d.get(), x.data(), x.size() * sizeof(T), cudaMemcpyHostToDevice));
  const TensorView host = TensorView::of(x.data(), shape), device = TensorView::of(static_cast<const T*>(d.get()), shape);
  EXPECT_TRUE(same_fingerprint(fingerprint(host), cuda::fingerprint(device)));
}

template <class T>
void check_sizes() {
  DETNUM_REQUIRE_GPU();
  check<T>(0, {0});
  check<T>(1, {});
  check<T>(1000, {10, 100});
  const std::int64_t big = (std::int64_t{3} * (8 << 20) + 1000) / static_cast<std::int64_t>(sizeof(T));  // 3+ pieces
  check<T>(big, {big});
}

TEST(FingerprintGpu, Float) { check_sizes<float>(); }
TEST(FingerprintGpu, Double) { check_sizes<double>(); }
TEST(FingerprintGpu, Bf16) { check_sizes<bf16>(); }
TEST(FingerprintGpu, Fp16) { check_sizes<fp16>(); }
TEST(FingerprintGpu, Int32) { check_sizes<std::int32_t>(); }
TEST(FingerprintGpu, Int64) { check_sizes<std::int64_t>(); }
TEST(FingerprintGpu, Uint8) { check_sizes<std::uint8_t>(); }

TEST(FingerprintGpu, HostMemoryIsRefused) {
  DETNUM_REQUIRE_GPU();
  const float x[4] = {};
  expect_error([&] { cuda::fingerprint(TensorView::of(x, {4})); }, ErrorCode::wrong_memory_space, "view.data");
}

}  // namespace
}  // namespace detnum::test
