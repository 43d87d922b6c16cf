// Portability for code shared by the host compiler and nvcc: the one place that knows which
// compiler is reading. Everything marked DETNUM_HD is part of a canonical order and must give
// the same bits on a CPU and a GPU.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define DETNUM_HD __host__ __device__ __forceinline__
#else
#define DETNUM_HD inline
#endif

namespace detnum {

// The one NaN that detnum writes (a quiet NaN, sign clear). x86 propagates payloads and GPUs
// write 0x7fffffff, so every NaN output is replaced by this pattern on every backend.
inline constexpr std::uint32_t kCanonicalNanF32 = 0x7FC00000u;
inline constexpr std::uint16_t kCanonicalNanBf16 = 0x7FC0u;
inline constexpr std::uint64_t kCanonicalNanF64 = 0x7FF8000000000000ull;

DETNUM_HD std::uint32_t bits_of(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
#endif
}

DETNUM_HD float float_from_bits(std::uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
#endif
}

DETNUM_HD std::uint64_t bits_of(double d) {
#if defined(__CUDA_ARCH__)
  return static_cast<std::uint64_t>(__double_as_longlong(d));
#else
  std::uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return u;
#endif
}

DETNUM_HD double double_from_bits(std::uint64_t u) {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(static_cast<long long>(u));
#else
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
#endif
}

DETNUM_HD float canonical_nan_f32() { return float_from_bits(kCanonicalNanF32); }

// x itself, or the canonical NaN if x is any NaN. Decided on the bits, so that it holds even in
// a caller's code built with fast math.
DETNUM_HD float canonicalize(float x) {
  return (bits_of(x) & 0x7FFFFFFFu) > 0x7F800000u ? canonical_nan_f32() : x;
}
DETNUM_HD double canonicalize(double x) {
  return (bits_of(x) & 0x7FFFFFFFFFFFFFFFull) > 0x7FF0000000000000ull ? double_from_bits(kCanonicalNanF64) : x;
}

}  // namespace detnum
