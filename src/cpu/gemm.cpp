// The fast CPU path for GEMM: BLIS's loops around a micro-kernel, in ORDER.md's order.
//
//   for each block of NC columns of C (jc)
//     for each segment s of k (pc: KC = the segment length, 256)          in order
//       pack op(B)[segment, jc block] into panels of NR columns, widened to float
//       for each (block of MC rows, group of NR panels) unit, threads in parallel:
//         pack op(A)[ic block, segment] into panels of MR rows
//         for each micro-tile: the micro-kernel's segment partials, then step 3 on the tile
//
// Every output's segment is one micro-kernel call (an fma chain from -0 over the segment's k in
// increasing order) and the segments of an output are applied to it one after another, because
// the segment loop is sequential and a barrier ends each one. Threads divide only rows and column
// groups (M and N), never k; so the thread count, MC, NC and the kernel choice change speed, not
// bits. Between segments C holds R (float); a bf16 C is computed in a float copy and rounded once
// at the end. Edge tiles (m % MR, n % NR) go through a full-size tile buffer.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "common/gemm_checks.hpp"
#include "common/validate.hpp"
#include "cpu/cpu_features.hpp"
#include "cpu/gemm_kernels.hpp"
#include "cpu/thread_scratch.hpp"
#include "detnum/detail/gemm_order.hpp"
#include "detnum/gemm.hpp"

