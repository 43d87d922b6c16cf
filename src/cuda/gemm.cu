// GEMM on CUDA: C = alpha * op(A) * op(B) + beta * C with the bits of src/cpu/gemm_ref.cpp
// (docs/ORDER.md, "GEMM") for every shape, tile configuration, split of k and GPU.
//
// What each output gets. ORDER.md defines every C[i][j] on its own: the k products cut into
// segments of KS = 256, each segment an fma chain from -0 in increasing k, the segment partials
// combined in order (gemm_first, then gemm_next), the result stored once (gemm_store). This file
// calls those pieces of detnum/detail/gemm_order.hpp and nothing else that rounds: so a kernel is
// right when, for every output, it feeds exactly the segment's products, in increasing k, into a
// chain that starts at gemm_segment_start(), and folds the chains in segment order.
//
// The tile kernel (gemm_tile_kernel, tuning as data in a TilePolicy). A block computes BM x BN
// outputs of one matrix of the batch; its threads form a (BM / TM) x (BN / TN) grid (which warp
// takes which patch of it is a policy field) and thread (ty, tx) owns TM x TN outputs: rows
// ty*4 + g*(BM / (TM/4)) + 0..3 for g < TM/4, columns likewise (groups of 4 so that a thread reads
// its operands from shared memory as float4s without bank conflicts). The block walks k in tiles of BK (a divisor of KS, so a k-tile never straddles two
// segments): op(A)'s BM x BK and op(B)'s BK x BN slices are staged in shared memory as floats
// (bf16 and fp16 widened exactly on the way, gemm_widen), k-major, so a k step is one row of each.
// For every output the thread keeps acc (the current segment's chain) in a register; per k step,
// in increasing k, acc = fused(a, b, acc). A k-tile past the end of k holds fewer than BK valid
// steps and the loop stops at the last valid one: the padding is never fed into a chain
// (fma(0, 0, -0) would be +0). After the last k-tile of a segment R takes acc (gemm_first for
// segment 0, with the old C, read into the thread's slot before the loop only when beta != 0;
// then gemm_next) and acc restarts at -0. R waits for the next segment in that slot of shared
// memory, so that only the chains take registers (see the kernel). Outputs outside m x n are
// computed from zero padding and never written. So each output's arithmetic is the
// reference's, step for step, whatever BM, BN, BK, TM, TN or the thread that holds it.
//
// Loads. The next k-tile is read from global memory into registers while the current one is
// computed, then stored into the other half of a double buffer (one __syncthreads per k-tile).
// Each thread reads whole runs of 4 elements along the stored matrix's contiguous dimension (k
// for A, or for B transposed; m or n otherwise): one 16-byte load for float, 8 bytes for the
// 16-bit types, when the host found the base pointer aligned and ld (and the batch stride) a
// multiple of 4, and the run lies inside the matrix; element by element with bounds checks
// otherwise (any ld, any alignment, the edges). Either way the same values reach shared memory.
// A policy with kStages >= 2 copies float inputs with cp.async instead, the same runs into the
// same places (zeros outside the matrix): a run along m or n, whose four elements share a row
// of shared memory, as one 16-byte copy where the register path would read one vector; a run
// along k, whose elements go to four rows, as four 4-byte copies. The copies fill a ring of
// kStages buffers that runs kStages - 1 k-tiles ahead; the copies of a k-tile are one commit
// group, awaited before the k-tile's barrier.
//
// Split-K. With s > 1 parts, grid.y = part, and part z takes the whole segments
// [z * per, (z + 1) * per) (per = ceil(segments / s)). Instead of folding a segment's chain into
// R it writes it, as it is, to the workspace, laid out [segment][batch][m][n] in floats. Then
// gemm_combine_kernel folds, per output, p_0, p_1, ... in segment order with gemm_first /
// gemm_next and stores: the same chains, the same folds as without a split. The fold cannot be
// spread over the parts (each fma of R rounds and depends on the previous R), so every segment's
// partial is kept: gemm_workspace_bytes = segments * batch * m * n * 4 bytes, rounded up to 256
// (0 when k <= 256, where no split exists). The automatic rule splits only shapes whose output
// tiles are fewer than the SMs, with at least kAutoSplitMinSegments segments and a workspace of at
// most kAutoSplitMaxBytes.
//
// No products (k = 0 or alpha = 0): gemm_no_products_kernel stores gemm_without_products(beta,
// c_old) and never reads A or B (nor C when beta = 0). No floating-point atomics anywhere: each
// launch writes each output or partial once.
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <type_traits>
#include <utility>

#include "common/gemm_checks.hpp"
#include "common/validate.hpp"
#include "cuda/check.hpp"
#include "cuda/chunk_warp.cuh"
#include "cuda/launch.hpp"
#include "cuda/stream_workspace.hpp"
#include "detnum/cuda/gemm.hpp"
#include "detnum/detail/gemm_order.hpp"

