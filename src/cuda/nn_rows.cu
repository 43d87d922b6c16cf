// Row ops on CUDA: the same bits as src/cpu/nn_rows_ref.cpp (ORDER.md, "Row ops") for every
// launch shape and GPU.
//
// One warp per row, the warps taking rows grid-stride. A warp makes several passes over its row
// (the maximum, one per sum, the outputs), reading the row again each time from L1/L2 rather
// than holding it: any length works, and a row of 1024 floats is 4 KiB.
//
// Sums over a row. Thread t holds lanes 4t .. 4t + 3 of each step of 128 elements, the layout
// of chunk_warp.cuh for floats, so that warp::fold_warp folds them as ORDER.md step 4 says; a
// step's four elements of a thread are consecutive and come as one 16-byte load when aligned.
// The terms (exp(x - m), (x - mean)^2, dy * gamma, ...) are made from the loaded inputs with the
// functions of detail/nn_rows_order.hpp and added into the lanes at once, never stored; the
// output pass computes them again, the same bits from the same floats. A row longer than one
// chunk leaves one partial per chunk, in order; ORDER.md step 5 reduces them as a vector, so
// partial c goes into lane c mod 128 of a second level of lanes the warp keeps in registers,
// folded after every 8192 partials into a third level: rows up to 8192^3 = 2^39 elements (2 TiB),
// with no workspace and no further launch.
//
// The row maximum is exact: per thread, then a butterfly of shuffles; every thread ends with it.
// Sums over rows (dgamma, dbeta) are cuda::column_sums of the terms, which the backward passes
// first write into dx (which they overwrite after); cross_entropy's mean is cuda::mean of the
// per-row losses, kept in workspace (with an ignored label: their cuda::sum, divided by the rows
// kept, which a kernel counts first with integer atomics). No floating-point atomics; every
// output is written once by one thread.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "common/nn_rows_checks.hpp"
#include "common/validate.hpp"
#include "cuda/check.hpp"
#include "cuda/chunk_warp.cuh"
#include "cuda/embedding_ids.cuh"
#include "cuda/launch.hpp"
#include "cuda/stream_workspace.hpp"
#include "detnum/cuda/norm.hpp"
#include "detnum/cuda/softmax.hpp"
#include "detnum/detail/nn_rows_order.hpp"

