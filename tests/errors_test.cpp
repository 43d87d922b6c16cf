// Bad input gets detnum::Error with a code and a message naming the argument and its value;
// nothing is written. One test per kind of mistake (CPU entry points; the CUDA ones are in
// errors_cuda_test.cpp and dropout_gpu_test.cu).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "support/errors.hpp"
#include "detnum/dropout.hpp"
#include "detnum/error.hpp"

namespace detnum {
namespace {

using test::expect_error;

class DropoutErrors : public ::testing::Test {
 protected:
  static constexpr std::int64_t n = 64;
  std::vector<float> x = std::vector<float>(n, 1.0f);
  std::vector<float> y = std::vector<float>(n, -7.0f);
  std::vector<std::uint8_t> mask = std::vector<std::uint8_t>(8, 0xAB);

  void expect_untouched() {
    for (float v : y) ASSERT_EQ(v, -7.0f);
    for (std::uint8_t b : mask) ASSERT_EQ(b, 0xAB);
  }
};

TEST_F(DropoutErrors, ProbabilityOutsideZeroToOne) {
  expect_error([&] { dropout_forward(x.data(), y.data(), n, {1.5f, 1, 0}); }, ErrorCode::invalid_argument,
               "dropout_forward: p must be in [0, 1), got 1.5");
  expect_error([&] { dropout_forward(x.data(), y.data(), n, {1.0f, 1, 0}); }, ErrorCode::invalid_argument, "got 1");
  expect_error([&] { dropout_forward(x.data(), y.data(), n, {-0.1f, 1, 0}); }, ErrorCode::invalid_argument,
               "got -0.1");
  expect_error([&] { dropout_forward(x.data(), y.data(), n, {NAN, 1, 0}); }, ErrorCode::invalid_argument, "got nan");
  expect_error([&] { dropout_backward(x.data(), mask.data(), y.data(), n, 2.0f); }, ErrorCode::invalid_argument,
               "dropout_backward: p must be in [0, 1), got 2");
  expect_error([&] { ref::dropout_forward(x.data(), y.data(), n, {1.5f, 1, 0}); }, ErrorCode::invalid_argument,
               "ref::dropout_forward: p must be in [0, 1), got 1.5");
  expect_untouched();
}

TEST_F(DropoutErrors, NegativeAndOverflowingSizes) {
  expect_error([&] { dropout_forward(x.data(), y.data(), -1, {0.1f, 1, 0}); }, ErrorCode::size_out_of_range,
               "n must be >= 0, got -1");
  expect_error([&] { dropout_forward(x.data(), y.data(), std::numeric_limits<std::int64_t>::max(), {0.1f, 1, 0}); },
               ErrorCode::size_out_of_range, "n must be at most");
  expect_error([&] { dropout_mask_bytes(-3); }, ErrorCode::size_out_of_range, "dropout_mask_bytes: n must be >= 0, got -3");
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(dropout_mask_bytes(kMax), kMax / 8 + 1);  // ceil(n / 8) without overflow
  EXPECT_EQ(dropout_mask_bytes(kMax - 7), kMax / 8);
  expect_untouched();
}

TEST_F(DropoutErrors, StreamOffsetPlusNPast2To64) {
  const std::uint64_t offset = std::numeric_limits<std::uint64_t>::max() - 10;
  expect_error([&] { dropout_forward(x.data(), y.data(), n, {0.1f, 1, offset}); }, ErrorCode::size_out_of_range,
               "offset + n must not exceed 2^64");
  expect_untouched();
  // Up to exactly 2^64 is fine.
  EXPECT_NO_THROW(dropout_forward(x.data(), y.data(), 11, {0.1f, 1, offset}));
}

TEST_F(DropoutErrors, NullPointers) {
  expect_error([&] { dropout_forward(nullptr, y.data(), n, {0.1f, 1, 0}); }, ErrorCode::null_pointer,
               "dropout_forward: x must not be null, got nullptr for 64 elements");
  expect_error([&] { dropout_forward(x.data(), nullptr, n, {0.1f, 1, 0}); }, ErrorCode::null_pointer, "y must not be null");
  expect_error([&] { dropout_backward(x.data(), nullptr, y.data(), n, 0.1f); }, ErrorCode::null_pointer,
               "mask must not be null");
  expect_error([&] { dropout_backward(nullptr, y.data(), n, {0.1f, 1, 0}); }, ErrorCode::null_pointer,
               "dropout_backward: dy must not be null");
  expect_untouched();
  EXPECT_NO_THROW(dropout_forward(static_cast<const float*>(nullptr), nullptr, 0, {0.1f, 1, 0}));  // n = 0 touches nothing
}

TEST_F(DropoutErrors, UnsupportedAliasing) {
  expect_error([&] { dropout_forward(x.data(), x.data() + 1, n - 1, {0.1f, 1, 0}); }, ErrorCode::unsupported_aliasing,
               "y and x must not overlap");
  auto* bytes = reinterpret_cast<std::uint8_t*>(y.data());
  expect_error([&] { dropout_forward(x.data(), y.data(), n, {0.1f, 1, 0}, bytes + 8); }, ErrorCode::unsupported_aliasing,
               "mask and y must not overlap");
  expect_error([&] { dropout_backward(y.data(), bytes, y.data(), 16, 0.1f); }, ErrorCode::unsupported_aliasing,
               "mask and dx must not overlap");
  for (float v : x) ASSERT_EQ(v, 1.0f);
  EXPECT_NO_THROW(dropout_forward(x.data(), x.data(), n, {0.1f, 1, 0}));  // exactly in place is allowed
}

TEST_F(DropoutErrors, CpuOptionsOutOfRange) {
  expect_error([&] { dropout_forward(x.data(), y.data(), n, {0.1f, 1, 0}, nullptr, CpuOptions{-1}); },
               ErrorCode::invalid_argument, "options.threads must be 0 (default) or 1 .. 1024, got -1");
  expect_error([&] { dropout_forward(x.data(), y.data(), n, {0.1f, 1, 0}, nullptr, CpuOptions{5000}); },
               ErrorCode::invalid_argument, "got 5000");
  expect_error([&] { dropout_forward(x.data(), y.data(), n, {0.1f, 1, 0}, nullptr, CpuOptions{1, static_cast<CpuSimd>(9)}); },
               ErrorCode::invalid_argument, "options.simd must be CpuSimd::best or CpuSimd::portable, got 9");
  expect_untouched();
}

TEST_F(DropoutErrors, SpanSizesMustAgree) {
  expect_error([&] { dropout_forward(std::span<const float>(x), std::span<float>(y).first(10), {0.1f, 1, 0}); },
               ErrorCode::invalid_argument, "y.size() must equal x.size() = 64, got 10");
  expect_error([&] { dropout_forward(std::span<const float>(x), std::span<float>(y), {0.1f, 1, 0}, std::span(mask).first(7)); },
               ErrorCode::invalid_argument, "mask.size() must be 0 or at least ceil(n / 8) = 8, got 7");
  expect_untouched();
}

}  // namespace
}  // namespace detnum