namespace detnum::cuda {
namespace {

using detail::kGemmSegment;
using std::int64_t;

constexpr int64_t kAutoSplitMinSegments = 4;                 // k >= 769: shorter k is not worth a split
constexpr std::size_t kAutoSplitMaxBytes = std::size_t{128} << 20;  // partials of an automatic split
constexpr int kMaxGridY = 65535, kMaxGridZ = 65535;
constexpr int kPad = 4;  // floats after each shared-memory row: fewer bank conflicts, float4 alignment kept

// --- Tile policies: tuning as data ---------------------------------------------------------------

// kUnroll: k steps of a full k-tile unrolled on the cp.async path (BK: all of them; fewer keeps
// ptxas from reading many steps' operands ahead, which costs registers, 128 being the cap for two
// blocks per SM). The register path unrolls all BK: it loads step 0 across the barrier.
// kWarpsM: how the warps tile the block's (BM / TM) x (BN / TN) grid of threads, kWarpsM of them
// down and the rest across; each warp's 32 threads form an LM x LN patch of that grid. The
// patch sets how many distinct float4s a warp reads from shared memory per k step (LM of A, LN
// of B): fewer threads with more outputs each and a squarer patch read less per product.
// kStages: 0 stages every k-tile through registers (two buffers); S >= 2 copies float inputs
// global -> shared with cp.async into a ring of S buffers, S - 1 k-tiles ahead of the one being
// computed (bf16 and fp16 keep the register path: they are widened on the way).
template <int kBM, int kBN, int kBK, int kTM, int kTN, int kMinBlocksPerSM, int kUnrollSteps, int kWarpsDown,
          int kAsyncStages>
struct TilePolicy {
  static constexpr int BM = kBM, BN = kBN, BK = kBK, TM = kTM, TN = kTN, kMinBlocks = kMinBlocksPerSM;
  static constexpr int kUnroll = kUnrollSteps, kStages = kAsyncStages;
  static constexpr int kThreads = (BM / TM) * (BN / TN);
  static constexpr int kWarpsM = kWarpsDown, kWarpsN = kThreads / 32 / kWarpsM;
  static constexpr int LM = BM / TM / kWarpsM, LN = BN / TN / kWarpsN;  // a warp's patch of threads
  static_assert(kGemmSegment % BK == 0, "a k-tile must never straddle two segments");
  static_assert(TM % 4 == 0 && TN % 4 == 0 && BM % TM == 0 && BN % TN == 0 && BK % 4 == 0 && kUnroll >= 1 &&
                BK % kUnroll == 0);
  static_assert(kThreads % 32 == 0 && kWarpsM >= 1 && kThreads / 32 % kWarpsM == 0 && LM * LN == 32 &&
                    LM * kWarpsM * TM == BM && LN * kWarpsN * TN == BN,
                "the warps' patches tile the block's threads");
  static_assert(BM * BK % (4 * kThreads) == 0 && BN * BK % (4 * kThreads) == 0, "whole runs of 4 per thread");
  static_assert(kStages == 0 || kStages >= 2);
  static_assert(kStages >= 2 || kUnroll == BK, "the register path unrolls every step of a k-tile");
  template <class T> static constexpr bool kAsync = kStages >= 2 && std::is_same_v<T, float>;
  template <class T> static constexpr int kBuffers = kAsync<T> ? kStages : 2;
  // Dynamic shared memory: the buffers of op(A)'s slices, then op(B)'s, then each thread's slot
  // per output (the old C, R between segments, a split's partial), laid out [i * TN + j][thread].
  template <class T> static constexpr int kSliceFloats = kBuffers<T> * BK * (BM + kPad + BN + kPad);
  template <class T> static constexpr int smem_bytes() {
    return static_cast<int>(sizeof(float)) * (kSliceFloats<T> + TM * TN * kThreads);
  }
};
using Tile128 = TilePolicy<128, 128, 8, 8, 8, 2, 8, 8, 0>;  // 256 threads, 8 x 8 outputs each; warps 2 x 16 threads
using Tile64 = TilePolicy<64, 64, 16, 4, 4, 2, 16, 8, 0>;   // 256 threads, 4 x 4 outputs each; warps 2 x 16 threads

// --- Kernel arguments ----------------------------------------------------------------------------

template <class T, class C>
struct GemmParams {
  const T* a;
  const T* b;
  C* c;
  int64_t m, n, k, lda, ldb, ldc, stride_a, stride_b, stride_c, batch;
  float alpha, beta;
  bool vec_a, vec_b;      // runs of 4 may be read with one load (alignment, ld, stride)
  int64_t tiles_n;        // output tiles along n
  int64_t tile_base;      // tile of blockIdx.x == 0 (grids of more than 2^31 - 1 tiles)
  int64_t batch_base;     // matrix of blockIdx.z == 0 (batches of more than 65535)
  int64_t segments;       // ceil(k / KS)
  int64_t segs_per_part;  // whole segments per blockIdx.y
  float* partials;        // split: [segment][batch][m][n]; nullptr: fold into R and store C
};

// --- Global -> registers -> shared memory ------------------------------------------------------

template <class T>
__device__ __forceinline__ float load_widened(const T* p) {
  if constexpr (std::is_same_v<T, float>) {
    return __ldg(p);
  } else {
    return detail::gemm_widen(T{__ldg(reinterpret_cast<const unsigned short*>(p))});
  }
}

// 4 consecutive elements in one load (p aligned for it), widened exactly.
template <class T>
__device__ __forceinline__ void load_run(const T* p, float (&out)[4]) {
  using Vec = typename warp::Packed<T>::Vec;
  const Vec v = __ldg(reinterpret_cast<const Vec*>(p));
#pragma unroll
  for (int j = 0; j < 4; ++j) out[j] = detail::gemm_widen(warp::element<T>(v, j));
}

// cp.async, global -> shared without registers (sm_80+). An invalid copy (an element outside
// the matrix) sets ignore-src: the source is not read at all, whatever its address, and zeros
// land, as the register path writes 0.0f there. 4-byte copies go through L1 (the four of a run
// share sectors), 16-byte ones bypass it.
struct CpAsync {
  template <int kBytes>
  __device__ __forceinline__ static void copy(float* dst, std::uint64_t src, bool valid) {
    const auto to = static_cast<unsigned>(__cvta_generic_to_shared(dst));
    const auto from = __cvta_generic_to_global(reinterpret_cast<const void*>(src));
    const int ignore = valid ? 0 : 1;
    if constexpr (kBytes == 16) {
      asm volatile("{\n .reg .pred p;\n setp.ne.b32 p, %2, 0;\n cp.async.cg.shared.global [%0], [%1], 16, p;\n}\n" ::"r"(
                       to),
                   "l"(from), "r"(ignore));
    } else {
      static_assert(kBytes == 4);
      asm volatile("{\n .reg .pred p;\n setp.ne.b32 p, %2, 0;\n cp.async.ca.shared.global [%0], [%1], 4, p;\n}\n" ::"r"(
                       to),
                   "l"(from), "r"(ignore));
    }
  }
  // Closes this thread's group of copies issued since the last commit (an empty group is fine).
  __device__ __forceinline__ static void commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
  // Waits until at most kPending of this thread's latest groups are still in flight.
  template <int kPending>
  __device__ __forceinline__ static void wait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending) : "memory");
  }
};