namespace detnum::cuda {
namespace {

using warp::kFullMask;
using warp::kWarp;
using detail::kReduceChunk;
using detail::kReduceLanes;

constexpr int kQuad = warp::kLanesPerThread;
static_assert(warp::Packed<float>::W == kQuad, "thread t's lanes of a step are the elements 4t .. 4t + 3");

// The longest row: three levels of lanes (see above).
constexpr std::int64_t kMaxCols = detail::kCudaMaxRowCols;

// --- One warp, one row ------------------------------------------------------------------------

struct Quad {
  float v[kQuad];
};

template <class F>
__device__ __forceinline__ Quad quad_of(const F& f) {
  Quad q;
#pragma unroll
  for (int k = 0; k < kQuad; ++k) q.v[k] = f(k);
  return q;
}

// p[i0 .. i0 + 3], zeros past n.
__device__ __forceinline__ Quad load_quad(const float* __restrict__ p, std::int64_t i0, std::int64_t n) {
  if (i0 + kQuad <= n && reinterpret_cast<std::uintptr_t>(p + i0) % sizeof(float4) == 0) {
    const float4 f = *reinterpret_cast<const float4*>(p + i0);
    return {{f.x, f.y, f.z, f.w}};
  }
  return quad_of([&](int k) { return i0 + k < n ? p[i0 + k] : 0.0f; });
}

// p[i0 .. min(i0 + 3, n - 1)] = q.
__device__ __forceinline__ void store_quad(float* __restrict__ p, std::int64_t i0, std::int64_t n, const Quad& q) {
  if (i0 + kQuad <= n && reinterpret_cast<std::uintptr_t>(p + i0) % sizeof(float4) == 0) {
    *reinterpret_cast<float4*>(p + i0) = make_float4(q.v[0], q.v[1], q.v[2], q.v[3]);
    return;
  }
#pragma unroll
  for (int k = 0; k < kQuad; ++k)
    if (i0 + k < n) p[i0 + k] = q.v[k];
}

__device__ __forceinline__ void reset_lanes(float (&a)[kQuad]) {
#pragma unroll
  for (int k = 0; k < kQuad; ++k) a[k] = detail::lane_identity<float>();
}

// Lane l of the warp's 128 (thread l / 4, slot l % 4) takes one more step: a[l] + p.
__device__ __forceinline__ void add_to_lane(float (&a)[kQuad], std::int64_t l, float p, int t) {
#pragma unroll
  for (int k = 0; k < kQuad; ++k)
    if (kQuad * t + k == l) a[k] = a[k] + p;
}

// ORDER.md step 4, the result in every thread.
__device__ __forceinline__ float fold_to_all(float (&a)[kQuad]) {
  return __shfl_sync(kFullMask, warp::fold_warp<float>(a), 0);
}

// R(n, a + t_j) of ORDER.md, in every thread of the warp; terms(i0) gives t_j for j = i0 .. i0 + 3
// (what it gives past n is not used). n <= kMaxCols.
template <class Terms>
__device__ float warp_row_sum(std::int64_t n, int t, const Terms& terms) {
  if (n == 0) return 0.0f;  // step 1: +0
  const std::int64_t chunks = detail::reduce_chunks(n);
  float level2[kQuad], level3[kQuad];
  reset_lanes(level2);
  reset_lanes(level3);
  for (std::int64_t c = 0; c < chunks; ++c) {
    float a[kQuad];  // steps 3 and 4 on chunk c
    reset_lanes(a);
    const std::int64_t end = n < (c + 1) * kReduceChunk ? n : (c + 1) * kReduceChunk;
    for (std::int64_t i0 = c * kReduceChunk + kQuad * t; i0 < end; i0 += kReduceLanes) {
      const Quad q = terms(i0);
#pragma unroll
      for (int k = 0; k < kQuad; ++k)
        if (i0 + k < n) a[k] = a[k] + q.v[k];
    }
    const float p = fold_to_all(a);
    if (chunks == 1) return p;
    // Step 5: the partials are a vector of `chunks` terms, reduced the same way.
    add_to_lane(level2, c % kReduceLanes, p, t);
    if ((c + 1) % kReduceChunk == 0 || c + 1 == chunks) {
      const float p2 = fold_to_all(level2);
      if (detail::reduce_chunks(chunks) == 1) return p2;
      add_to_lane(level3, c / kReduceChunk % kReduceLanes, p2, t);
      reset_lanes(level2);
    }
  }
  return fold_to_all(level3);
}

// The row maximum (detail::row_max_step), in every thread of the warp.
__device__ float warp_row_max(const float* __restrict__ x, std::int64_t n, int t) {
  float m = detail::row_max_start();
  for (std::int64_t i0 = kQuad * t; i0 < n; i0 += kReduceLanes) {
    const Quad q = load_quad(x, i0, n);
#pragma unroll
    for (int k = 0; k < kQuad; ++k)
      if (i0 + k < n) m = detail::row_max_step(m, q.v[k]);
  }
#pragma unroll
  for (int lane_mask = kWarp / 2; lane_mask >= 1; lane_mask /= 2)
    m = detail::row_max_step(m, __shfl_xor_sync(kFullMask, m, lane_mask));
  return m;
}

// y[j] = values(i0).v[j - i0] for every element of the row.
template <class Values>
__device__ void warp_row_write(float* __restrict__ y, std::int64_t n, int t, const Values& values) {
  for (std::int64_t i0 = kQuad * t; i0 < n; i0 += kReduceLanes) store_quad(y, i0, n, values(i0));
}

// The same, where values also takes the quad this thread stored at y[i0] in an earlier pass: it
// is read back through y itself (a second pointer to it would break y's __restrict__).
template <class Values>
__device__ void warp_row_rewrite(float* __restrict__ y, std::int64_t n, int t, const Values& values) {
  for (std::int64_t i0 = kQuad * t; i0 < n; i0 += kReduceLanes) store_quad(y, i0, n, values(i0, load_quad(y, i0, n)));
}

// y[j] = +0 for j in [k, cols): a causal row's masked columns, written apart from the kept ones.
__device__ void warp_row_mask(float* __restrict__ y, std::int64_t k, std::int64_t cols, int t) {
  for (std::int64_t j = k + t; j < cols; j += kWarp) y[j] = detail::masked_value();
}

// --- The ops, one row each --------------------------------------------------------------------

// softmax or log_softmax of the row's first prefix.kept(r) columns (all of them but for a causal
// softmax), +0 in the others.
struct SoftmaxRow {
  const float* x;
  float* y;
  std::int64_t cols;
  bool log;
  detail::RowPrefix prefix;
  __device__ void operator()(std::int64_t r, int t) const {
    const std::int64_t n = prefix.kept(r, cols);
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    const float m = warp_row_max(xr, n, t);
    // softmax keeps e_j in y for the last pass (each thread rereads the quads it wrote), so that
    // math::exp runs once per element instead of twice; log_softmax needs only x - m there.
    const float s = warp_row_sum(n, t, [&](std::int64_t i0) {
      const Quad q = load_quad(xr, i0, n);
      const Quad e = quad_of([&](int k) { return detail::softmax_exp(q.v[k], m); });
      if (!log) store_quad(yr, i0, n, e);
      return e;
    });
    if (log) {
      const float log_s = math::log(s);
      warp_row_write(yr, n, t, [&](std::int64_t i0) {
        const Quad q = load_quad(xr, i0, n);
        return quad_of([&](int k) { return canonicalize(detail::log_softmax_value(q.v[k], m, log_s)); });
      });
    } else {
      warp_row_rewrite(yr, n, t, [&](std::int64_t, const Quad& e) {
        return quad_of([&](int k) { return canonicalize(detail::softmax_value(e.v[k], s)); });
      });
    }
    warp_row_mask(yr, n, cols, t);
  }
};

struct SoftmaxBackwardRow {
  const float *y, *dy;
  float* dx;
  std::int64_t cols;
  bool log;
  detail::RowPrefix prefix;
  __device__ void operator()(std::int64_t r, int t) const {
    const std::int64_t n = prefix.kept(r, cols);
    const float *yr = y + r * cols, *dyr = dy + r * cols;
    const float c = warp_row_sum(n, t, [&](std::int64_t i0) {
      const Quad b = load_quad(dyr, i0, n);
      if (log) return b;  // log_softmax's sum is of dy alone: y is not read
      const Quad a = load_quad(yr, i0, n);
      return quad_of([&](int k) { return detail::softmax_backward_term(a.v[k], b.v[k]); });
    });
    warp_row_write(dx + r * cols, n, t, [&](std::int64_t i0) {
      const Quad a = load_quad(yr, i0, n), b = load_quad(dyr, i0, n);
      return quad_of([&](int k) {
        return canonicalize(log ? detail::log_softmax_backward_value(a.v[k], b.v[k], c)
                                : detail::softmax_backward_value(a.v[k], b.v[k], c));
      });
    });
    warp_row_mask(dx + r * cols, n, cols, t);
  }
};

// A label outside [0, cols), and not the ignored one, cannot be reported without synchronizing:
// that row's loss term and gradient are NaN instead. With a check (bad not null: its labels' word,
// final before this kernel starts) a call with a bad label writes nothing. With an ignored label
// and a mean, `kept` (final before this kernel starts too) holds the number of rows it does not
// name, which the gradient divides by; otherwise it is null, and the divisor is rule.divisor(rows).
struct CrossEntropyRow {
  const float* logits;
  const std::int32_t* labels;
  std::int64_t cols, rows;
  detail::CrossEntropyRule rule;
  const unsigned long long* kept;  // null: every row counts
  float* terms;                    // the rows' loss terms: loss itself for per-row losses
  float* dlogits;                  // may be null
  const unsigned long long* bad;   // null without a check
  __device__ void operator()(std::int64_t r, int t) const {
    if (bad != nullptr && *bad != 0) {  // a term still written to workspace, so that the mean reads no uninitialized memory
      if (t == 0 && !rule.per_row()) terms[r] = canonical_nan_f32();
      return;
    }
    const float* xr = logits + r * cols;
    const std::int32_t label = labels[r];
    float* const dr = dlogits == nullptr ? nullptr : dlogits + r * cols;
    if (detail::cross_entropy_ignored(label, rule.ignore)) {
      if (t == 0) terms[r] = detail::cross_entropy_ignored_value();
      if (dr != nullptr)
        warp_row_write(dr, cols, t, [](std::int64_t) {
          return quad_of([](int) { return detail::cross_entropy_ignored_value(); });
        });
      return;
    }
    const bool valid = detail::label_in_range(label, cols);
    const float divisor = rule.divisor(kept != nullptr ? static_cast<std::int64_t>(*kept) : rows);
    const float m = warp_row_max(xr, cols, t);
    // e_j kept in dlogits for its pass (as softmax keeps it in y): math::exp once per element.
    const float s = warp_row_sum(cols, t, [&](std::int64_t i0) {
      const Quad q = load_quad(xr, i0, cols);
      const Quad e = quad_of([&](int k) { return detail::softmax_exp(q.v[k], m); });
      if (dr != nullptr) store_quad(dr, i0, cols, e);
      return e;
    });
    const float log_s = math::log(s);
    // With label smoothing, u: a pass more for the row sum of the log-probabilities.
    const float u = !rule.smoothing() ? 0.0f : warp_row_sum(cols, t, [&](std::int64_t i0) {
      const Quad q = load_quad(xr, i0, cols);
      return quad_of([&](int k) { return detail::log_softmax_value(q.v[k], m, log_s); });
    });
    if (t == 0) {
      const float nll = valid ? detail::cross_entropy_nll(xr[label], m, log_s) : canonical_nan_f32();
      terms[r] = canonicalize(rule.smoothing() ? detail::cross_entropy_smoothed(nll, u, rule.a, rule.b) : nll);
    }
    if (dr == nullptr) return;
    warp_row_rewrite(dr, cols, t, [&](std::int64_t i0, const Quad& e) {
      return quad_of([&](int k) {
        const float q = detail::cross_entropy_target(i0 + k == label, rule.a, rule.b);
        return valid ? canonicalize(detail::cross_entropy_grad(e.v[k], s, q, divisor)) : canonical_nan_f32();
      });
    });
  }
};

// Layer norm, or RMS norm (then beta and mean are unused). `layer` is explicit: with no columns, beta may
// well be null for a layer norm, whose empty rows still get a NaN mean.
struct NormRow {
  bool layer;
  const float *x, *gamma, *beta;
  float *y, *mean, *rstd;
  std::int64_t cols;
  float eps;
  __device__ void operator()(std::int64_t r, int t) const {
    const float* xr = x + r * cols;
    const float mu = layer ? detail::row_mean(warp_row_sum(cols, t, [&](std::int64_t i0) {
                               return load_quad(xr, i0, cols);
                             }), cols)
                           : 0.0f;
    const float var = detail::row_mean(warp_row_sum(cols, t, [&](std::int64_t i0) {
                                         const Quad q = load_quad(xr, i0, cols);
                                         return quad_of([&](int k) {
                                           return layer ? detail::layer_norm_sq_dev(q.v[k], mu)
                                                        : detail::rms_norm_sq(q.v[k]);
                                         });
                                       }), cols);
    const float rs = detail::norm_rstd(var, eps);
    warp_row_write(y + r * cols, cols, t, [&](std::int64_t i0) {
      const Quad q = load_quad(xr, i0, cols), g = load_quad(gamma, i0, cols);
      const Quad b = layer ? load_quad(beta, i0, cols) : Quad{};
      return quad_of([&](int k) {
        return canonicalize(layer ? detail::layer_norm_value(q.v[k], mu, rs, g.v[k], b.v[k])
                                  : detail::rms_norm_value(q.v[k], rs, g.v[k]));
      });
    });
    if (t == 0) {
      if (layer) mean[r] = canonicalize(mu);
      rstd[r] = canonicalize(rs);
    }
  }
};

// A row's mean (0 for RMS norm) and rstd, read once per row: the compiler cannot know that the
// stores into dx leave them alone, and would read them again at every step.
struct RowStats {
  float mean, rstd;
};

// The inputs of a norm's backward pass (mean null: RMS norm), and xhat of four elements.
struct NormBackwardArgs {
  const float *x, *gamma, *mean, *rstd, *dy;
  float* dx;
  std::int64_t cols;
  __device__ RowStats stats(std::int64_t r) const { return {mean ? mean[r] : 0.0f, rstd[r]}; }
  __device__ Quad xhat(std::int64_t r, std::int64_t i0, RowStats s) const {
    const Quad q = load_quad(x + r * cols, i0, cols);
    return quad_of([&](int k) {
      return mean ? detail::layer_norm_xhat(q.v[k], s.mean, s.rstd) : detail::rms_norm_xhat(q.v[k], s.rstd);
    });
  }
};

// dx = dy * xhat: the terms whose column sums are dgamma.
struct DgammaTermsRow {
  NormBackwardArgs a;
  __device__ void operator()(std::int64_t r, int t) const {
    const float* dyr = a.dy + r * a.cols;
    const RowStats st = a.stats(r);
    warp_row_write(a.dx + r * a.cols, a.cols, t, [&](std::int64_t i0) {
      const Quad d = load_quad(dyr, i0, a.cols), h = a.xhat(r, i0, st);
      return quad_of([&](int k) { return detail::norm_backward_dgamma_term(d.v[k], h.v[k]); });
    });
  }
};

struct NormBackwardRow {
  NormBackwardArgs a;
  __device__ void operator()(std::int64_t r, int t) const {
    const std::int64_t cols = a.cols;
    const float* dyr = a.dy + r * cols;
    const RowStats st = a.stats(r);
    const auto g_of = [&](std::int64_t i0) {
      const Quad d = load_quad(dyr, i0, cols), w = load_quad(a.gamma, i0, cols);
      return quad_of([&](int k) { return detail::norm_backward_g(d.v[k], w.v[k]); });
    };
    const float mean_g = a.mean ? detail::row_mean(warp_row_sum(cols, t, g_of), cols) : 0.0f;
    const float mean_gx = detail::row_mean(warp_row_sum(cols, t, [&](std::int64_t i0) {
                                             const Quad g = g_of(i0), h = a.xhat(r, i0, st);
                                             return quad_of([&](int k) { return detail::norm_backward_gx(g.v[k], h.v[k]); });
                                           }), cols);
    warp_row_write(a.dx + r * cols, cols, t, [&](std::int64_t i0) {
      const Quad g = g_of(i0), h = a.xhat(r, i0, st);
      return quad_of([&](int k) {
        return canonicalize(a.mean ? detail::layer_norm_backward_value(g.v[k], h.v[k], mean_g, mean_gx, st.rstd)
                                   : detail::rms_norm_backward_value(g.v[k], h.v[k], mean_gx, st.rstd));
      });
    });
  }
};

template <class Row>
__global__ void rows_kernel(Row row, std::int64_t rows) {
  const int t = static_cast<int>(threadIdx.x) % kWarp;
  const std::int64_t warps = blockDim.x / kWarp;
  for (std::int64_t r = blockIdx.x * warps + threadIdx.x / kWarp; r < rows; r += gridDim.x * warps) row(r, t);
}

// --- Host side ------------------------------------------------------------------------------------

void check_call(const char* fn, std::int64_t cols, LaunchConfig launch) {
  detail::check_launch(fn, launch);
  if (cols > kMaxCols)
    detail::fail(ErrorCode::size_out_of_range, fn,
                 "cols must be at most 2^39 (the levels of ORDER.md's order a warp keeps), got " + std::to_string(cols));
}

template <class Row>
void launch_rows(const char* fn, const Row& row, std::int64_t rows, cudaStream_t stream, LaunchConfig launch) {
  if (rows == 0) return;
  const auto kernel = rows_kernel<Row>;
  const std::int64_t warps = launch.block_threads / kWarp;
  const std::int64_t resident =
      launch.grid_blocks > 0 ? launch.grid_blocks
                             : detail::resident_blocks(fn, reinterpret_cast<const void*>(kernel), launch.block_threads);
  const int grid = static_cast<int>(
      launch.grid_blocks > 0 ? resident : std::max<std::int64_t>(1, std::min(resident, (rows + warps - 1) / warps)));
  kernel<<<grid, launch.block_threads, 0, stream>>>(row, rows);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

std::size_t aligned_bytes(std::int64_t floats) {
  return workspace_round(static_cast<std::size_t>(floats) * sizeof(float));
}

// dgamma (and dbeta when not null) summed over the rows; dx is left holding dy * xhat.
void backward_column_sums(const char* fn, const NormBackwardArgs& a, float* dgamma, float* dbeta, std::int64_t rows,
                          cudaStream_t stream, Workspace ws, LaunchConfig launch, const char* ws_name) {
  const MatrixLayout m = MatrixLayout::dense(rows, a.cols);
  const std::size_t need = column_sums_workspace_bytes(m);
  const std::int64_t matrix = rows * a.cols * std::int64_t{sizeof(float)}, row = rows * std::int64_t{sizeof(float)},
                     column = a.cols * std::int64_t{sizeof(float)};
  StreamWorkspace levels(fn, ws, need, ws_name, stream,
                         {{"x", a.x, matrix}, {"gamma", a.gamma, column}, {"mean", a.mean, a.mean ? row : 0},
                          {"rstd", a.rstd, row}, {"dy", a.dy, matrix}, {"dx", a.dx, matrix},
                          {"dgamma", dgamma, column}, {"dbeta", dbeta, dbeta ? column : 0}});
  const Workspace mine{levels.get(), need};
  launch_rows(fn, DgammaTermsRow{a}, rows, stream, launch);
  column_sums(static_cast<const float*>(a.dx), m, dgamma, stream, mine, launch);
  if (dbeta) column_sums(a.dy, m, dbeta, stream, mine, launch);
}

}  // namespace

void softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, cudaStream_t stream, LaunchConfig launch) {
  constexpr const char* fn = "cuda::softmax";
  const std::int64_t n = detail::check_softmax_call(fn, x, y, rows, cols, detail::device_reader(stream));
  check_call(fn, cols, launch);
  if (n > 0) launch_rows(fn, SoftmaxRow{x, y, cols, false, {}}, rows, stream, launch);
}

void causal_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, const CausalMask& mask,
                    cudaStream_t stream, LaunchConfig launch) {
  constexpr const char* fn = "cuda::causal_softmax";
  const detail::RowPrefix prefix = detail::causal_prefix(fn, mask);
  const std::int64_t n = detail::check_softmax_call(fn, x, y, rows, cols, detail::device_reader(stream));
  check_call(fn, cols, launch);
  if (n > 0) launch_rows(fn, SoftmaxRow{x, y, cols, false, prefix}, rows, stream, launch);
}

