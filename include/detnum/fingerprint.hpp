// Fingerprints: a short, stable name for a tensor's exact bits, for comparing results across
// machines and runs without moving the data ("did the H100 produce the same bits as my laptop?"),
// with summary statistics that say how far apart two tensors are when they differ.
// (CUDA device memory: detnum/cuda/fingerprint.hpp.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "detnum/bf16.hpp"
#include "detnum/fp16.hpp"
#include "detnum/threads.hpp"

namespace detnum {

// "xxh3:" followed by 32 lowercase hex digits: the 128-bit XXH3 hash (XXH3_128bits, seed 0) of
// the `bytes` bytes at `data`, high 64 bits first, then low 64 bits. data may be null when
// bytes is 0. The same bytes give the same string on every machine and with every xxHash
// release that implements XXH3 (its output is frozen since xxHash 0.8.0).
std::string fingerprint_bytes(const void* data, std::size_t bytes);

enum class Dtype { f32, f64, bf16, fp16, i32, i64, u8 };

// "float32", "float64", "bfloat16", "float16", "int32", "int64", "uint8".
const char* dtype_name(Dtype d);
std::size_t dtype_size(Dtype d);

// (Only the types below have a Dtype: any other is a compile error, not a link error.)
template <class T> constexpr Dtype dtype_of() = delete;
template <> constexpr Dtype dtype_of<float>() { return Dtype::f32; }
template <> constexpr Dtype dtype_of<double>() { return Dtype::f64; }
template <> constexpr Dtype dtype_of<bf16>() { return Dtype::bf16; }
template <> constexpr Dtype dtype_of<fp16>() { return Dtype::fp16; }
template <> constexpr Dtype dtype_of<std::int32_t>() { return Dtype::i32; }
template <> constexpr Dtype dtype_of<std::int64_t>() { return Dtype::i64; }
template <> constexpr Dtype dtype_of<std::uint8_t>() { return Dtype::u8; }

// A contiguous row-major tensor that someone else owns. A shape of {} is a scalar (1 element).
struct TensorView {
  const void* data = nullptr;
  Dtype dtype = Dtype::f32;
  std::vector<std::int64_t> shape;

  template <class T>
  static TensorView of(const T* data, std::vector<std::int64_t> shape) {
    return {data, dtype_of<T>(), std::move(shape)};
  }
};

// Summary statistics, every one computed in a fixed order (detnum's reductions for the floating
// types, so that two machines agree on them bit for bit too). NaN where undefined: min and max
// of an empty tensor, and min, max, sum and l2 when the tensor holds a NaN (nans says how many).
struct TensorStats {
  std::int64_t count = 0;  // elements
  std::int64_t nans = 0;   // NaN elements (floating types)
  std::int64_t infs = 0;   // +-Inf elements (floating types)
  double min = 0, max = 0;
  double sum = 0;  // detnum::sum (float accumulation for float, bf16, fp16; double for float64);
                   // integers: the exact sum, rounded once to double
  double l2 = 0;   // detnum::nrm2; integers: sqrt of the sum of squares in double, in index order
};

struct Fingerprint {
  // "xxh3:<32 hex digits>" of the dtype name, the shape and the bytes (the layout is in
  // fingerprint.cpp): equal strings mean equal tensors, bit for bit.
  std::string hash;
  Dtype dtype = Dtype::f32;
  std::vector<std::int64_t> shape;
  TensorStats stats;
};

// The fingerprint of a tensor in host memory. options: the threads of the statistics.
Fingerprint fingerprint(const TensorView& view, CpuOptions options = {});

}  // namespace detnum