// One operand's R x BK slice (R = BM for op(A), BN for op(B)) for one k-tile. The stored matrix
// is either k-contiguous (element (r, p) at base[r * ld + p]: A, or B transposed) or
// r-contiguous (at base[p * ld + r]: A transposed, or B). Runs of 4 go along the contiguous
// dimension; thread tid takes runs tid, tid + kThreads, ... Shared memory holds S[p][r].
// Everything about a run that does not change along k is worked out once (its pointer, its
// offset in the tile, how many of its rows exist), so that a k-tile costs one pointer step and
// one comparison with the k left: the main loop keeps few registers besides its chains.
template <class T, int R, int BK, int kThreads, bool kKContiguous>
struct SliceLoader {
  static constexpr int kRuns = R * BK / 4 / kThreads;
  static constexpr int kRunsPerLine = kKContiguous ? BK / 4 : R / 4;
  // The address of the run's first element in the current k-tile, kept as an integer: stepped
  // along k it passes the end of the matrix after the last k-tile (and, for an r-contiguous run,
  // its k may pass the end in the last one), where it is never read; unsigned arithmetic wraps
  // where a pointer's or a signed offset's would be undefined (an ld near 2^62 with a short k).
  std::uint64_t addr[kRuns];
  int rows_in[kRuns];   // k-contiguous: 1 if the run's row exists, else 0; r-contiguous: its rows that exist (0..4)
  bool vec;             // runs may be read with one load (alignment, ld, stride)
  float v[kRuns][4];

  __device__ __forceinline__ static int run_r(int e) { return kKContiguous ? e / kRunsPerLine : e % kRunsPerLine * 4; }
  __device__ __forceinline__ static int run_p(int e) { return kKContiguous ? e % kRunsPerLine * 4 : e / kRunsPerLine; }

  // Slice origin (r0, k0); rows: the extent along r (m or n).
  __device__ __forceinline__ SliceLoader(const T* base, int64_t ld, int64_t r0, int64_t rows, int64_t k0, bool vec_ok,
                                         int tid)
      : vec(vec_ok) {
#pragma unroll
    for (int i = 0; i < kRuns; ++i) {
      const int e = tid + i * kThreads;
      const int64_t gr = r0 + run_r(e), left = rows - gr;
      rows_in[i] = kKContiguous ? (left > 0 ? 1 : 0) : static_cast<int>(left < 0 ? 0 : left < 4 ? left : 4);
      const auto r = static_cast<std::uint64_t>(rows_in[i] > 0 ? gr : 0);  // a missing row is never read
      const auto k = static_cast<std::uint64_t>(k0 + run_p(e)), l = static_cast<std::uint64_t>(ld);
      addr[i] = reinterpret_cast<std::uintptr_t>(base) + (kKContiguous ? r * l + k : k * l + r) * sizeof(T);
    }
  }

  // The k-tile whose first step leaves k_left steps of this part (k_left > 0); then on to the next.
  // (ld is taken again rather than kept: a register less in the main loop.)
  __device__ __forceinline__ void load(int64_t k_left, int64_t ld, int tid) {
#pragma unroll
    for (int i = 0; i < kRuns; ++i) {
      const int p = run_p(tid + i * kThreads);
      const T* const run = reinterpret_cast<const T*>(addr[i]);
      if constexpr (kKContiguous) {
        if (vec && rows_in[i] != 0 && p + 3 < k_left) {
          load_run(run, v[i]);
        } else {
#pragma unroll
          for (int j = 0; j < 4; ++j) v[i][j] = rows_in[i] != 0 && p + j < k_left ? load_widened(run + j) : 0.0f;
        }
      } else {
        if (vec && rows_in[i] == 4 && p < k_left) {
          load_run(run, v[i]);
        } else {
#pragma unroll
          for (int j = 0; j < 4; ++j) v[i][j] = j < rows_in[i] && p < k_left ? load_widened(run + j) : 0.0f;
        }
      }
      addr[i] += (kKContiguous ? std::uint64_t{BK} : BK * static_cast<std::uint64_t>(ld)) * sizeof(T);
    }
  }

  // The same k-tile as load() + store(), float only, straight into shared memory with cp.async
  // (a run along r as one 16-byte copy where load() reads one vector; otherwise, and for every
  // run along k, one 4-byte copy per element); then on to the next. The copies land by the wait
  // of their commit group.
  __device__ __forceinline__ void copy_async(float (*s)[R + kPad], int64_t k_left, int64_t ld, int tid) {
    static_assert(std::is_same_v<T, float>);
#pragma unroll
    for (int i = 0; i < kRuns; ++i) {
      const int e = tid + i * kThreads, r = run_r(e), p = run_p(e);
      if constexpr (kKContiguous) {
#pragma unroll
        for (int j = 0; j < 4; ++j) CpAsync::copy<4>(&s[p + j][r], addr[i] + 4 * j, rows_in[i] != 0 && p + j < k_left);
      } else if (vec && rows_in[i] == 4) {
        CpAsync::copy<16>(&s[p][r], addr[i], p < k_left);
      } else {
#pragma unroll
        for (int j = 0; j < 4; ++j) CpAsync::copy<4>(&s[p][r + j], addr[i] + 4 * j, j < rows_in[i] && p < k_left);
      }
      addr[i] += (kKContiguous ? std::uint64_t{BK} : BK * static_cast<std::uint64_t>(ld)) * sizeof(T);
    }
  }

