// Bitwise comparison for tests: memcmp decides; on a mismatch the message names the first
// differing index, both values in hex and as decimals, and their distance in ulps.
#pragma once

#include <gtest/gtest.h>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "detnum/bf16.hpp"

namespace detnum::test {

inline std::string describe(float v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "0x%08" PRIx32 " (%.9g)", bits_of(v), static_cast<double>(v));
  return buf;
}
inline std::string describe(bf16 v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "0x%04x (%.4g)", static_cast<unsigned>(v.bits), static_cast<double>(to_float(v)));
  return buf;
}
inline std::string describe(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64 " (%.17g)", bits_of(v), v);
  return buf;
}
inline std::string describe(std::int64_t v) { return std::to_string(v); }
inline std::string describe(std::uint8_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%02x", static_cast<unsigned>(v));
  return buf;
}

// Distance in units in the last place, counting across zero; -1 when either is NaN.
inline long long ulps(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return -1;
  const auto key = [](float f) {
    const auto u = static_cast<std::int64_t>(bits_of(f));
    return (u & 0x80000000) ? -(u & 0x7FFFFFFF) : u;
  };
  const long long d = key(a) - key(b);
  return d < 0 ? -d : d;
}
inline long long ulps(bf16 a, bf16 b) {
  return ulps(float_from_bits(std::uint32_t{a.bits} << 16), float_from_bits(std::uint32_t{b.bits} << 16));
}
inline long long ulps(std::uint8_t a, std::uint8_t b) { return a > b ? a - b : b - a; }
inline long long ulps(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return -1;
  const auto key = [](double d) {
    const auto u = static_cast<std::int64_t>(bits_of(d) & 0x7FFFFFFFFFFFFFFFull);
    return (bits_of(d) >> 63) ? -u : u;
  };
  const long long diff = key(a) - key(b);
  return diff < 0 ? -diff : diff;
}
inline long long ulps(std::int64_t a, std::int64_t b) { return a > b ? a - b : b - a; }

template <class T>
::testing::AssertionResult same_bits(std::span<const T> expected, std::span<const T> actual) {
  if (expected.size() != actual.size())
    return ::testing::AssertionFailure() << "sizes differ: " << expected.size() << " vs " << actual.size();
  if (expected.empty() || std::memcmp(expected.data(), actual.data(), expected.size_bytes()) == 0)
    return ::testing::AssertionSuccess();
  std::size_t i = 0;
  while (std::memcmp(&expected[i], &actual[i], sizeof(T)) == 0) ++i;
  return ::testing::AssertionFailure() << "first difference at index " << i << " of " << expected.size()
                                       << ": expected " << describe(expected[i]) << ", got " << describe(actual[i])
                                       << ", " << ulps(expected[i], actual[i]) << " ulp apart";
}

template <class T>
::testing::AssertionResult same_bits(const std::vector<T>& expected, const std::vector<T>& actual) {
  return same_bits(std::span<const T>(expected), std::span<const T>(actual));
}

// One value compared as bits: a reduction's result, or an index.
template <class A>
::testing::AssertionResult same_value(A want, A got) {
  return same_bits(std::span<const A>(&want, 1), std::span<const A>(&got, 1));
}

// The outputs of an op with several, each pair compared bit for bit: the first difference names
// its output.
struct NamedOutput {
  const char* name;
  const std::vector<float>* want;
  const std::vector<float>* got;
};
inline ::testing::AssertionResult same_outputs(std::initializer_list<NamedOutput> outputs) {
  for (const NamedOutput& o : outputs)
    if (auto r = same_bits(*o.want, *o.got); !r) return r << " (" << o.name << ")";
  return ::testing::AssertionSuccess();
}

// Whether an element of v has these bits: an output slot that still holds its sentinel.
inline bool holds_bits(const std::vector<float>& v, std::uint32_t bits) {
  for (const float x : v)
    if (bits_of(x) == bits) return true;
  return false;
}

}  // namespace detnum::test
