// Tensor fingerprints on the host: the hash names dtype, shape and bytes (a pinned value keeps its
// layout stable across releases), the statistics are detnum's reductions and do not change with
// the thread count, and bad views get detnum::Error.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "detnum/error.hpp"
#include "detnum/fingerprint.hpp"
#include "detnum/reduce.hpp"
#include "reduce_cases.hpp"
#include "support/errors.hpp"

namespace detnum::test {
namespace {

TEST(Fingerprint, PinnedValue) {
  // If this changes, every fingerprint anyone has stored changes: that needs a new layout name
  // ("detnum-tensor" in the header), not an edit of this line.
  const float x[] = {1.0f, 2.0f, 3.0f};
  EXPECT_EQ(fingerprint(TensorView::of(x, {3})).hash, "xxh3:9460a263349692993505fdf5523e707d");
}

TEST(Fingerprint, HashNamesDtypeShapeAndBytes) {
  std::vector<float> x = reduce_input<float>(1000, 1, Family::mixed);
  const std::string base = fingerprint(TensorView::of(x.data(), {1000})).hash;
  EXPECT_EQ(base.size(), 5u + 32u);
  EXPECT_EQ(base.rfind("xxh3:", 0), 0u);
  EXPECT_EQ(base, fingerprint(TensorView::of(x.data(), {1000}), {3}).hash);
  EXPECT_NE(base, fingerprint(TensorView::of(x.data(), {10, 100})).hash);
  EXPECT_NE(base, fingerprint(TensorView::of(x.data(), {1000, 1})).hash);
  EXPECT_NE(base, fingerprint({x.data(), Dtype::i32, {1000}}).hash);
  x[999] = float_from_bits(bits_of(x[999]) ^ 1u);
  EXPECT_NE(base, fingerprint(TensorView::of(x.data(), {1000})).hash);
}

TEST(Fingerprint, StatsAreDetnumReductions) {
  const std::vector<float> x = reduce_input<float>(100003, 2, Family::finite);
  const Fingerprint f = fingerprint(TensorView::of(x.data(), {100003}), {1});
  EXPECT_EQ(f.stats.count, 100003);
  EXPECT_EQ(f.stats.nans, 0);
  EXPECT_EQ(f.stats.min, static_cast<double>(min(x.data(), 100003)));
  EXPECT_EQ(f.stats.max, static_cast<double>(max(x.data(), 100003)));
  EXPECT_EQ(f.stats.sum, static_cast<double>(sum(x)));
  EXPECT_EQ(f.stats.l2, static_cast<double>(nrm2(x.data(), 100003)));
  const Fingerprint g = fingerprint(TensorView::of(x.data(), {100003}), {5});
  EXPECT_EQ(bits_of(f.stats.sum), bits_of(g.stats.sum));
  EXPECT_EQ(bits_of(f.stats.l2), bits_of(g.stats.l2));
}

TEST(Fingerprint, SpecialValuesAndEmptyTensors) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const float x[] = {1.0f, inf, -inf, nan, 2.0f};
  const TensorStats s = fingerprint(TensorView::of(x, {5})).stats;
  EXPECT_EQ(s.nans, 1);
  EXPECT_EQ(s.infs, 2);
  EXPECT_TRUE(std::isnan(s.min) && std::isnan(s.max) && std::isnan(s.sum));
  const TensorStats e = fingerprint(TensorView::of(static_cast<const float*>(nullptr), {0, 7})).stats;
  EXPECT_EQ(e.count, 0);
  EXPECT_TRUE(std::isnan(e.min));
  EXPECT_EQ(e.sum, 0.0);
  const bf16 scalar[] = {bf16_from_float(-3.5f)};
  const Fingerprint sc = fingerprint(TensorView::of(scalar, {}));
  EXPECT_EQ(sc.stats.count, 1);
  EXPECT_EQ(sc.stats.min, -3.5);
}

TEST(Fingerprint, IntegerStatsAreExact) {
  const std::int64_t big = std::int64_t{1} << 62;
  const std::int64_t x[] = {big, big, big, -3};
  const TensorStats s = fingerprint(TensorView::of(x, {4})).stats;
  EXPECT_EQ(s.sum, 3.0 * static_cast<double>(big));  // no int64 overflow
  EXPECT_EQ(s.min, -3.0);
  const std::uint8_t u[] = {3, 4};
  EXPECT_EQ(fingerprint(TensorView::of(u, {2})).stats.l2, 5.0);
}

TEST(FingerprintErrors, BadViews) {
  const float x[4] = {};
  expect_error([&] { fingerprint(TensorView::of(x, {2, -1})); }, ErrorCode::size_out_of_range,
               "view.shape[1] must be >= 0, got -1");
  expect_error([&] { fingerprint(TensorView::of(static_cast<const float*>(nullptr), {2})); }, ErrorCode::null_pointer,
               "view.data must not be null");
  expect_error([&] { fingerprint(TensorView::of(x, {std::int64_t{1} << 40, std::int64_t{1} << 40})); },
               ErrorCode::size_out_of_range, "exceeds 2^63");
  expect_error([&] { fingerprint({x, static_cast<Dtype>(42), {4}}); }, ErrorCode::invalid_argument,
               "view.dtype must be a detnum::Dtype, got 42");
  // A zero anywhere is an empty tensor, however large the other sizes (no data needed).
  const Fingerprint empty = fingerprint(TensorView::of(static_cast<const float*>(nullptr), {std::int64_t{1} << 40, std::int64_t{1} << 40, 0}));
  EXPECT_EQ(empty.stats.nans, 0);
  // Raw bytes: null only for none.
  expect_error([&] { fingerprint_bytes(nullptr, 5); }, ErrorCode::null_pointer,
               "fingerprint_bytes: data must not be null, got nullptr for 5 bytes");
  EXPECT_EQ(fingerprint_bytes(nullptr, 0), fingerprint_bytes(x, 0));
}

}  // namespace
}  // namespace detnum::test