  __device__ __forceinline__ void store(float (*s)[R + kPad], int tid) const {
#pragma unroll
    for (int i = 0; i < kRuns; ++i) {
      const int e = tid + i * kThreads, r = run_r(e), p = run_p(e);
      if constexpr (kKContiguous) {
#pragma unroll
        for (int j = 0; j < 4; ++j) s[p + j][r] = v[i][j];
      } else {
        *reinterpret_cast<float4*>(&s[p][r]) = make_float4(v[i][0], v[i][1], v[i][2], v[i][3]);
      }
    }
  }
};

// --- The tile kernel -------------------------------------------------------------------------------

// N values from shared memory in groups of 4 adjacent floats, `step` floats apart: v[4g .. 4g + 3]
// = src[g * step .. g * step + 3].
template <int N>
__device__ __forceinline__ void load_groups(const float* src, int step, float (&v)[N]) {
#pragma unroll
  for (int g = 0; g < N / 4; ++g) {
    const float4 x = *reinterpret_cast<const float4*>(src + g * step);
    v[4 * g] = x.x;
    v[4 * g + 1] = x.y;
    v[4 * g + 2] = x.z;
    v[4 * g + 3] = x.w;
  }
}

template <class P, class T, class C, bool kTransA, bool kTransB>
__global__ void __launch_bounds__(P::kThreads, P::kMinBlocks) gemm_tile_kernel(const GemmParams<T, C> g) {
  constexpr int BM = P::BM, BN = P::BN, BK = P::BK, TM = P::TM, TN = P::TN, kThreads = P::kThreads;
  constexpr int kTilesPerSegment = static_cast<int>(kGemmSegment / BK);
  constexpr int kRowStep = BM / (TM / 4), kColStep = BN / (TN / 4);  // between a thread's groups of 4
  constexpr bool kAsync = P::template kAsync<T>;
  constexpr int kBuffers = P::template kBuffers<T>;
  extern __shared__ __align__(16) float smem[];
  const auto as = reinterpret_cast<float(*)[BK][BM + kPad]>(smem);
  const auto bs = reinterpret_cast<float(*)[BK][BN + kPad]>(smem + kBuffers * BK * (BM + kPad));
  float* const rs = smem + P::template kSliceFloats<T>;  // the slots

  const int tid = static_cast<int>(threadIdx.x);
  const int warp = tid / 32, lane = tid % 32;  // (ty, tx): this thread's place in the grid of threads
  const int ty = warp / P::kWarpsN * P::LM + lane / P::LN, tx = warp % P::kWarpsN * P::LN + lane % P::LN;
  const int64_t tile = g.tile_base + blockIdx.x;
  const int64_t m0 = tile / g.tiles_n * BM, n0 = tile % g.tiles_n * BN;
  const int64_t q = g.batch_base + blockIdx.z;  // the matrix of the batch
  const T* __restrict__ a = g.a + q * g.stride_a;
  const T* __restrict__ b = g.b + q * g.stride_b;
  C* const c = g.c + q * g.stride_c;

  // This part's whole segments and k range (the whole of k without a split).
  const int64_t seg_begin = static_cast<int64_t>(blockIdx.y) * g.segs_per_part;
  const int64_t seg_end = seg_begin + g.segs_per_part < g.segments ? seg_begin + g.segs_per_part : g.segments;
  const int64_t k_begin = seg_begin * kGemmSegment, k_end = seg_end * kGemmSegment < g.k ? seg_end * kGemmSegment : g.k;

  // Output (i, j) of this thread: row m0 + row_of(i), column n0 + col_of(j).
  const auto row_of = [&](int i) { return (i / 4) * kRowStep + ty * 4 + i % 4; };
  const auto col_of = [&](int j) { return (j / 4) * kColStep + tx * 4 + j % 4; };

  // A: (i, p) at a[i * lda + p], transposed a[p * lda + i]; B: (p, j) at b[p * ldb + j], transposed b[j * ldb + p].
  SliceLoader<T, BM, BK, kThreads, !kTransA> load_a(a, g.lda, m0, g.m, k_begin, g.vec_a, tid);
  SliceLoader<T, BN, BK, kThreads, kTransB> load_b(b, g.ldb, n0, g.n, k_begin, g.vec_b, tid);
  // cp.async: the k-tile whose first step leaves k_left steps of this part (none if k_left <= 0)
  // into buffer `into`, as one commit group (maybe empty). Generic, so that its body exists only
  // where a kAsync branch calls it (copy_async takes float only).
  const auto copy_k_tile = [&](int into, auto k_left) {
    if (k_left > 0) {
      load_a.copy_async(as[into], k_left, g.lda, tid);
      load_b.copy_async(bs[into], k_left, g.ldb, tid);
    }
    CpAsync::commit();
  };
  if constexpr (kAsync) {  // the first kBuffers - 1 k-tiles in flight
#pragma unroll
    for (int t = 0; t < kBuffers - 1; ++t) copy_k_tile(t, k_end - k_begin - int64_t{t} * BK);
  } else {
    load_a.load(k_end - k_begin, g.lda, tid);
    load_b.load(k_end - k_begin, g.ldb, tid);
    load_a.store(as[0], tid);
    load_b.store(bs[0], tid);
    __syncthreads();
  }
  // One k step's operands from shared memory: op(A)'s TM values and op(B)'s TN of this thread.
  const auto load_step = [&](int b, int p, float (&av)[TM], float (&bv)[TN]) {
    load_groups(&as[b][p][ty * 4], kRowStep, av);
    load_groups(&bs[b][p][tx * 4], kColStep, bv);
  };
  // The register path loads each k-tile's step-0 operands right after the barrier that closes the
  // k-tile before, and computes that k-tile's last step after the barrier, so that its products
  // cover the loads' latency (in SASS about 95 instructions ahead; loading them just before their
  // use was 3% slower at 4096^3 on an H200; cuBLAS's SGEMM loads 50-90 ahead).
  float av0[TM], bv0[TN];
  if constexpr (!kAsync) load_step(0, 0, av0, bv0);

  // One segment per pass: its chains live in registers only inside the pass, so that folding
  // them into R at its end frees registers instead of needing more (with R in registers too the
  // large tile took 245 registers and ran one block per SM). R waits in the thread's own slots
  // of shared memory between segments.
  const auto r_slot = [&](int i, int j) -> float& { return rs[(i * TN + j) * kThreads + tid]; };
  if (g.partials == nullptr && g.beta != 0.0f) {  // the old C, read only when beta != 0, inside m x n
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
      for (int j = 0; j < TN; ++j) {
        const int64_t gi = m0 + row_of(i), gj = n0 + col_of(j);
        r_slot(i, j) = gi < g.m && gj < g.n ? detail::gemm_load(c + gi * g.ldc + gj) : 0.0f;
      }
  }
  int64_t left = k_end - k_begin;  // steps of k from the current k-tile's first to the end of this part
  int buf = 0;                      // the buffer that holds the current k-tile
  const auto next_buffer = [](int b) { return kBuffers == 2 ? b ^ 1 : b + 1 == kBuffers ? 0 : b + 1; };
#pragma unroll 1
  // segments = ceil(k / 256) and no part is empty (plan_for), so each pass has at least one k-tile.
  for (int64_t s = seg_begin; left > 0; ++s) {
    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
      for (int j = 0; j < TN; ++j) acc[i][j] = detail::gemm_segment_start();

#pragma unroll 1
    for (int u = 0; u < kTilesPerSegment && left > 0; ++u, left -= BK, buf = next_buffer(buf)) {
      // Register path: whether a next k-tile follows (the valid steps of this one are BK, except in the last).
      [[maybe_unused]] const bool more = !kAsync && left > BK;
      if constexpr (kAsync) {
        // This k-tile's group has landed (later ones may still fly), and the barrier makes it
        // visible to every thread and tells that every thread is done with the previous k-tile,
        // whose buffer then takes the k-tile kBuffers - 1 ahead (maybe the next segment's).
        CpAsync::wait<kBuffers - 2>();
        __syncthreads();
        copy_k_tile(buf == 0 ? kBuffers - 1 : buf - 1, left - int64_t{kBuffers - 1} * BK);
      } else if (more) {  // the next k-tile (maybe the next segment's first) into registers meanwhile
        load_a.load(left - BK, g.lda, tid);
        load_b.load(left - BK, g.ldb, tid);
      }
      const int steps = left < BK ? static_cast<int>(left) : BK;
      const auto products = [&](const float (&av)[TM], const float (&bv)[TN]) {
#pragma unroll
        for (int i = 0; i < TM; ++i)
#pragma unroll
          for (int j = 0; j < TN; ++j) acc[i][j] = detail::fused(av[i], bv[j], acc[i][j]);
      };
      const auto step = [&](int p) {
        float av[TM], bv[TN];
        load_step(buf, p, av, bv);
        products(av, bv);
      };
      if constexpr (kAsync) {
        if (steps == BK) {
#pragma unroll P::kUnroll
          for (int p = 0; p < BK; ++p) step(p);
        } else {
#pragma unroll 1
          for (int p = 0; p < steps; ++p) step(p);  // never past the end of k
        }
      } else if (steps == BK) {
        // Steps 0 .. BK - 2, each loading the next one's operands first; av0, bv0 hold the step
        // at hand (step 0: loaded after the barrier before).
#pragma unroll
        for (int p = 0; p + 1 < BK; ++p) {
          float av[TM], bv[TN];
          load_step(buf, p + 1, av, bv);
          products(av0, bv0);
#pragma unroll
          for (int i = 0; i < TM; ++i) av0[i] = av[i];
#pragma unroll
          for (int j = 0; j < TN; ++j) bv0[j] = bv[j];
        }
        if (more) {  // the other buffer was last read before the barrier of the k-tile before
          load_a.store(as[buf ^ 1], tid);
          load_b.store(bs[buf ^ 1], tid);
        }
        __syncthreads();
        // The next k-tile's step 0 (after the last k-tile: old values, never used), then the last step.
        float av[TM], bv[TN];
        load_step(buf ^ 1, 0, av, bv);
        products(av0, bv0);
#pragma unroll
        for (int i = 0; i < TM; ++i) av0[i] = av[i];
#pragma unroll
        for (int j = 0; j < TN; ++j) bv0[j] = bv[j];
      } else {  // the last k-tile, fewer than BK steps: step 0 is at hand
        products(av0, bv0);
#pragma unroll 1
        for (int p = 1; p < steps; ++p) step(p);  // never past the end of k
        __syncthreads();
      }
    }

    // The segment's chains are complete. Each enters its slot at once (so that the chains'
    // registers are free for what follows): as itself under a split, where it is a partial for
    // gemm_combine_kernel; otherwise folded into R there, by gemm_first for segment 0 (with the
    // old C from the slot when beta != 0) and gemm_next after.
    const bool split = g.partials != nullptr;
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
      for (int j = 0; j < TN; ++j)
        r_slot(i, j) = split    ? acc[i][j]
                       : s == 0 ? detail::gemm_first(g.alpha, acc[i][j], g.beta, g.beta != 0.0f ? r_slot(i, j) : 0.0f)
                                : detail::gemm_next(g.alpha, acc[i][j], r_slot(i, j));
    if (split) {
#pragma unroll
      for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) {
          const int64_t gi = m0 + row_of(i), gj = n0 + col_of(j);
          if (gi < g.m && gj < g.n) g.partials[((s * g.batch + q) * g.m + gi) * g.n + gj] = r_slot(i, j);
        }
    }
  }
  if (g.partials != nullptr) return;

  // R is complete: stored, 4 adjacent outputs at a time (one vector store where C allows it).
  const bool vec_c = warp::aligned_for_packed(g.c) && g.ldc % 4 == 0 && g.stride_c % 4 == 0;