void log_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, cudaStream_t stream,
                 LaunchConfig launch) {
  constexpr const char* fn = "cuda::log_softmax";
  const std::int64_t n = detail::check_softmax_call(fn, x, y, rows, cols, detail::device_reader(stream));
  check_call(fn, cols, launch);
  if (n > 0) launch_rows(fn, SoftmaxRow{x, y, cols, true, {}}, rows, stream, launch);
}

void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                      cudaStream_t stream, LaunchConfig launch) {
  constexpr const char* fn = "cuda::softmax_backward";
  const std::int64_t n = detail::check_softmax_backward_call(fn, y, dy, dx, rows, cols, detail::device_reader(stream));
  check_call(fn, cols, launch);
  if (n > 0) launch_rows(fn, SoftmaxBackwardRow{y, dy, dx, cols, false, {}}, rows, stream, launch);
}

void causal_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                             const CausalMask& mask, cudaStream_t stream, LaunchConfig launch) {
  constexpr const char* fn = "cuda::causal_softmax_backward";
  const detail::RowPrefix prefix = detail::causal_prefix(fn, mask);
  const std::int64_t n = detail::check_softmax_backward_call(fn, y, dy, dx, rows, cols, detail::device_reader(stream));
  check_call(fn, cols, launch);
  if (n > 0) launch_rows(fn, SoftmaxBackwardRow{y, dy, dx, cols, false, prefix}, rows, stream, launch);
}