namespace detnum {
namespace {

using detail::kGemmMR;
using detail::kGemmNR;
using detail::TileUpdate;

constexpr std::int64_t kKC = detail::kGemmSegment;  // a packed k-block is exactly one segment
constexpr std::int64_t kMC = 144;                   // rows of A per packed block: 144 KiB, L2
constexpr std::int64_t kNC = 4096;                  // columns of B per packed block: 4 MiB, L3
constexpr std::int64_t kPanelsPerUnit = 8;          // NR panels per unit when row blocks are few

// Each thread's packing buffers, kept for its later calls (OpenMP's threads persist): 150 KiB of A
// per thread, up to 4 MiB of B. Packing writes every entry the kernel reads, zeros included.
thread_local detail::ThreadScratch tl_packed_a, tl_packed_b;

}  // namespace

// The scalar micro-kernel: the same partials and update, element by element.
void detail::gemm_tile_portable(int kc, const float* pa, const float* pb, float* c, std::int64_t ldc,
                                const TileUpdate& u) {
  for (int r = 0; r < kGemmMR; ++r)
    for (int j = 0; j < kGemmNR; ++j) {
      float p = gemm_segment_start();
      for (int q = 0; q < kc; ++q) p = fused(pa[q * kGemmMR + r], pb[q * kGemmNR + j], p);
      float* out = c + r * ldc + j;
      const float v = u.first ? gemm_first(u.alpha, p, u.beta, u.beta == 0.0f ? 0.0f : *out)
                              : gemm_next(u.alpha, p, *out);
      *out = u.last ? canonicalize(v) : v;
    }
}

namespace {

// One packed panel: out[q * W + r] = w(x[q * k_step + r * w_step]) for q < kc and r < valid, 0 for
// r in [valid, W) (rows or columns past m or n, whose outputs are never stored). op(A) without
// transpose has k_step 1 and w_step lda; transposed, k_step lda and w_step 1; op(B) the other
// way round. The two unit-stride cases read memory in order.
template <int W, class T>
void pack_panel(const T* x, std::int64_t k_step, std::int64_t w_step, std::int64_t kc, std::int64_t valid,
                float* out) {
  if (valid == W && w_step == 1) {
    for (std::int64_t q = 0; q < kc; ++q)
      for (int r = 0; r < W; ++r) out[q * W + r] = detail::gemm_widen(x[q * k_step + r]);
  } else if (k_step == 1) {
    for (std::int64_t r = 0; r < valid; ++r)
      for (std::int64_t q = 0; q < kc; ++q) out[q * W + r] = detail::gemm_widen(x[r * w_step + q]);
    for (std::int64_t r = valid; r < W; ++r)
      for (std::int64_t q = 0; q < kc; ++q) out[q * W + r] = 0.0f;
  } else {
    for (std::int64_t q = 0; q < kc; ++q)
      for (int r = 0; r < W; ++r) out[q * W + r] = r < valid ? detail::gemm_widen(x[q * k_step + r * w_step]) : 0.0f;
  }
}

// Rows [i0, i0 + mc) and k [p0, p0 + kc) of op(A) as ceil(mc / MR) panels of kc x MR.
template <class T>
void pack_a(const T* a, std::int64_t lda, bool ta, std::int64_t m, std::int64_t i0, std::int64_t mc, std::int64_t p0,
            std::int64_t kc, float* out) {
  const std::int64_t k_step = ta ? lda : 1, w_step = ta ? 1 : lda;
  for (std::int64_t r0 = 0; r0 < mc; r0 += kGemmMR, out += kc * kGemmMR) {
    const std::int64_t i = i0 + r0;
    pack_panel<kGemmMR>(a + p0 * k_step + i * w_step, k_step, w_step, kc, std::min<std::int64_t>(kGemmMR, m - i), out);
  }
}

// k [p0, p0 + kc) and columns [j0, j0 + NR) of op(B) as one panel of kc x NR.
template <class T>
void pack_b_panel(const T* b, std::int64_t ldb, bool tb, std::int64_t n, std::int64_t j0, std::int64_t p0,
                  std::int64_t kc, float* out) {
  const std::int64_t k_step = tb ? 1 : ldb, w_step = tb ? ldb : 1;
  pack_panel<kGemmNR>(b + p0 * k_step + j0 * w_step, k_step, w_step, kc, std::min<std::int64_t>(kGemmNR, n - j0), out);
}

// C = alpha op(A) op(B) + beta C with C float; the whole order of ORDER.md.
template <class T>
void gemm_float(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const T* a,
                std::int64_t lda, const T* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc,
                CpuOptions opt) {
  if (m == 0 || n == 0) return;
  const std::int64_t segments = alpha == 0.0f ? 0 : detail::gemm_segments(k);
  if (segments == 0) {
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        float* out = c + i * ldc + j;
        detail::gemm_store(detail::gemm_without_products(beta, beta == 0.0f ? 0.0f : *out), out);
      }
    return;
  }
  const bool avx2 = opt.simd == CpuSimd::best && detail::cpu_has_avx2_fma();
  const auto tile = avx2 ? detail::gemm_tile_avx2 : detail::gemm_tile_portable;
  // Packing buffers as large as this product needs: B's is the calling thread's, A's each thread's own.
  const std::int64_t nc_max = std::min(kNC, (n + kGemmNR - 1) / kGemmNR * kGemmNR);
  const std::int64_t mc_max = std::min(kMC, (m + kGemmMR - 1) / kGemmMR * kGemmMR), kc_max = std::min(kKC, k);
  float* const packed_b = tl_packed_b.at_least(kc_max * nc_max);
  const std::int64_t m_blocks = (m + kMC - 1) / kMC;
  // Small products stay on one thread: a second one costs a few µs to start.
  const std::int64_t flops = 2 * m * n * std::min<std::int64_t>(k, 1 << 20);
  const int threads = flops < (std::int64_t{1} << 21) ? 1 : opt.threads;

#pragma omp parallel num_threads(threads)
  {
    float* const packed_a = tl_packed_a.at_least(mc_max * kc_max);
    alignas(32) float edge[kGemmMR * kGemmNR];
    for (std::int64_t j0 = 0; j0 < n; j0 += kNC) {
      const std::int64_t nc = std::min(kNC, n - j0), panels = (nc + kGemmNR - 1) / kGemmNR;
      // Column groups only when row blocks alone leave threads idle: each unit packs its own A.
      const std::int64_t per_group = m_blocks >= 2 * threads ? panels : std::min(panels, kPanelsPerUnit);
      const std::int64_t groups = (panels + per_group - 1) / per_group;
      for (std::int64_t s = 0; s < segments; ++s) {
        const std::int64_t p0 = s * kKC, kc = std::min(kKC, k - p0);
        const TileUpdate u{alpha, beta, s == 0, s == segments - 1};
#pragma omp for schedule(static)
        for (std::int64_t jp = 0; jp < panels; ++jp)
          pack_b_panel(b, ldb, tb, n, j0 + jp * kGemmNR, p0, kc, packed_b + jp * kc * kGemmNR);
        // Units: (row block, group of panels), rows outermost. The implicit barrier at the end
        // of each `omp for` orders the segments.
#pragma omp for schedule(static)
        for (std::int64_t unit = 0; unit < m_blocks * groups; ++unit) {
          const std::int64_t ib = unit / groups, g = unit % groups;
          const std::int64_t i0 = ib * kMC, mc = std::min(kMC, m - i0);
          pack_a(a, lda, ta, m, i0, mc, p0, kc, packed_a);
          const std::int64_t jp_end = std::min(panels, (g + 1) * per_group);
          for (std::int64_t jp = g * per_group; jp < jp_end; ++jp) {
            const std::int64_t j = j0 + jp * kGemmNR, nr = std::min<std::int64_t>(kGemmNR, n - j);
            for (std::int64_t r0 = 0; r0 < mc; r0 += kGemmMR) {
              const std::int64_t i = i0 + r0, mr = std::min<std::int64_t>(kGemmMR, m - i);
              const float* pa = packed_a + r0 * kc;
              const float* pb = packed_b + jp * kc * kGemmNR;
              float* out = c + i * ldc + j;
              if (mr == kGemmMR && nr == kGemmNR) {
                tile(static_cast<int>(kc), pa, pb, out, ldc, u);
              } else {  // through a full tile: in bounds for the kernel, copied back where valid
                if (!u.first || beta != 0.0f)  // else C is not read
                  for (std::int64_t r = 0; r < mr; ++r) std::copy(out + r * ldc, out + r * ldc + nr, edge + r * kGemmNR);
                tile(static_cast<int>(kc), pa, pb, edge, kGemmNR, u);
                for (std::int64_t r = 0; r < mr; ++r) std::copy(edge + r * kGemmNR, edge + r * kGemmNR + nr, out + r * ldc);
              }
            }
          }
        }
      }
    }
  }
}

template <GemmInput T, GemmOutput C>
void gemm_checked(Transpose trans_a, Transpose trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
                  const T* a, std::int64_t lda, const T* b, std::int64_t ldb, float beta, C* c, std::int64_t ldc,
                  CpuOptions opt) {
  const bool ta = trans_a == Transpose::yes, tb = trans_b == Transpose::yes;
  if constexpr (std::is_same_v<C, float>) {
    gemm_float(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, opt);
  } else {  // R in a float copy of C, rounded once at the end
    std::vector<float> r(static_cast<std::size_t>(m * n));
    if (beta != 0.0f)
      for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t j = 0; j < n; ++j) r[i * n + j] = detail::gemm_load(c + i * ldc + j);
    gemm_float(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, r.data(), std::max<std::int64_t>(n, 1), opt);
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) detail::gemm_store(r[i * n + j], c + i * ldc + j);
  }
}

}  // namespace