#pragma unroll
  for (int i = 0; i < TM; ++i) {
    const int64_t gi = m0 + row_of(i);
    if (gi >= g.m) continue;
#pragma unroll
    for (int j0 = 0; j0 < TN; j0 += 4) {
      const int64_t gj = n0 + col_of(j0);
      C* out = c + gi * g.ldc + gj;
      if (vec_c && gj + 3 < g.n) {
        C v[4];
#pragma unroll
        for (int j = 0; j < 4; ++j) detail::gemm_store(r_slot(i, j0 + j), &v[j]);
        if constexpr (std::is_same_v<C, float>) {
          *reinterpret_cast<float4*>(out) = make_float4(v[0], v[1], v[2], v[3]);
        } else {
          uint2 w;
          w.x = static_cast<unsigned>(v[0].bits) | static_cast<unsigned>(v[1].bits) << 16;
          w.y = static_cast<unsigned>(v[2].bits) | static_cast<unsigned>(v[3].bits) << 16;
          *reinterpret_cast<uint2*>(out) = w;
        }
      } else {
#pragma unroll
        for (int j = 0; j < 4; ++j)
          if (gj + j < g.n) detail::gemm_store(r_slot(i, j0 + j), out + j);
      }
    }
  }
}

// --- After a split: the partials folded in segment order ---------------------------------------

