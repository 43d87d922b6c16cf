// Dropout on CUDA: the same bits as src/cpu/dropout_ref.cpp for any grid and block size.
//
// Each thread takes octets of 8 consecutive elements (two float4 or one uint4 of bf16: 16-byte
// accesses, 32 or 16 bytes in flight per thread) and strides over the octets of the tensor. An
// octet is exactly one mask byte, so bit i % 8 of byte i / 8 is element i as on the CPU, with
// no shuffles and no two threads sharing a byte. Its 8 keep decisions use the Philox words
// offset + i .. offset + i + 7: two blocks when offset is a multiple of 4, three otherwise; the
// element -> word mapping is the definition in detnum/random.hpp, never the thread index.
// No atomics, no shared memory.
#include <algorithm>
#include <string>

#include "common/dropout_checks.hpp"
#include "common/validate.hpp"
#include "cuda/check.hpp"
#include "cuda/launch.hpp"
#include "detnum/cuda/dropout.hpp"
#include "detnum/detail/dropout_order.hpp"

namespace detnum::cuda {
namespace {

using detail::DropoutSpec;

enum class Mask { none, write, read };

constexpr std::int64_t kOctet = 8;  // elements per thread per step: one mask byte

// 8 elements moved as 16-byte vectors when aligned and complete, else one by one. The
// (un)packing works on 32-bit words so that everything stays in registers.
__device__ void unpack(const uint4 (&q)[2], float (&v)[kOctet]) {
  const std::uint32_t w[8] = {q[0].x, q[0].y, q[0].z, q[0].w, q[1].x, q[1].y, q[1].z, q[1].w};
  for (int j = 0; j < kOctet; ++j) v[j] = __uint_as_float(w[j]);
}
__device__ void pack(const float (&v)[kOctet], uint4 (&q)[2]) {
  q[0] = make_uint4(__float_as_uint(v[0]), __float_as_uint(v[1]), __float_as_uint(v[2]), __float_as_uint(v[3]));
  q[1] = make_uint4(__float_as_uint(v[4]), __float_as_uint(v[5]), __float_as_uint(v[6]), __float_as_uint(v[7]));
}
__device__ void unpack(const uint4 (&q)[1], bf16 (&v)[kOctet]) {
  const std::uint32_t w[4] = {q[0].x, q[0].y, q[0].z, q[0].w};
  for (int j = 0; j < kOctet; ++j) v[j] = bf16{static_cast<std::uint16_t>(w[j / 2] >> (16 * (j % 2)))};
}
__device__ void pack(const bf16 (&v)[kOctet], uint4 (&q)[1]) {
  std::uint32_t w[4];
  for (int k = 0; k < 4; ++k) w[k] = std::uint32_t{v[2 * k].bits} | std::uint32_t{v[2 * k + 1].bits} << 16;
  q[0] = make_uint4(w[0], w[1], w[2], w[3]);
}

template <class T>
constexpr int kVectors = kOctet * sizeof(T) / sizeof(uint4);  // 2 for float, 1 for bf16

template <class T>
__device__ void load8(const T* p, bool vector, int valid, T (&v)[kOctet]) {
  if (vector && valid == kOctet) {
    uint4 q[kVectors<T>];
    for (int k = 0; k < kVectors<T>; ++k) q[k] = reinterpret_cast<const uint4*>(p)[k];
    unpack(q, v);
  } else {
    for (int j = 0; j < kOctet; ++j) v[j] = j < valid ? p[j] : T{};
  }
}

template <class T>
__device__ void store8(T* p, bool vector, int valid, const T (&v)[kOctet]) {
  if (vector && valid == kOctet) {
    uint4 q[kVectors<T>];
    pack(v, q);
    for (int k = 0; k < kVectors<T>; ++k) reinterpret_cast<uint4*>(p)[k] = q[k];
  } else {
    for (int j = 0; j < kOctet; ++j)
      if (j < valid) p[j] = v[j];  // constant indices keep v in registers
  }
}

// Bit j set when word g + j of the dropout stream keeps its element, j = 0..7.
__device__ unsigned keep_bits8(const DropoutSpec& spec, std::uint64_t g) {
  const std::uint64_t b = g >> 2;
  const int r = static_cast<int>(g & 3);  // the same for every thread of a launch: no divergence
  std::uint32_t s[12];                    // words 4b .. 4b + 11
  const PhiloxCounter b0 = stream_block(spec.key, streams::kDropout, b);
  const PhiloxCounter b1 = stream_block(spec.key, streams::kDropout, b + 1);
  const PhiloxCounter b2 = r == 0 ? b1 : stream_block(spec.key, streams::kDropout, b + 2);
  for (int k = 0; k < 4; ++k) {
    s[k] = b0.w[k];
    s[4 + k] = b1.w[k];
    s[8 + k] = b2.w[k];
  }
  unsigned bits = 0;
  for (int j = 0; j < kOctet; ++j) {
    const std::uint32_t w = r == 0 ? s[j] : r == 1 ? s[j + 1] : r == 2 ? s[j + 2] : s[j + 3];
    bits |= static_cast<unsigned>(detail::dropout_keeps(w, spec.threshold)) << j;
  }
  return bits;
}

struct Args {
  std::int64_t n;
  bool vector;  // in and out 16-byte aligned
};

template <class T, Mask kMask>
__global__ void dropout_kernel(const T* in, T* out, const std::uint8_t* mask_in, std::uint8_t* mask_out,
                               DropoutSpec spec, Args args) {
  const std::int64_t octets = (args.n + kOctet - 1) / kOctet;
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t o = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; o < octets; o += stride) {
    const std::int64_t i = kOctet * o;
    const int valid = static_cast<int>(args.n - i < kOctet ? args.n - i : kOctet);
    T v[kOctet];
    load8(in + i, args.vector, valid, v);
    unsigned keep;
    if constexpr (kMask == Mask::read) keep = mask_in[o];
    else keep = keep_bits8(spec, spec.offset + static_cast<std::uint64_t>(i));
    keep &= (1u << valid) - 1u;  // the bits past n are 0
    for (int j = 0; j < kOctet; ++j) v[j] = (keep >> j) & 1u ? detail::dropout_value(v[j], spec.scale) : T{};
    store8(out + i, args.vector, valid, v);
    if constexpr (kMask == Mask::write) mask_out[o] = static_cast<std::uint8_t>(keep);
  }
}

bool aligned(const void* p, std::size_t a) { return reinterpret_cast<std::uintptr_t>(p) % a == 0; }

// One wave of resident blocks (by the kernel's own occupancy: Philox needs registers), or fewer
// when n is small; the grid-stride loop covers the rest.
template <class Kernel>
int grid_for(const char* fn, Kernel kernel, std::int64_t n, LaunchConfig launch) {
  if (launch.grid_blocks > 0) return launch.grid_blocks;
  const std::int64_t resident = detail::resident_blocks(fn, reinterpret_cast<const void*>(kernel), launch.block_threads);
  const std::int64_t needed = ((n + kOctet - 1) / kOctet + launch.block_threads - 1) / launch.block_threads;
  return static_cast<int>(std::max<std::int64_t>(1, std::min(resident, needed)));
}

template <class T, Mask kMask>
void launch_dropout(const char* fn, const T* in, T* out, const std::uint8_t* mask_in, std::uint8_t* mask_out,
                    std::int64_t n, const DropoutSpec& spec, cudaStream_t stream, LaunchConfig launch) {
  detail::check_launch(fn, launch);
  if (n == 0) return;
  const auto kernel = dropout_kernel<T, kMask>;
  const int grid = grid_for(fn, kernel, n, launch);
  const Args args{n, aligned(in, 16) && aligned(out, 16)};
  kernel<<<grid, launch.block_threads, 0, stream>>>(in, out, mask_in, mask_out, spec, args);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

template <class T>
void forward(const T* x, T* y, std::int64_t n, const DropoutParams& params, std::uint8_t* mask, cudaStream_t stream,
             LaunchConfig launch) {
  constexpr const char* fn = "cuda::dropout_forward";
  detail::check_dropout(fn, {false, x, y, mask, false, n, sizeof(T)}, params.p, params.offset, detail::device_reader(stream));
  const auto spec = detail::make_dropout_spec(params);
  if (mask) launch_dropout<T, Mask::write>(fn, x, y, nullptr, mask, n, spec, stream, launch);
  else launch_dropout<T, Mask::none>(fn, x, y, nullptr, nullptr, n, spec, stream, launch);
}

template <class T>
void backward_recompute(const T* dy, T* dx, std::int64_t n, const DropoutParams& params, cudaStream_t stream,
                        LaunchConfig launch) {
  constexpr const char* fn = "cuda::dropout_backward";
  detail::check_dropout(fn, {true, dy, dx, nullptr, false, n, sizeof(T)}, params.p, params.offset, detail::device_reader(stream));
  launch_dropout<T, Mask::none>(fn, dy, dx, nullptr, nullptr, n, detail::make_dropout_spec(params), stream, launch);
}

template <class T>
void backward_mask(const T* dy, const std::uint8_t* mask, T* dx, std::int64_t n, float p, cudaStream_t stream,
                   LaunchConfig launch) {
  constexpr const char* fn = "cuda::dropout_backward";
  detail::check_dropout(fn, {true, dy, dx, mask, true, n, sizeof(T)}, p, 0, detail::device_reader(stream));
  const DropoutSpec spec{{}, 0, 0, detail::dropout_scale(p)};
  launch_dropout<T, Mask::read>(fn, dy, dx, mask, nullptr, n, spec, stream, launch);
}

}  // namespace

void dropout_forward(const float* x, float* y, std::int64_t n, const DropoutParams& params, std::uint8_t* mask,
                     cudaStream_t stream, LaunchConfig launch) {
  forward(x, y, n, params, mask, stream, launch);
}
void dropout_forward(const bf16* x, bf16* y, std::int64_t n, const DropoutParams& params, std::uint8_t* mask,
                     cudaStream_t stream, LaunchConfig launch) {
  forward(x, y, n, params, mask, stream, launch);
}
void dropout_backward(const float* dy, const std::uint8_t* mask, float* dx, std::int64_t n, float p,
                      cudaStream_t stream, LaunchConfig launch) {
  backward_mask(dy, mask, dx, n, p, stream, launch);
}
void dropout_backward(const bf16* dy, const std::uint8_t* mask, bf16* dx, std::int64_t n, float p,
                      cudaStream_t stream, LaunchConfig launch) {
  backward_mask(dy, mask, dx, n, p, stream, launch);
}
void dropout_backward(const float* dy, float* dx, std::int64_t n, const DropoutParams& params, cudaStream_t stream,
                      LaunchConfig launch) {
  backward_recompute(dy, dx, n, params, stream, launch);
}
void dropout_backward(const bf16* dy, bf16* dx, std::int64_t n, const DropoutParams& params, cudaStream_t stream,
                      LaunchConfig launch) {
  backward_recompute(dy, dx, n, params, stream, launch);
}

}  // namespace detnum::cuda