void log_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                          cudaStream_t stream, LaunchConfig launch) {
  constexpr const char* fn = "cuda::log_softmax_backward";
  const std::int64_t n = detail::check_softmax_backward_call(fn, y, dy, dx, rows, cols, detail::device_reader(stream));
  check_call(fn, cols, launch);
  if (n > 0) launch_rows(fn, SoftmaxBackwardRow{y, dy, dx, cols, true, {}}, rows, stream, launch);
}

// The workspace: the rows' loss terms, then one block of kWorkspaceAlign bytes (the labels' word,
// the loss before its last step, the count of rows kept), then the workspace of the mean (with
// an ignored label, of the sum).
std::size_t cross_entropy_workspace_bytes(std::int64_t rows, std::int64_t cols) {
  detail::check_row_shape("cuda::cross_entropy_workspace_bytes", rows, cols);
  return aligned_bytes(rows) + kWorkspaceAlign + reduce_workspace_bytes(rows);
}

namespace {

// With an ignored label, before the rows: the rows it does not name counted into *kept (zeroed
// before; one integer atomicAdd a warp, whose order cannot change an integer sum), and with a
// check (bad not null) their labels noted as check_ids notes ids.
__global__ void kept_labels_kernel(const std::int32_t* __restrict__ labels, std::int64_t rows, std::int64_t cols,
                                   std::int64_t ignore, unsigned long long* kept, unsigned long long* bad) {
  unsigned long long mine = 0;
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t r = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; r < rows; r += stride) {
    if (detail::cross_entropy_ignored(labels[r], ignore)) continue;
    ++mine;
    if (bad != nullptr) note_if_bad(labels[r], r, rows, cols, bad);
  }
#pragma unroll
  for (int lane_mask = kWarp / 2; lane_mask >= 1; lane_mask /= 2) mine += __shfl_xor_sync(kFullMask, mine, lane_mask);
  if (threadIdx.x % kWarp == 0 && mine != 0) atomicAdd(kept, mine);
}