constexpr int kCombineBatch = 16;  // partials loaded before any is folded (loads in flight)

template <class C>
__global__ void __launch_bounds__(256)
    gemm_combine_kernel(const float* __restrict__ partials, int64_t segments, int64_t batch, int64_t m, int64_t n,
                        float alpha, float beta, C* c, int64_t ldc, int64_t stride_c) {
  const int64_t per_matrix = m * n, total = batch * per_matrix;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += stride) {
    const int64_t q = e / per_matrix, ij = e % per_matrix;
    C* const out = c + q * stride_c + ij / n * ldc + ij % n;
    float r = beta != 0.0f ? detail::gemm_load(out) : 0.0f;  // beta = 0: C is not read
    for (int64_t s0 = 0; s0 < segments; s0 += kCombineBatch) {
      float p[kCombineBatch];
#pragma unroll
      for (int u = 0; u < kCombineBatch; ++u) p[u] = s0 + u < segments ? partials[(s0 + u) * total + e] : 0.0f;
#pragma unroll
      for (int u = 0; u < kCombineBatch; ++u)
        if (s0 + u < segments)
          r = s0 + u == 0 ? detail::gemm_first(alpha, p[u], beta, r) : detail::gemm_next(alpha, p[u], r);
    }
    detail::gemm_store(r, out);
  }
}

// --- No products: k = 0 or alpha = 0 ---------------------------------------------------------------

template <class C>
__global__ void __launch_bounds__(256) gemm_no_products_kernel(int64_t batch, int64_t m, int64_t n, float beta, C* c,
                                                               int64_t ldc, int64_t stride_c) {
  const int64_t per_matrix = m * n, total = batch * per_matrix;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += stride) {
    const int64_t q = e / per_matrix, ij = e % per_matrix;
    C* const out = c + q * stride_c + ij / n * ldc + ij % n;
    detail::gemm_store(detail::gemm_without_products(beta, beta != 0.0f ? detail::gemm_load(out) : 0.0f), out);
  }
}

// --- Host side -------------------------------------------------------------------------------------

