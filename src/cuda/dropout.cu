// Dropout on CUDA: the same bits as src/cpu/dropout_ref.cpp for any grid and block size.
//
// Each warp takes windows of 128 consecutive elements, 4 per lane (one float4 or 4 bf16 per
// load), and strides over the windows of the tensor. A lane's 4 elements need the Philox words
// offset + i .. offset + i + 3: one block when offset is a multiple of 4, two otherwise; the
// element -> word mapping is the definition in detnum/random.hpp, never the thread index. The
// mask's 32-bit words are assembled with three shuffles from 8 lanes' nibbles, so bit i % 8 of
// byte i / 8 is element i as on the CPU. No atomics, no shared memory.
#include <algorithm>
#include <string>

#include "common/dropout_checks.hpp"
#include "common/validate.hpp"
#include "cuda/check.hpp"
#include "detnum/cuda/dropout.hpp"
#include "detnum/detail/dropout_order.hpp"

namespace detnum::cuda {
namespace {

using detail::DropoutSpec;

enum class Mask { none, write, read };

constexpr int kWarp = 32;
constexpr std::int64_t kLaneElems = 4;
constexpr std::int64_t kWindow = kWarp * kLaneElems;

// Four elements as one load: 16 bytes of float, 8 bytes of bf16.
template <class T> struct Quad;
template <> struct Quad<float> { using type = float4; };
template <> struct Quad<bf16> { using type = uint2; };

template <class T>
__device__ void load4(const T* p, bool vector, std::int64_t valid, T (&v)[4]) {
  if (vector && valid >= 4) {
    const auto q = *reinterpret_cast<const typename Quad<T>::type*>(p);
    static_assert(sizeof q == sizeof v);
    memcpy(v, &q, sizeof v);
  } else {
    for (int j = 0; j < 4; ++j) v[j] = j < valid ? p[j] : T{};
  }
}

template <class T>
__device__ void store4(T* p, bool vector, std::int64_t valid, const T (&v)[4]) {
  if (vector && valid >= 4) {
    typename Quad<T>::type q;
    memcpy(&q, v, sizeof v);
    *reinterpret_cast<typename Quad<T>::type*>(p) = q;
  } else {
    for (int j = 0; j < 4; ++j)
      if (j < valid) p[j] = v[j];
  }
}

// Word k (0..7) of the eight words in blocks a, b.
__device__ std::uint32_t pick(const PhiloxCounter& a, const PhiloxCounter& b, int k) {
  const PhiloxCounter& c = k < 4 ? a : b;
  const int m = k & 3;
  return m == 0 ? c.w[0] : m == 1 ? c.w[1] : m == 2 ? c.w[2] : c.w[3];
}

// Bit j set when element g + j of the dropout stream is kept.
__device__ unsigned keep_bits(const DropoutSpec& spec, std::uint64_t g) {
  const PhiloxCounter a = stream_block(spec.key, streams::kDropout, g >> 2);
  const int r = static_cast<int>(g & 3);  // the same for every lane of the grid: no divergence
  const PhiloxCounter b = r == 0 ? a : stream_block(spec.key, streams::kDropout, (g >> 2) + 1);
  unsigned bits = 0;
  for (int j = 0; j < 4; ++j) bits |= static_cast<unsigned>(detail::dropout_keeps(pick(a, b, r + j), spec.threshold)) << j;
  return bits;
}

struct Args {
  std::int64_t n;
  bool vector;        // in and out aligned for 4-element loads
  bool mask_aligned;  // mask_out aligned for 32-bit stores
};

template <class T, Mask kMask>
__global__ void dropout_kernel(const T* in, T* out, const std::uint8_t* mask_in, std::uint8_t* mask_out,
                               DropoutSpec spec, Args args) {
  const int lane = static_cast<int>(threadIdx.x) % kWarp;
  const std::int64_t first_warp = (static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
  const std::int64_t warps = static_cast<std::int64_t>(gridDim.x) * blockDim.x / kWarp;
  const std::int64_t windows = (args.n + kWindow - 1) / kWindow;
  const std::int64_t mask_bytes = (args.n + 7) / 8;

  // Whole warps iterate together (the bound is per warp), so the shuffles see every lane.
  for (std::int64_t w = first_warp; w < windows; w += warps) {
    const std::int64_t i = w * kWindow + kLaneElems * lane;
    const std::int64_t left = args.n - i;
    const std::int64_t valid = left >= kLaneElems ? kLaneElems : left > 0 ? left : 0;

    T v[4];
    load4(in + i, args.vector, valid, v);
    unsigned keep;
    if constexpr (kMask == Mask::read) keep = valid > 0 ? (mask_in[i / 8] >> (i % 8)) & 0xFu : 0u;
    else keep = keep_bits(spec, spec.offset + static_cast<std::uint64_t>(i));
    keep &= (1u << valid) - 1u;
    for (int j = 0; j < 4; ++j) v[j] = (keep >> j) & 1u ? detail::dropout_value(v[j], spec.scale) : T{};
    store4(out + i, args.vector, valid, v);

    if constexpr (kMask == Mask::write) {
      // Lanes 8q .. 8q+7 hold elements 32q .. 32q+31: one mask word.
      unsigned word = keep << (4 * (lane % 8));
      word |= __shfl_xor_sync(0xFFFFFFFFu, word, 1);
      word |= __shfl_xor_sync(0xFFFFFFFFu, word, 2);
      word |= __shfl_xor_sync(0xFFFFFFFFu, word, 4);
      const std::int64_t byte = i / 8;
      if (lane % 8 == 0 && byte < mask_bytes) {
        if (args.mask_aligned && byte + 4 <= mask_bytes) {
          *reinterpret_cast<std::uint32_t*>(mask_out + byte) = word;
        } else {
          for (int b = 0; b < 4 && byte + b < mask_bytes; ++b) mask_out[byte + b] = static_cast<std::uint8_t>(word >> (8 * b));
        }
      }
    }
  }
}

bool aligned(const void* p, std::size_t a) { return reinterpret_cast<std::uintptr_t>(p) % a == 0; }

void check_launch(const char* fn, LaunchConfig launch) {
  if (launch.block_threads < kWarp || launch.block_threads > 1024 || launch.block_threads % kWarp != 0)
    detail::fail(ErrorCode::invalid_argument, fn,
                 "launch.block_threads must be a multiple of 32 in [32, 1024], got " + std::to_string(launch.block_threads));
  if (launch.grid_blocks < 0)
    detail::fail(ErrorCode::invalid_argument, fn,
                 "launch.grid_blocks must be 0 (fill the device) or positive, got " + std::to_string(launch.grid_blocks));
}

int grid_for(const char* fn, std::int64_t n, LaunchConfig launch) {
  if (launch.grid_blocks > 0) return launch.grid_blocks;
  int device = 0, sms = 0, threads_per_sm = 0;
  DETNUM_CUDA_CHECK(fn, cudaGetDevice(&device));
  DETNUM_CUDA_CHECK(fn, cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  DETNUM_CUDA_CHECK(fn, cudaDeviceGetAttribute(&threads_per_sm, cudaDevAttrMaxThreadsPerMultiProcessor, device));
  const std::int64_t resident = static_cast<std::int64_t>(sms) * std::max(1, threads_per_sm / launch.block_threads);
  const std::int64_t needed = ((n + kWindow - 1) / kWindow * kWarp + launch.block_threads - 1) / launch.block_threads;
  return static_cast<int>(std::max<std::int64_t>(1, std::min(resident, needed)));
}

template <class T, Mask kMask>
void launch_dropout(const char* fn, const T* in, T* out, const std::uint8_t* mask_in, std::uint8_t* mask_out,
                    std::int64_t n, const DropoutSpec& spec, cudaStream_t stream, LaunchConfig launch) {
  check_launch(fn, launch);
  if (n == 0) return;
  const int grid = grid_for(fn, n, launch);
  const Args args{n, aligned(in, 4 * sizeof(T)) && aligned(out, 4 * sizeof(T)), aligned(mask_out, 4)};
  dropout_kernel<T, kMask><<<grid, launch.block_threads, 0, stream>>>(in, out, mask_in, mask_out, spec, args);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

template <class T>
void forward(const T* x, T* y, std::int64_t n, const DropoutParams& params, std::uint8_t* mask, cudaStream_t stream,
             LaunchConfig launch) {
  constexpr const char* fn = "cuda::dropout_forward";
  detail::check_dropout_device(fn, {false, x, y, mask, false, n, sizeof(T)}, params.p, params.offset);
  const auto spec = detail::make_dropout_spec(params);
  if (mask) launch_dropout<T, Mask::write>(fn, x, y, nullptr, mask, n, spec, stream, launch);
  else launch_dropout<T, Mask::none>(fn, x, y, nullptr, nullptr, n, spec, stream, launch);
}

template <class T>
void backward_recompute(const T* dy, T* dx, std::int64_t n, const DropoutParams& params, cudaStream_t stream,
                        LaunchConfig launch) {
  constexpr const char* fn = "cuda::dropout_backward";
  detail::check_dropout_device(fn, {true, dy, dx, nullptr, false, n, sizeof(T)}, params.p, params.offset);
  launch_dropout<T, Mask::none>(fn, dy, dx, nullptr, nullptr, n, detail::make_dropout_spec(params), stream, launch);
}

template <class T>
void backward_mask(const T* dy, const std::uint8_t* mask, T* dx, std::int64_t n, float p, cudaStream_t stream,
                   LaunchConfig launch) {
  constexpr const char* fn = "cuda::dropout_backward";
  detail::check_dropout_device(fn, {true, dy, dx, mask, true, n, sizeof(T)}, p, 0);
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
