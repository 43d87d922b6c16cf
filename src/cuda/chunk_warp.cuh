// How one warp computes the partial of one chunk of ORDER.md's reduction order, shared by the
// vector reductions (reduce.cu) and the row sums (axis_sums.cu); and the fold of a block's lanes
// for column sums (axis_sums.cu, embedding_backward.cu). See reduce.cu's opening comment
// for the mapping of the 128 lanes onto the 32 threads and why the fold gives the reference's bits.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "detnum/detail/reduce_order.hpp"

namespace detnum::cuda::warp {

using detail::kReduceChunk;
using detail::kReduceLanes;
using detail::kReduceSteps;

constexpr int kWarp = 32;
constexpr int kLanesPerThread = kReduceLanes / kWarp;  // 4
constexpr unsigned kFullMask = 0xFFFFFFFFu;

// --- How the 128 lanes of a step map onto a warp ---------------------------------------------

// W elements per load, packed as Vec; thread t holds lanes g * 32W + tW + j (g < 4/W, j < W).
template <class T> struct Packed;
template <> struct Packed<float> { using Vec = float4; static constexpr int W = 4; };
template <> struct Packed<double> { using Vec = double2; static constexpr int W = 2; };
template <> struct Packed<bf16> { using Vec = uint2; static constexpr int W = 4; };
template <> struct Packed<fp16> { using Vec = uint2; static constexpr int W = 4; };

// The lane (offset in the step) of thread t's k-th accumulator, k < 4.
template <class T>
__device__ __forceinline__ int lane_of(int k, int t) {
  constexpr int W = Packed<T>::W;
  return (k / W) * kWarp * W + t * W + k % W;
}

template <class T>
__device__ __forceinline__ T element(const typename Packed<T>::Vec& q, int j) {
  if constexpr (std::is_same_v<T, float>) {
    return j == 0 ? q.x : j == 1 ? q.y : j == 2 ? q.z : q.w;
  } else if constexpr (std::is_same_v<T, double>) {
    return j == 0 ? q.x : q.y;
  } else {  // 16-bit: little-endian halves of two words
    const unsigned word = j < 2 ? q.x : q.y;
    return T{static_cast<std::uint16_t>(word >> (16 * (j & 1)))};
  }
}

// Whether p may be read with packed loads.
template <class T>
__host__ __device__ inline bool aligned_for_packed(const T* p) {
  return reinterpret_cast<std::uintptr_t>(p) % (sizeof(T) * Packed<T>::W) == 0;
}

// kL2: read through L2 only (ld.global.cg), for partials that other blocks of this launch wrote.
template <class T, bool kL2>
__device__ __forceinline__ typename Packed<T>::Vec load_packed(const T* p) {
  using Vec = typename Packed<T>::Vec;
  if constexpr (kL2) return __ldcg(reinterpret_cast<const Vec*>(p));
  else return *reinterpret_cast<const Vec*>(p);
}
template <class T, bool kL2>
__device__ __forceinline__ T load_one(const T* p) {
  if constexpr (kL2) return __ldcg(p);
  else return *p;
}

// Steps per batch of loads: 256 bytes per thread in flight for blocks up to 256 threads, 128 for
// the variant that must fit 1024 threads (64 registers).
template <class T, int kInputs, int kMaxThreads>
__host__ __device__ constexpr int batch_steps() {
  constexpr int bytes = kMaxThreads <= 256 ? 256 : 128;
  constexpr int b = bytes / static_cast<int>(kLanesPerThread * sizeof(T) * kInputs);
  return b < 1 ? 1 : b > kReduceSteps ? kReduceSteps : b;
}

// Checked path (the last chunk, misaligned pointers): 4 steps per batch; each element there
// takes a register of its own and a bounds check, and more steps cost occupancy.
constexpr int kCheckedBatch = 4;

// Calls f(k, i, x[i], y[i]) for this thread's elements of chunk c, in the canonical order of each
// of its lanes (steps in increasing order; k is the lane's accumulator). y is read only when
// kInputs == 2. `vec`: x (and y) are aligned for packed loads. Full aligned chunks: batches of
// kBatch steps, every load of a batch issued before any of its elements is added. Otherwise
// element by element with bounds checks, kChecked steps per batch.
template <int kInputs, bool kL2, int kBatch, int kChecked, class T, class F>
__device__ __forceinline__ void walk_chunk(const T* __restrict__ x, const T* __restrict__ y, std::int64_t n,
                                           std::int64_t c, bool vec, int t, F&& f) {
  using Vec = typename Packed<T>::Vec;
  constexpr int W = Packed<T>::W, G = kLanesPerThread / W;
  static_assert(kReduceSteps % kBatch == 0 && kReduceSteps % kChecked == 0);
  const std::int64_t base = c * kReduceChunk;
  if (vec && n - base >= kReduceChunk) {
    const T* xs = x + base + t * W;
    const T* ys = kInputs == 2 ? y + base + t * W : nullptr;
#pragma unroll 1
    for (int s0 = 0; s0 < kReduceSteps; s0 += kBatch) {
      Vec xv[kBatch][G], yv[kBatch][G];
#pragma unroll
      for (int u = 0; u < kBatch; ++u)
#pragma unroll
        for (int g = 0; g < G; ++g) {
          const int off = (s0 + u) * kReduceLanes + g * kWarp * W;
          xv[u][g] = load_packed<T, kL2>(xs + off);
          if constexpr (kInputs == 2) yv[u][g] = load_packed<T, kL2>(ys + off);
        }
#pragma unroll
      for (int u = 0; u < kBatch; ++u)
#pragma unroll
        for (int k = 0; k < kLanesPerThread; ++k) {
          const std::int64_t i = base + (s0 + u) * kReduceLanes + lane_of<T>(k, t);
          const T xe = element<T>(xv[u][k / W], k % W);
          if constexpr (kInputs == 2) f(k, i, xe, element<T>(yv[u][k / W], k % W));
          else f(k, i, xe, xe);
        }
    }
  } else {
    // Offsets inside the chunk are ints; `valid` is how many of the chunk's elements exist.
    const int valid = static_cast<int>(n - base < kReduceChunk ? n - base : kReduceChunk);
#pragma unroll 1
    for (int s0 = 0; s0 < kReduceSteps && s0 * kReduceLanes < valid; s0 += kChecked) {
      T xv[kChecked][kLanesPerThread], yv[kChecked][kLanesPerThread];
#pragma unroll
      for (int u = 0; u < kChecked; ++u)
#pragma unroll
        for (int k = 0; k < kLanesPerThread; ++k) {
          const int o = (s0 + u) * kReduceLanes + lane_of<T>(k, t);
          xv[u][k] = o < valid ? load_one<T, kL2>(x + base + o) : T{};
          if constexpr (kInputs == 2) yv[u][k] = o < valid ? load_one<T, kL2>(y + base + o) : T{};
        }
#pragma unroll
      for (int u = 0; u < kChecked; ++u)
#pragma unroll
        for (int k = 0; k < kLanesPerThread; ++k) {
          const int o = (s0 + u) * kReduceLanes + lane_of<T>(k, t);
          if (o < valid) {  // a lane with no element left stays as it is: no step with a dummy
            if constexpr (kInputs == 2) f(k, base + o, xv[u][k], yv[u][k]);
            else f(k, base + o, xv[u][k], xv[u][k]);
          }
        }
    }
  }
}

// --- A block's lanes (column sums): thread t of warp w holds lanes w + kWarps k in slot k ---------
// (With a split of the 128 lanes by their residue s mod S over S blocks, a block's lanes are
// s + S l', and l' = w + kWarps k: the same folds on l', for the halvings h >= S.)

// v for a row r before the end (r < valid), else -0, which a lane adds as the identity (x + -0
// is x for every x, +0 and NaN included): chosen by an integer mask, so that a partial step
// needs no predicate per lane (with one each, nvcc ran out of predicate registers and issued
// the step's loads one at a time).
__device__ __forceinline__ float unless_past(float v, int r, int valid) {
  const auto keep = static_cast<std::uint32_t>((r - valid) >> 31);  // all ones when r < valid
  return float_from_bits((bits_of(v) & keep) | (0x80000000u & ~keep));
}
__device__ __forceinline__ double unless_past(double v, int r, int valid) {
  const auto keep = static_cast<std::uint64_t>(static_cast<std::int64_t>((r - valid) >> 31));
  return double_from_bits((bits_of(v) & keep) | (0x8000000000000000ull & ~keep));
}

// log2 of a power of two, at compile time.
__host__ __device__ constexpr int log2_of(int n) { return n > 1 ? 1 + log2_of(n / 2) : 0; }

// ORDER.md step 4's halvings that stay inside the thread (lane w + h is slot k + h / kWarps),
// for the K slots of a thread: lane w's value ends in a[0]. Every loop has a constant trip
// count, so that all of them unroll and a stays in registers; with h /= 2 as the step, or inner
// bounds that follow h, ptxas kept the array in local memory.
template <class A, int K>
__device__ __forceinline__ void fold_own_lanes(A (&a)[K]) {
#pragma unroll
  for (int e = 0; e < log2_of(K); ++e) {
    const int half = K / 2 >> e;  // h / kWarps
#pragma unroll
    for (int k = 0; k < K / 2; ++k)
      if (k < half) a[k] = a[k] + a[k + half];
  }
}

// The remaining halvings h = kWarps / 2, ..., 1 on lanes 0 .. kWarps - 1 (lane[l], gathered from
// the warps): the chunk's partial.
template <int kWarps, class A>
__device__ __forceinline__ A fold_first_lanes(A (&lane)[kWarps]) {
#pragma unroll
  for (int e = 0; e < log2_of(kWarps); ++e) {
    const int h = kWarps / 2 >> e;
#pragma unroll
    for (int l = 0; l < kWarps / 2; ++l)
      if (l < h) lane[l] = lane[l] + lane[l + h];
  }
  return lane[0];
}

// ORDER.md step 4 on the warp's 128 lanes (layout of input type T): for h = 64, 32, ..., 1,
// lane l += lane l + h. Returns lane 0 (valid in thread 0). Lanes l + h in the same thread add
// in registers; the others are lane l's own slot in thread t + h / W.
template <class T, class A>
__device__ __forceinline__ A fold_warp(A (&a)[kLanesPerThread]) {
  constexpr int W = Packed<T>::W;
#pragma unroll
  for (int e = 6; e >= 0; --e) {
    const int h = 1 << e;
    if (h >= kWarp * W) {  // lane l + h is in group g + h / 32W of the same thread
      const int gh = h / (kWarp * W);
#pragma unroll
      for (int g = 0; g < gh; ++g)
#pragma unroll
        for (int j = 0; j < W; ++j) a[g * W + j] = a[g * W + j] + a[(g + gh) * W + j];
    } else if (h >= W) {  // lane l + h is slot j of thread t + h / W (only group 0 is left)
#pragma unroll
      for (int j = 0; j < W; ++j) a[j] = a[j] + __shfl_down_sync(kFullMask, a[j], h / W);
    } else {  // lanes 0 .. 2h - 1 are all in thread 0
#pragma unroll
      for (int j = 0; j < h; ++j) a[j] = a[j] + a[j + h];
    }
  }
  return a[0];
}

// The partial of chunk c (valid in thread 0 of the warp).
template <bool kL2, int kBatch, int kChecked, class Step, class T>
__device__ __forceinline__ typename Step::A chunk_partial(const Step& step, const T* x, const T* y, std::int64_t n,
                                                          std::int64_t c, bool vec, int t) {
  using A = typename Step::A;
  A a[kLanesPerThread];
#pragma unroll
  for (int k = 0; k < kLanesPerThread; ++k) a[k] = detail::lane_identity<A>();
  walk_chunk<Step::kInputs, kL2, kBatch, kChecked>(x, y, n, c, vec, t,
                                         [&](int k, std::int64_t, T xe, T ye) { a[k] = step(a[k], xe, ye); });
  return fold_warp<T>(a);
}

// prepare() runs once per thread before any step; false: nothing to reduce (the finish knows).
template <class T>
struct SumStep {
  using In = T;
  using A = detail::accum_t<T>;
  static constexpr int kInputs = 1;
  __device__ bool prepare() { return true; }
  __device__ A operator()(A a, T x, T) const { return a + detail::widen(x); }
};

// The partials of level >= 2: a + p_c.
template <class P>
struct AddStep {
  using In = P;
  using A = P;
  static constexpr int kInputs = 1;
  __device__ bool prepare() { return true; }
  __device__ P operator()(P a, P p, P) const { return a + p; }
};

}  // namespace detnum::cuda::warp