int sm_count(const char* fn) {
  int device = 0;
  DETNUM_CUDA_CHECK(fn, cudaGetDevice(&device));
  static std::mutex mutex;
  static std::map<int, int> cache;
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (const auto it = cache.find(device); it != cache.end()) return it->second;
  }
  int sms = 0;
  DETNUM_CUDA_CHECK(fn, cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  sms = std::max(sms, 1);
  const std::lock_guard<std::mutex> lock(mutex);
  cache.emplace(device, sms);
  return sms;
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// segments * batch * m * n floats, rounded up to 256 bytes; -1 past 2^63.
int64_t partials_bytes(int64_t segments, int64_t batch, int64_t m, int64_t n) {
  int64_t e = detail::checked_mul_add(segments, batch, 0);
  if (e >= 0) e = detail::checked_mul_add(e, m, 0);
  if (e >= 0) e = detail::checked_mul_add(e, n, 0);
  if (e >= 0) e = detail::checked_mul_add(e, 4, static_cast<int64_t>(kWorkspaceAlign) - 1);
  return e < 0 ? -1 : e / static_cast<int64_t>(kWorkspaceAlign) * static_cast<int64_t>(kWorkspaceAlign);
}

std::size_t workspace_bytes(const char* fn, int64_t m, int64_t n, int64_t k, int64_t batch) {
  const int64_t segments = detail::gemm_segments(k);
  if (segments <= 1 || m == 0 || n == 0 || batch == 0) return 0;
  const int64_t bytes = partials_bytes(segments, batch, m, n);
  if (bytes < 0)
    detail::fail(ErrorCode::size_out_of_range, fn,
                 "the split-K workspace (segments * batch * m * n floats) exceeds 2^63 bytes for m " +
                     std::to_string(m) + ", n " + std::to_string(n) + ", k " + std::to_string(k) + ", batch " +
                     std::to_string(batch));
  return static_cast<std::size_t>(bytes);
}

// The tile and the number of parts of k for this call (speed only: every choice has the same bits).
struct Plan {
  GemmTile tile;
  int64_t parts;
  int64_t segs_per_part;
};

Plan plan_for(const char* fn, int64_t m, int64_t n, int64_t batch, int64_t segments, GemmConfig config) {
  const auto tiles_of = [&](int bm, int bn) { return batch * ceil_div(m, bm) * ceil_div(n, bn); };
  Plan plan{config.tile, 1, segments};
  const bool need_sms = config.tile == GemmTile::automatic || (config.split_k == 0 && segments > 1);
  const int64_t sms = need_sms ? sm_count(fn) : 1;
  if (plan.tile == GemmTile::automatic)  // the large tile once it fills every SM
    plan.tile = tiles_of(Tile128::BM, Tile128::BN) >= sms ? GemmTile::m128n128 : GemmTile::m64n64;
  const int64_t tiles = plan.tile == GemmTile::m128n128 ? tiles_of(Tile128::BM, Tile128::BN)
                                                        : tiles_of(Tile64::BM, Tile64::BN);
  int64_t parts = 1;
  if (config.split_k > 1) {
    parts = config.split_k;
  } else if (config.split_k == 0 && tiles < sms && segments >= kAutoSplitMinSegments) {
    const int64_t bytes = partials_bytes(segments, batch, m, n);
    if (bytes >= 0 && static_cast<std::size_t>(bytes) <= kAutoSplitMaxBytes) parts = ceil_div(2 * sms, tiles);
  }
  parts = std::min<int64_t>({parts, segments, kMaxGridY});
  if (parts > 1) {
    plan.segs_per_part = ceil_div(segments, parts);
    plan.parts = ceil_div(segments, plan.segs_per_part);  // no empty part
  }
  return plan;
}

// A grid-stride launch over batch * m * n outputs.
int elementwise_grid(int64_t total) { return static_cast<int>(std::min<int64_t>(ceil_div(total, 256), 65536)); }

// Lets a kernel take more than 48 KiB of dynamic shared memory, with the SM's memory split in
// favour of shared memory (two blocks of the large tile need 162 KiB). Once per kernel and device.
void allow_shared_memory(const char* fn, const void* kernel, int bytes) {
  static std::mutex mutex;
  static std::set<std::pair<const void*, int>> done;
  int device = 0;
  DETNUM_CUDA_CHECK(fn, cudaGetDevice(&device));
  const std::lock_guard<std::mutex> lock(mutex);
  if (done.contains({kernel, device})) return;
  DETNUM_CUDA_CHECK(fn, cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes));
  DETNUM_CUDA_CHECK(fn, cudaFuncSetAttribute(kernel, cudaFuncAttributePreferredSharedMemoryCarveout,
                                             cudaSharedmemCarveoutMaxShared));
  done.emplace(kernel, device);
}

template <class P, class T, class C, bool kTransA, bool kTransB>
void launch_tiles(const char* fn, GemmParams<T, C> g, int64_t parts, cudaStream_t stream) {
  const auto kernel = gemm_tile_kernel<P, T, C, kTransA, kTransB>;
  constexpr int smem = P::template smem_bytes<T>();
  allow_shared_memory(fn, reinterpret_cast<const void*>(kernel), smem);
  const int64_t tiles = ceil_div(g.m, P::BM) * ceil_div(g.n, P::BN);
  g.tiles_n = ceil_div(g.n, P::BN);
  for (int64_t b0 = 0; b0 < g.batch; b0 += kMaxGridZ)
    for (int64_t t0 = 0; t0 < tiles; t0 += INT_MAX) {
      g.batch_base = b0;
      g.tile_base = t0;
      const dim3 grid(static_cast<unsigned>(std::min<int64_t>(tiles - t0, INT_MAX)), static_cast<unsigned>(parts),
                      static_cast<unsigned>(std::min<int64_t>(g.batch - b0, kMaxGridZ)));
      kernel<<<grid, P::kThreads, smem, stream>>>(g);
      DETNUM_CUDA_CHECK(fn, cudaGetLastError());
    }
}

template <class P, class T, class C>
void launch_tiles_for(const char* fn, Transpose ta, Transpose tb, const GemmParams<T, C>& g, int64_t parts,
                      cudaStream_t stream) {
  const bool a_t = ta == Transpose::yes, b_t = tb == Transpose::yes;
  if (!a_t && !b_t) launch_tiles<P, T, C, false, false>(fn, g, parts, stream);
  else if (!a_t && b_t) launch_tiles<P, T, C, false, true>(fn, g, parts, stream);
  else if (a_t && !b_t) launch_tiles<P, T, C, true, false>(fn, g, parts, stream);
  else launch_tiles<P, T, C, true, true>(fn, g, parts, stream);
}