// The last step when the loss is not cuda::mean's or cuda::sum's own output: with a check, nothing
// if a label was bad (the first bad row goes into the check's record instead); then the loss from
// its slot of the workspace, or with an ignored label's mean (kept not null) the sum there
// divided by the rows kept; nothing more for per-row losses (total null), which the rows' kernel
// wrote.
__global__ void loss_kernel(const unsigned long long* bad, const std::int32_t* labels, std::int64_t rows,
                            std::int64_t cols, std::int64_t ignore, detail::IdCheckRecord* record, const float* total,
                            const unsigned long long* kept, float* loss) {
  if (record != nullptr &&
      detail::stop_for_bad_id(bad, labels, rows, cols, detail::kCallCrossEntropy, record, ignore))
    return;
  if (total == nullptr) return;
  *loss = kept == nullptr ? *total : canonicalize(detail::row_mean(*total, static_cast<std::int64_t>(*kept)));
}

void cross_entropy_call(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                        const CrossEntropyOptions& options, float* loss, float* dlogits,
                        detail::IdCheckRecord* record, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  constexpr const char* fn = "cuda::cross_entropy";
  const detail::CrossEntropyRule rule = detail::cross_entropy_rule(fn, options, cols);
  detail::check_cross_entropy_call(fn, logits, labels, rows, cols, rule, loss, dlogits, detail::device_reader(stream));
  check_call(fn, cols, launch);
  const std::size_t need = cross_entropy_workspace_bytes(rows, cols), terms_bytes = aligned_bytes(rows);
  StreamWorkspace w(fn, ws, need, "cuda::cross_entropy_workspace_bytes(rows, cols)", stream,
                    {{"logits", logits, rows * cols * std::int64_t{sizeof(float)}},
                     {"labels", labels, rows * std::int64_t{sizeof(std::int32_t)}},
                     {"loss", loss, rule.loss_count(rows) * std::int64_t{sizeof(float)}},
                     {"dlogits", dlogits, dlogits ? rows * cols * std::int64_t{sizeof(float)} : 0}});
  auto* const base = static_cast<unsigned char*>(w.get());
  struct Words {  // the block after the terms
    unsigned long long bad;
    float total;
    unsigned long long kept;
  };
  static_assert(sizeof(Words) <= kWorkspaceAlign);
  auto* const words = reinterpret_cast<Words*>(base + terms_bytes);
  const bool ignoring = rule.ignore != detail::kNoIgnoredLabel;
  const bool mean_of_kept = ignoring && rule.reduction == LossReduction::mean;  // divides by a count
  if (mean_of_kept || (ignoring && record != nullptr)) {  // the count, and the check that skips the ignored label
    DETNUM_CUDA_CHECK(fn, cudaMemsetAsync(words, 0, sizeof(Words), stream));
    const int grid = grid_of(fn, reinterpret_cast<const void*>(kept_labels_kernel), 256, (rows + 255) / 256, {});
    kept_labels_kernel<<<grid, 256, 0, stream>>>(labels, rows, cols, rule.ignore, &words->kept,
                                                 record != nullptr ? &words->bad : nullptr);
    DETNUM_CUDA_CHECK(fn, cudaGetLastError());
  } else if (record != nullptr) {
    detail::check_ids(fn, labels, rows, cols, &words->bad, stream);
  }
  float* const terms = rule.per_row() ? loss : reinterpret_cast<float*>(base);
  launch_rows(fn,
              CrossEntropyRow{logits, labels, cols, rows, rule, mean_of_kept ? &words->kept : nullptr, terms, dlogits,
                              record != nullptr ? &words->bad : nullptr},
              rows, stream, launch);
  // The loss: detnum's mean of the rows' terms (a NaN one makes it NaN; rows = 0 gives NaN), or
  // their sum (for an ignored label's mean, which loss_kernel divides by the rows kept).
  const Workspace reduce_ws{base + terms_bytes + kWorkspaceAlign, need - terms_bytes - kWorkspaceAlign};
  float* const total = record != nullptr || mean_of_kept ? &words->total : loss;
  if (rule.reduction == LossReduction::mean && !mean_of_kept) mean(terms, rows, total, stream, reduce_ws, launch);
  else if (!rule.per_row()) sum(terms, rows, total, stream, reduce_ws, launch);
  if (total == loss && record == nullptr) return;
  loss_kernel<<<1, 1, 0, stream>>>(&words->bad, labels, rows, cols, rule.ignore, record,
                                   rule.per_row() ? nullptr : &words->total, mean_of_kept ? &words->kept : nullptr,
                                   loss);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

}  // namespace