template <GemmInput T, GemmOutput C>
void gemm(Transpose trans_a, Transpose trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, float beta, C* c, std::int64_t ldc, CpuOptions options) {
  options = detail::resolve_cpu_options("gemm", options);
  detail::check_gemm("gemm", {trans_a, trans_b, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0, 1}, sizeof(T),
                     sizeof(C), detail::kHostReader);
  gemm_checked(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, options);
}

template <GemmInput T, GemmOutput C>
void gemm_strided_batched(Transpose trans_a, Transpose trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
                          float alpha, const T* a, std::int64_t lda, std::int64_t stride_a, const T* b,
                          std::int64_t ldb, std::int64_t stride_b, float beta, C* c, std::int64_t ldc,
                          std::int64_t stride_c, std::int64_t batch, CpuOptions options) {
  options = detail::resolve_cpu_options("gemm_strided_batched", options);
  detail::check_gemm("gemm_strided_batched",
                     {trans_a, trans_b, m, n, k, alpha, a, lda, stride_a, b, ldb, stride_b, beta, c, ldc, stride_c, batch},
                     sizeof(T), sizeof(C), detail::kHostReader);
  if (m == 0 || n == 0) return;
  // A and B are read only when there are products: otherwise their strides were not bounded by
  // the checks, and the pointers are passed on unmoved (never read).
  const bool reads_ab = k > 0 && alpha != 0.0f;
  for (std::int64_t q = 0; q < batch; ++q)
    gemm_checked(trans_a, trans_b, m, n, k, alpha, reads_ab ? a + q * stride_a : a, lda,
                 reads_ab ? b + q * stride_b : b, ldb, beta, c + q * stride_c, ldc, options);
}

#define DETNUM_GEMM(T, C)                                                                                          \
  template void gemm<T, C>(Transpose, Transpose, std::int64_t, std::int64_t, std::int64_t, float, const T*,       \
                           std::int64_t, const T*, std::int64_t, float, C*, std::int64_t, CpuOptions);            \
  template void gemm_strided_batched<T, C>(Transpose, Transpose, std::int64_t, std::int64_t, std::int64_t, float, \
                                           const T*, std::int64_t, std::int64_t, const T*, std::int64_t,          \
                                           std::int64_t, float, C*, std::int64_t, std::int64_t, std::int64_t,     \
                                           CpuOptions);
DETNUM_GEMM(float, float)
DETNUM_GEMM(float, bf16)
DETNUM_GEMM(bf16, float)
DETNUM_GEMM(bf16, bf16)
DETNUM_GEMM(fp16, float)
DETNUM_GEMM(fp16, bf16)
#undef DETNUM_GEMM

}  // namespace detnum