template <class T, class C>
void run(const char* fn, Transpose ta, Transpose tb, int64_t m, int64_t n, int64_t k, float alpha, const T* a,
         int64_t lda, int64_t stride_a, const T* b, int64_t ldb, int64_t stride_b, float beta, C* c, int64_t ldc,
         int64_t stride_c, int64_t batch, cudaStream_t stream, Workspace ws, GemmConfig config) {
  detail::check_gemm(fn, {ta, tb, m, n, k, alpha, a, lda, stride_a, b, ldb, stride_b, beta, c, ldc, stride_c, batch},
                     sizeof(T), sizeof(C), detail::device_reader(stream));
  detail::check_gemm_config(fn, config);
  if (m == 0 || n == 0 || batch == 0) return;
  const int64_t segments = alpha == 0.0f ? 0 : detail::gemm_segments(k);  // ORDER.md step 1
  if (segments == 0) {
    gemm_no_products_kernel<C><<<elementwise_grid(batch * m * n), 256, 0, stream>>>(batch, m, n, beta, c, ldc, stride_c);
    DETNUM_CUDA_CHECK(fn, cudaGetLastError());
    return;
  }
  const Plan plan = plan_for(fn, m, n, batch, segments, config);
  const auto runs_ok = [&](const T* p, int64_t ld, int64_t stride) {
    return warp::aligned_for_packed(p) && ld % 4 == 0 && (batch == 1 || stride % 4 == 0);
  };
  GemmParams<T, C> g{a, b, c, m, n, k, lda, ldb, ldc, stride_a, stride_b, stride_c, batch, alpha, beta,
                     runs_ok(a, lda, stride_a), runs_ok(b, ldb, stride_b), 0, 0, 0, segments, plan.segs_per_part,
                     nullptr};
  // Declared before any launch so that its stream-ordered memory is freed after the last of them.
  // The bytes of the stored matrices (as check_gemm bounded them), which the workspace must not overlap.
  const auto bytes = [&](int64_t rows, int64_t cols, int64_t ld, int64_t stride, std::size_t size) {
    return detail::batch_extent(fn, "", rows, cols, ld, stride, batch) * static_cast<int64_t>(size);
  };
  const bool a_t = ta == Transpose::yes, b_t = tb == Transpose::yes;
  StreamWorkspace partials(fn, ws, plan.parts > 1 ? workspace_bytes(fn, m, n, k, batch) : 0,
                           "gemm_workspace_bytes(m, n, k, batch)", stream,
                           {{"a", a, bytes(a_t ? k : m, a_t ? m : k, lda, stride_a, sizeof(T))},
                            {"b", b, bytes(b_t ? n : k, b_t ? k : n, ldb, stride_b, sizeof(T))},
                            {"c", c, bytes(m, n, ldc, stride_c, sizeof(C))}});
  if (plan.parts > 1) g.partials = static_cast<float*>(partials.get());
  if (plan.tile == GemmTile::m128n128) launch_tiles_for<Tile128>(fn, ta, tb, g, plan.parts, stream);
  else launch_tiles_for<Tile64>(fn, ta, tb, g, plan.parts, stream);
  if (plan.parts > 1) {
    gemm_combine_kernel<C><<<elementwise_grid(batch * m * n), 256, 0, stream>>>(g.partials, segments, batch, m, n,
                                                                                 alpha, beta, c, ldc, stride_c);
    DETNUM_CUDA_CHECK(fn, cudaGetLastError());
  }
}

}  // namespace

std::size_t gemm_workspace_bytes(std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t batch) {
  constexpr const char* fn = "cuda::gemm_workspace_bytes";
  detail::check_size(fn, "m", m, 1);
  detail::check_size(fn, "n", n, 1);
  detail::check_size(fn, "k", k, 1);
  detail::check_size(fn, "batch", batch, 1);
  return workspace_bytes(fn, m, n, k, batch);
}

template <GemmInput T, GemmOutput C>
void gemm(Transpose trans_a, Transpose trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, float beta, C* c, std::int64_t ldc, cudaStream_t stream,
          Workspace ws, GemmConfig config) {
  run("cuda::gemm", trans_a, trans_b, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0, 1, stream, ws, config);
}

template <GemmInput T, GemmOutput C>
void gemm_strided_batched(Transpose trans_a, Transpose trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
                          float alpha, const T* a, std::int64_t lda, std::int64_t stride_a, const T* b,
                          std::int64_t ldb, std::int64_t stride_b, float beta, C* c, std::int64_t ldc,
                          std::int64_t stride_c, std::int64_t batch, cudaStream_t stream, Workspace ws,
                          GemmConfig config) {
  run("cuda::gemm_strided_batched", trans_a, trans_b, m, n, k, alpha, a, lda, stride_a, b, ldb, stride_b, beta, c, ldc,
      stride_c, batch, stream, ws, config);
}

#define DETNUM_CUDA_GEMM(T, C)                                                                                    \
  template void gemm<T, C>(Transpose, Transpose, std::int64_t, std::int64_t, std::int64_t, float, const T*,      \
                           std::int64_t, const T*, std::int64_t, float, C*, std::int64_t, cudaStream_t, Workspace, \
                           GemmConfig);                                                                           \
  template void gemm_strided_batched<T, C>(Transpose, Transpose, std::int64_t, std::int64_t, std::int64_t, float, \
                                           const T*, std::int64_t, std::int64_t, const T*, std::int64_t,         \
                                           std::int64_t, float, C*, std::int64_t, std::int64_t, std::int64_t,    \
                                           cudaStream_t, Workspace, GemmConfig);
DETNUM_CUDA_GEMM(float, float)
DETNUM_CUDA_GEMM(float, bf16)
DETNUM_CUDA_GEMM(bf16, float)
DETNUM_CUDA_GEMM(bf16, bf16)
DETNUM_CUDA_GEMM(fp16, float)
DETNUM_CUDA_GEMM(fp16, bf16)
#undef DETNUM_CUDA_GEMM

}  // namespace detnum::cuda