void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols, float* loss,
                   float* dlogits, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  cross_entropy_call(logits, labels, rows, cols, {}, loss, dlogits, nullptr, stream, ws, launch);
}

void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols, float* loss,
                   float* dlogits, IdCheck& check, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  cross_entropy_call(logits, labels, rows, cols, {}, loss, dlogits,
                     detail::IdCheckAccess::record(check, "cuda::cross_entropy"), stream, ws, launch);
  detail::IdCheckAccess::queued_on(check, stream);
}

void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                   const CrossEntropyOptions& options, float* loss, float* dlogits, cudaStream_t stream, Workspace ws,
                   LaunchConfig launch) {
  cross_entropy_call(logits, labels, rows, cols, options, loss, dlogits, nullptr, stream, ws, launch);
}

void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                   const CrossEntropyOptions& options, float* loss, float* dlogits, IdCheck& check,
                   cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  cross_entropy_call(logits, labels, rows, cols, options, loss, dlogits,
                     detail::IdCheckAccess::record(check, "cuda::cross_entropy"), stream, ws, launch);
  detail::IdCheckAccess::queued_on(check, stream);
}

void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps, cudaStream_t stream, LaunchConfig launch) {
  constexpr const char* fn = "cuda::layer_norm";
  detail::check_layer_norm_call(fn, x, gamma, beta, y, mean, rstd, rows, cols, eps, detail::device_reader(stream));
  check_call(fn, cols, launch);
  launch_rows(fn, NormRow{true, x, gamma, beta, y, mean, rstd, cols, eps}, rows, stream, launch);
}

void rms_norm(const float* x, const float* gamma, float* y, float* rstd, std::int64_t rows, std::int64_t cols, float eps,
              cudaStream_t stream, LaunchConfig launch) {
  constexpr const char* fn = "cuda::rms_norm";
  detail::check_rms_norm_call(fn, x, gamma, y, rstd, rows, cols, eps, detail::device_reader(stream));
  check_call(fn, cols, launch);
  launch_rows(fn, NormRow{false, x, gamma, nullptr, y, nullptr, rstd, cols, eps}, rows, stream, launch);
}

std::size_t layer_norm_backward_workspace_bytes(std::int64_t rows, std::int64_t cols) {
  detail::check_row_shape("cuda::layer_norm_backward_workspace_bytes", rows, cols);
  return column_sums_workspace_bytes(MatrixLayout::dense(rows, cols));
}

std::size_t rms_norm_backward_workspace_bytes(std::int64_t rows, std::int64_t cols) {
  detail::check_row_shape("cuda::rms_norm_backward_workspace_bytes", rows, cols);
  return column_sums_workspace_bytes(MatrixLayout::dense(rows, cols));
}

void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols,
                         cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  constexpr const char* fn = "cuda::layer_norm_backward";
  detail::check_layer_norm_backward_call(fn, x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols, detail::device_reader(stream));
  check_call(fn, cols, launch);
  const NormBackwardArgs a{x, gamma, mean, rstd, dy, dx, cols};
  backward_column_sums(fn, a, dgamma, dbeta, rows, stream, ws, launch,
                       "cuda::layer_norm_backward_workspace_bytes(rows, cols)");
  launch_rows(fn, NormBackwardRow{a}, rows, stream, launch);
}

void rms_norm_backward(const float* x, const float* gamma, const float* rstd, const float* dy, float* dx,
                       float* dgamma, std::int64_t rows, std::int64_t cols, cudaStream_t stream, Workspace ws,
                       LaunchConfig launch) {
  constexpr const char* fn = "cuda::rms_norm_backward";
  detail::check_rms_norm_backward_call(fn, x, gamma, rstd, dy, dx, dgamma, rows, cols, detail::device_reader(stream));
  check_call(fn, cols, launch);
  const NormBackwardArgs a{x, gamma, nullptr, rstd, dy, dx, cols};
  backward_column_sums(fn, a, dgamma, nullptr, rows, stream, ws, launch,
                       "cuda::rms_norm_backward_workspace_bytes(rows, cols)");
  launch_rows(fn, NormBackwardRow{a}, rows, stream, launch);
}

}  // namespace detnum::cuda
