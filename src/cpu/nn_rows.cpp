// The fast CPU path for the row ops (ORDER.md, "Row ops"): the reference's formulas
// (detail/nn_rows_order.hpp), with threads over rows and the sums of reduce.cpp.
//
// Each sum over a row is detail::canonical_sum (reduce.cpp's AVX2 lanes) of a vector that the
// row's pass writes first into the output row itself (e_j into y, y_j dy_j into dx, ...): the
// outputs may not overlap the inputs, so they are free scratch until their final values go in,
// and the row is still in L1 or L2 when the sum reads it. cross_entropy without dlogits needs a
// scratch row of its own, and the norms' backward passes two (g and g * xhat). Their sums over
// rows (dgamma, dbeta) are column sums walked as column_sums walks them (column_lanes.hpp), with
// each row's dx computed on the way (norm_backward below).
//
// softmax's exps run as AVX2 code where the CPU has it (src/cpu/math_avx2.hpp: math::exp's bits),
// and the elementwise loops with divisions or several outputs (softmax's y = e / s, the
// cross-entropy gradient, the norms' backward passes) are compiled a second time for AVX2, where
// the compiler runs them eight wide: IEEE operations without contraction, so the same bits.
//
// Threads take contiguous groups of rows (detail::parallel_ranges); with fewer rows than threads
// and rows longer than a chunk, the rows go one after another and every thread works inside each
// row's sums instead. A row's bits are the same either way: nothing in a row depends on another.
#include <algorithm>
#include <vector>

#include "common/nn_rows_checks.hpp"
#include "cpu/column_lanes.hpp"
#include "cpu/cpu_features.hpp"
#include "cpu/parallel.hpp"
#include "cpu/reduce_cpu.hpp"
#include "cpu/math_avx2.hpp"
#include "detnum/detail/nn_rows_order.hpp"
#include "detnum/norm.hpp"
#include "detnum/reduce.hpp"
#include "detnum/softmax.hpp"

namespace detnum {
namespace {

using detail::kReduceChunk;
using detail::kReduceLanes;

// A thread's least share: a chunk's worth of elements. Each element takes several passes, an
// exp or a division among them, so a thread's start (~3 µs, reduce_cpu.hpp) pays off over far
// fewer bytes than a plain sum needs.
constexpr std::int64_t kGrainElements = kReduceChunk;

// row(r, scratch, sum_options) for every row r; scratch holds `scratch_cols` floats per thread.
template <class Row>
void for_each_row(std::int64_t rows, std::int64_t cols, CpuOptions options, std::int64_t scratch_cols, const Row& row) {
  std::vector<float> scratch;
  if (rows < options.threads && cols > kReduceChunk) {
    scratch.resize(static_cast<std::size_t>(scratch_cols));
    for (std::int64_t r = 0; r < rows; ++r) row(r, scratch.data(), options);
    return;
  }
  CpuOptions one = options;
  one.threads = 1;
  const std::int64_t grain = std::max<std::int64_t>(1, kGrainElements / std::max<std::int64_t>(1, cols));
  detail::parallel_ranges(rows, grain, options.threads, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> own(static_cast<std::size_t>(scratch_cols));
    for (std::int64_t r = begin; r < end; ++r) row(r, own.data(), one);
  });
}

float sum_of(const float* t, std::int64_t n, CpuOptions o) { return detail::canonical_sum(t, n, o); }

float max_of(const float* x, std::int64_t n) {
  float m = detail::row_max_start();
  for (std::int64_t j = 0; j < n; ++j) m = detail::row_max_step(m, x[j]);
  return m;
}

// e_j = detail::softmax_exp(x_j, m) = exp(x_j - m) for j < n, eight at a time with AVX2.
[[gnu::target("avx2")]] void softmax_exps_avx2(const float* x, float m, float* e, std::int64_t n) {
  const __m128 mv = _mm_set1_ps(m);
  std::int64_t j = 0;
  for (; j + 8 <= n; j += 8) {  // two independent chains of polynomial steps
    const __m128 a = math::detail::exp4(_mm_sub_ps(_mm_loadu_ps(x + j), mv));
    const __m128 b = math::detail::exp4(_mm_sub_ps(_mm_loadu_ps(x + j + 4), mv));
    _mm_storeu_ps(e + j, a);
    _mm_storeu_ps(e + j + 4, b);
  }
  for (; j < n; ++j) e[j] = detail::softmax_exp(x[j], m);
}

// Writes e_j = exp(x_j - m) to e; returns s = sum(e), and m in *m.
float exps_of(const float* x, float* e, std::int64_t n, float* m, CpuOptions o) {
  *m = max_of(x, n);
  if (detail::use_avx2(o))
    softmax_exps_avx2(x, *m, e, n);
  else
    for (std::int64_t j = 0; j < n; ++j) e[j] = detail::softmax_exp(x[j], *m);
  return sum_of(e, n, o);
}

// y_j = e_j / s in place: compiled for the baseline ISA and, inlined, for AVX2 (a division eight
// elements at a time; the same bits).
[[gnu::always_inline]] inline void softmax_values(float* __restrict e, float s, std::int64_t n) {
  for (std::int64_t j = 0; j < n; ++j) e[j] = canonicalize(detail::softmax_value(e[j], s));
}
[[gnu::target("avx2")]] void softmax_values_avx2(float* e, float s, std::int64_t n) { softmax_values(e, s, n); }

// log_softmax_backward's dx_j = dy_j - e_j c from e_j = exp(y_j) in place, for AVX2 (x - 0 is x
// for every float, so softmax_exps_avx2 with m = 0 gives math::exp(y_j)).
[[gnu::target("avx2")]] void log_softmax_backward_values_avx2(const float* __restrict dy, float* __restrict e, float c,
                                                             std::int64_t n) {
  for (std::int64_t j = 0; j < n; ++j) e[j] = canonicalize(detail::log_softmax_backward_from_exp(e[j], dy[j], c));
}

// softmax or log_softmax of each row's first prefix.kept(r) columns, +0 in the others (causal
// masks: softmax only).
void softmax_rows(const char* fn, bool log, const float* x, float* y, std::int64_t rows, std::int64_t cols,
                  detail::RowPrefix prefix, CpuOptions options) {
  options = detail::resolve_cpu_options(fn, options);
  if (detail::check_softmax_call(fn, x, y, rows, cols, detail::kHostReader) == 0) return;
  for_each_row(rows, cols, options, 0, [&](std::int64_t r, float*, CpuOptions o) {
    const std::int64_t k = prefix.kept(r, cols);
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float m;
    const float s = exps_of(xr, yr, k, &m, o);
    if (log) {
      const float log_s = math::log(s);
      for (std::int64_t j = 0; j < k; ++j) yr[j] = canonicalize(detail::log_softmax_value(xr[j], m, log_s));
    } else if (detail::use_avx2(o)) {
      softmax_values_avx2(yr, s, k);
    } else {
      softmax_values(yr, s, k);
    }
    std::fill(yr + k, yr + cols, detail::masked_value());
  });
}

void softmax_backward_rows(const char* fn, const float* y, const float* dy, float* dx, std::int64_t rows,
                           std::int64_t cols, detail::RowPrefix prefix, CpuOptions options) {
  options = detail::resolve_cpu_options(fn, options);
  if (detail::check_softmax_backward_call(fn, y, dy, dx, rows, cols, detail::kHostReader) == 0) return;
  for_each_row(rows, cols, options, 0, [&](std::int64_t r, float*, CpuOptions o) {
    const std::int64_t k = prefix.kept(r, cols);
    const float *yr = y + r * cols, *dyr = dy + r * cols;
    float* dxr = dx + r * cols;
    for (std::int64_t j = 0; j < k; ++j) dxr[j] = detail::softmax_backward_term(yr[j], dyr[j]);
    const float c = sum_of(dxr, k, o);
    for (std::int64_t j = 0; j < k; ++j) dxr[j] = canonicalize(detail::softmax_backward_value(yr[j], dyr[j], c));
    std::fill(dxr + k, dxr + cols, detail::masked_value());
  });
}

}  // namespace

void softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, CpuOptions options) {
  softmax_rows("softmax", false, x, y, rows, cols, {}, options);
}

void causal_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, const CausalMask& mask,
                    CpuOptions options) {
  constexpr const char* fn = "causal_softmax";
  softmax_rows(fn, false, x, y, rows, cols, detail::causal_prefix(fn, mask), options);
}

void log_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, CpuOptions options) {
  softmax_rows("log_softmax", true, x, y, rows, cols, {}, options);
}

void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                      CpuOptions options) {
  softmax_backward_rows("softmax_backward", y, dy, dx, rows, cols, {}, options);
}

void causal_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                             const CausalMask& mask, CpuOptions options) {
  constexpr const char* fn = "causal_softmax_backward";
  softmax_backward_rows(fn, y, dy, dx, rows, cols, detail::causal_prefix(fn, mask), options);
}

void log_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                          CpuOptions options) {
  constexpr const char* fn = "log_softmax_backward";
  options = detail::resolve_cpu_options(fn, options);
  if (detail::check_softmax_backward_call(fn, y, dy, dx, rows, cols, detail::kHostReader) == 0) return;
  for_each_row(rows, cols, options, 0, [&](std::int64_t r, float*, CpuOptions o) {
    const float *yr = y + r * cols, *dyr = dy + r * cols;
    float* dxr = dx + r * cols;
    const float c = sum_of(dyr, cols, o);
    if (detail::use_avx2(o)) {  // exp(y_j) = exp(y_j - 0) into dx, then the rest eight wide
      softmax_exps_avx2(yr, 0.0f, dxr, cols);
      log_softmax_backward_values_avx2(dyr, dxr, c, cols);
    } else {
      for (std::int64_t j = 0; j < cols; ++j)
        dxr[j] = canonicalize(detail::log_softmax_backward_value(yr[j], dyr[j], c));
    }
  });
}

namespace {

// dlogits of a row's columns other than the label, (p_j - b) / divisor from e_j in place: compiled
// for the baseline ISA and, inlined, for AVX2 (two divisions per element, eight at a time there).
[[gnu::always_inline]] inline void cross_entropy_grads(float* __restrict e, float s, float b, float divisor,
                                                       std::int64_t cols) {
  for (std::int64_t j = 0; j < cols; ++j) e[j] = canonicalize(detail::cross_entropy_grad(e[j], s, b, divisor));
}
[[gnu::target("avx2")]] void cross_entropy_grads_avx2(float* e, float s, float b, float divisor, std::int64_t cols) {
  cross_entropy_grads(e, s, b, divisor, cols);
}

// u, the row sum of log_softmax_value that label smoothing needs, the values written into t first.
float log_softmax_sum(const float* x, float m, float log_s, float* t, std::int64_t n, CpuOptions o) {
  for (std::int64_t j = 0; j < n; ++j) t[j] = detail::log_softmax_value(x[j], m, log_s);
  return sum_of(t, n, o);
}

void cross_entropy_rows(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                        const CrossEntropyOptions& ce, float* loss, float* dlogits, CpuOptions options) {
  constexpr const char* fn = "cross_entropy";
  options = detail::resolve_cpu_options(fn, options);
  const detail::CrossEntropyRule rule = detail::cross_entropy_rule(fn, ce, cols);
  detail::check_cross_entropy_call(fn, logits, labels, rows, cols, rule, loss, dlogits, detail::kHostReader);
  const std::int64_t kept = detail::kept_labels(fn, labels, rows, cols, rule.ignore);
  // The rows' terms: straight into loss for per-row losses, else into `terms` for the sum.
  std::vector<float> terms(rule.per_row() ? 0 : static_cast<std::size_t>(rows));
  const auto put = [&](std::int64_t r, float term) {
    if (rule.per_row()) loss[r] = canonicalize(term);
    else terms[r] = term;
  };
  const bool avx2 = detail::use_avx2(options);
  const float divisor = rule.divisor(kept);
  // Scratch: e_j when there is no dlogits row to hold them, the log-probabilities when smoothing
  // (e_j is no longer needed then without dlogits).
  const std::int64_t scratch_cols = dlogits == nullptr || rule.smoothing() ? cols : 0;
  for_each_row(rows, cols, options, scratch_cols, [&](std::int64_t r, float* scratch, CpuOptions o) {
    if (detail::cross_entropy_ignored(labels[r], rule.ignore)) {
      put(r, detail::cross_entropy_ignored_value());
      if (dlogits) std::fill_n(dlogits + r * cols, cols, detail::cross_entropy_ignored_value());
      return;
    }
    const float* xr = logits + r * cols;
    float* e = dlogits ? dlogits + r * cols : scratch;
    float m;
    const float s = exps_of(xr, e, cols, &m, o), log_s = math::log(s);
    const float nll = detail::cross_entropy_nll(xr[labels[r]], m, log_s);
    put(r, rule.smoothing()
               ? detail::cross_entropy_smoothed(nll, log_softmax_sum(xr, m, log_s, scratch, cols, o), rule.a, rule.b)
               : nll);
    if (dlogits == nullptr) return;
    const float e_label = e[labels[r]];  // every column as if it were not the label, then the label's
    if (avx2) cross_entropy_grads_avx2(e, s, rule.b, divisor, cols);
    else cross_entropy_grads(e, s, rule.b, divisor, cols);
    e[labels[r]] =
        canonicalize(detail::cross_entropy_grad(e_label, s, detail::cross_entropy_target(true, rule.a, rule.b), divisor));
  });
  if (rule.reduction == LossReduction::mean) *loss = canonicalize(detail::row_mean(sum_of(terms.data(), rows, options), kept));
  else if (rule.reduction == LossReduction::sum) *loss = canonicalize(sum_of(terms.data(), rows, options));
}

}  // namespace

void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols, float* loss,
                   float* dlogits, CpuOptions options) {
  cross_entropy_rows(logits, labels, rows, cols, {}, loss, dlogits, options);
}

void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                   const CrossEntropyOptions& ce, float* loss, float* dlogits, CpuOptions options) {
  cross_entropy_rows(logits, labels, rows, cols, ce, loss, dlogits, options);
}

void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps, CpuOptions options) {
  constexpr const char* fn = "layer_norm";
  options = detail::resolve_cpu_options(fn, options);
  detail::check_layer_norm_call(fn, x, gamma, beta, y, mean, rstd, rows, cols, eps, detail::kHostReader);
  for_each_row(rows, cols, options, 0, [&](std::int64_t r, float*, CpuOptions o) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    const float mu = detail::row_mean(sum_of(xr, cols, o), cols);
    for (std::int64_t j = 0; j < cols; ++j) yr[j] = detail::layer_norm_sq_dev(xr[j], mu);
    const float rs = detail::norm_rstd(detail::row_mean(sum_of(yr, cols, o), cols), eps);
    for (std::int64_t j = 0; j < cols; ++j)
      yr[j] = canonicalize(detail::layer_norm_value(xr[j], mu, rs, gamma[j], beta[j]));
    mean[r] = canonicalize(mu);
    rstd[r] = canonicalize(rs);
  });
}

void rms_norm(const float* x, const float* gamma, float* y, float* rstd, std::int64_t rows, std::int64_t cols, float eps,
              CpuOptions options) {
  constexpr const char* fn = "rms_norm";
  options = detail::resolve_cpu_options(fn, options);
  detail::check_rms_norm_call(fn, x, gamma, y, rstd, rows, cols, eps, detail::kHostReader);
  for_each_row(rows, cols, options, 0, [&](std::int64_t r, float*, CpuOptions o) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    for (std::int64_t j = 0; j < cols; ++j) yr[j] = detail::rms_norm_sq(xr[j]);
    const float rs = detail::norm_rstd(detail::row_mean(sum_of(yr, cols, o), cols), eps);
    for (std::int64_t j = 0; j < cols; ++j) yr[j] = canonicalize(detail::rms_norm_value(xr[j], rs, gamma[j]));
    rstd[r] = canonicalize(rs);
  });
}

namespace {

// The norms' backward passes per row, written once and compiled twice: for the baseline ISA and,
// inlined into gnu::target("avx2") functions, for AVX2, where the compiler runs them eight
// elements wide. They are IEEE multiplications and subtractions without contraction, so both
// builds give the same bits.
template <bool kLayer>
[[gnu::always_inline]] inline float norm_xhat(float x, float mean, float rstd) {
  if constexpr (kLayer) return detail::layer_norm_xhat(x, mean, rstd);
  else return detail::rms_norm_xhat(x, rstd);
}

// One row's a and b (a: layer norm only) from its terms: g and g * xhat into the scratch rows g
// and gx, then summed.
template <bool kLayer>
[[gnu::always_inline]] inline void norm_backward_terms(const float* __restrict x, const float* __restrict dy,
                                                       const float* __restrict gamma, float mean, float rstd,
                                                       std::int64_t cols, float* __restrict g, float* __restrict gx) {
  for (std::int64_t j = 0; j < cols; ++j) {
    const float xhat = norm_xhat<kLayer>(x[j], mean, rstd), gj = detail::norm_backward_g(dy[j], gamma[j]);
    if constexpr (kLayer) g[j] = gj;
    gx[j] = detail::norm_backward_gx(gj, xhat);
  }
}

// One row's dx over a block of columns (a unused by RMS norm), and the row's dgamma terms and
// dy (dbeta's terms, layer norm only) added into its lanes of the block's column sums.
template <bool kLayer>
[[gnu::always_inline]] inline void norm_backward_block(const float* __restrict x, const float* __restrict dy,
                                                       const float* __restrict gamma, float mean, float rstd, float a,
                                                       float b, int width, float* __restrict dx,
                                                       float* __restrict lane_g, float* __restrict lane_b) {
  for (int j = 0; j < width; ++j) {
    const float xhat = norm_xhat<kLayer>(x[j], mean, rstd), gj = detail::norm_backward_g(dy[j], gamma[j]);
    if constexpr (kLayer) dx[j] = canonicalize(detail::layer_norm_backward_value(gj, xhat, a, b, rstd));
    else dx[j] = canonicalize(detail::rms_norm_backward_value(gj, xhat, b, rstd));
    lane_g[j] = lane_g[j] + detail::norm_backward_dgamma_term(dy[j], xhat);
    if constexpr (kLayer) lane_b[j] = lane_b[j] + dy[j];
  }
}

template <bool kLayer>
[[gnu::target("avx2")]] void norm_backward_terms_avx2(const float* x, const float* dy, const float* gamma, float mean,
                                                      float rstd, std::int64_t cols, float* g, float* gx) {
  norm_backward_terms<kLayer>(x, dy, gamma, mean, rstd, cols, g, gx);
}
template <bool kLayer>
[[gnu::target("avx2")]] void norm_backward_block_avx2(const float* x, const float* dy, const float* gamma, float mean,
                                                      float rstd, float a, float b, int width, float* dx, float* lane_g,
                                                      float* lane_b) {
  norm_backward_block<kLayer>(x, dy, gamma, mean, rstd, a, b, width, dx, lane_g, lane_b);
}

// Both norms' backward (mean null for RMS norm) in one walk over x and dy where a row fits one
// column block (cols <= 1024), two otherwise:
// - a and b of each row (ORDER.md: row sums of g and g * xhat), in the walk itself when a block
//   holds the whole row (the row is then in L1 for the block pass), else in a pass of their own;
// - per (chunk of 8192 rows, block of columns) unit, as column_sums walks it (column_lanes.hpp):
//   row r's dx, and its dgamma and dbeta terms added into lane r mod 128 of their column sums,
//   the lanes folded per chunk; chunk partials (more than 8192 rows) go on through column_sums.
// Every row's dx and every column's sums are the reference's, whatever thread or unit takes them.
template <bool kLayer>
void norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd,
                   const float* dy, float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols,
                   CpuOptions options) {
  if (cols == 0) return;
  if (rows == 0) {  // sums of nothing
    std::fill(dgamma, dgamma + cols, 0.0f);
    if constexpr (kLayer) std::fill(dbeta, dbeta + cols, 0.0f);
    return;
  }
  const bool avx2 = detail::use_avx2(options);
  const auto mean_of = [&](std::int64_t r) { return kLayer ? mean[r] : 0.0f; };
  // a and b of row r (scratch: cols floats for g, layer norm only, and cols for g * xhat).
  const auto ab_of = [&](std::int64_t r, float* scratch, CpuOptions o, float* ab) {
    const std::int64_t at = r * cols;
    float *g = kLayer ? scratch : nullptr, *gx = kLayer ? scratch + cols : scratch;
    if (avx2) norm_backward_terms_avx2<kLayer>(x + at, dy + at, gamma, mean_of(r), rstd[r], cols, g, gx);
    else norm_backward_terms<kLayer>(x + at, dy + at, gamma, mean_of(r), rstd[r], cols, g, gx);
    ab[0] = kLayer ? detail::row_mean(sum_of(g, cols, o), cols) : 0.0f;
    ab[1] = detail::row_mean(sum_of(gx, cols, o), cols);
  };
  const std::int64_t scratch_cols = kLayer ? 2 * cols : cols;
  const std::int64_t width = std::min(detail::kMaxBlock<float>, cols), blocks = (cols + width - 1) / width;
  std::vector<float> ab;  // a and b of row r at 2r, 2r + 1, when a row spans several blocks
  if (blocks > 1) {
    ab.resize(static_cast<std::size_t>(2 * rows));
    for_each_row(rows, cols, options, scratch_cols,
                 [&](std::int64_t r, float* scratch, CpuOptions o) { ab_of(r, scratch, o, &ab[2 * r]); });
  }

  const std::int64_t chunks = detail::reduce_chunks(rows), units = chunks * blocks;
  const std::int64_t sums = kLayer ? 2 : 1;  // dgamma's, and dbeta's
  // Chunk partials [sum][chunk][col]; with one chunk, dgamma and dbeta themselves.
  std::vector<float> level(chunks == 1 ? 0 : static_cast<std::size_t>(sums * chunks * cols));
  float* const part_g = chunks == 1 ? dgamma : level.data();
  float* const part_b = chunks == 1 ? dbeta : level.data() + chunks * cols;
  const std::int64_t lane_floats = kReduceLanes * width;  // per sum
  const std::int64_t unit_bytes = std::min(rows, kReduceChunk) * width * 2 * static_cast<std::int64_t>(sizeof(float));
  // Unit u: chunk c (its first row r0, its rows), column block from j0 (its width w).
  struct Unit {
    std::int64_t c, j0, r0;
    int rows, w;
  };
  const auto unit_of = [&](std::int64_t u) {
    const std::int64_t c = u / blocks, j0 = u % blocks * width, r0 = c * kReduceChunk;
    return Unit{c, j0, r0, static_cast<int>(std::min(kReduceChunk, rows - r0)), static_cast<int>(std::min(width, cols - j0))};
  };
  detail::for_each_unit<float>(
      units, unit_bytes, static_cast<std::size_t>(sums * lane_floats), options,
      [&](std::int64_t u, int l0, int l1, float* acc) {
        const auto [c, j0, r0, chunk_rows, w] = unit_of(u);
        l1 = std::min(l1, detail::used_lanes(chunk_rows));
        if (l0 >= l1) return;
        for (std::int64_t s = 0; s < sums; ++s)
          std::fill(acc + s * lane_floats + l0 * w, acc + s * lane_floats + l1 * w, detail::lane_identity<float>());
        std::vector<float> scratch(static_cast<std::size_t>(blocks == 1 ? scratch_cols : 0));
        CpuOptions one = options;
        one.threads = 1;
        for (int q = 0; q < chunk_rows; q += kReduceLanes)
          for (int l = l0; l < l1 && q + l < chunk_rows; ++l) {
            const std::int64_t r = r0 + q + l, at = r * cols + j0;
            float row_ab[2];
            if (blocks == 1) ab_of(r, scratch.data(), one, row_ab);
            const float a = blocks == 1 ? row_ab[0] : ab[2 * r], b = blocks == 1 ? row_ab[1] : ab[2 * r + 1];
            // Lanes of w floats, as unit_fold reads them; dbeta's only for layer norm (RMS norm's
            // buffer has none).
            float *lane_g = acc + l * w, *lane_b = kLayer ? acc + lane_floats + l * w : nullptr;
            if (avx2)
              norm_backward_block_avx2<kLayer>(x + at, dy + at, gamma + j0, mean_of(r), rstd[r], a, b, w, dx + at, lane_g, lane_b);
            else
              norm_backward_block<kLayer>(x + at, dy + at, gamma + j0, mean_of(r), rstd[r], a, b, w, dx + at, lane_g, lane_b);
          }
      },
      [&](std::int64_t u, float* acc) {
        const auto [c, j0, r0, chunk_rows, w] = unit_of(u);
        detail::unit_fold(avx2, chunk_rows, w, acc, part_g + c * cols + j0);
        if constexpr (kLayer) detail::unit_fold(avx2, chunk_rows, w, acc + lane_floats, part_b + c * cols + j0);
      });
  if (chunks > 1) {  // ORDER.md step 5: the chunk partials are the next level's terms
    column_sums(part_g, MatrixLayout::dense(chunks, cols), dgamma, options);
    if constexpr (kLayer) column_sums(part_b, MatrixLayout::dense(chunks, cols), dbeta, options);
  } else {
    for (std::int64_t j = 0; j < cols; ++j) dgamma[j] = canonicalize(dgamma[j]);
    if constexpr (kLayer)
      for (std::int64_t j = 0; j < cols; ++j) dbeta[j] = canonicalize(dbeta[j]);
  }
}

}  // namespace

void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols,
                         CpuOptions options) {
  constexpr const char* fn = "layer_norm_backward";
  options = detail::resolve_cpu_options(fn, options);
  detail::check_layer_norm_backward_call(fn, x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols, detail::kHostReader);
  norm_backward<true>(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols, options);
}

void rms_norm_backward(const float* x, const float* gamma, const float* rstd, const float* dy, float* dx,
                       float* dgamma, std::int64_t rows, std::int64_t cols, CpuOptions options) {
  constexpr const char* fn = "rms_norm_backward";
  options = detail::resolve_cpu_options(fn, options);
  detail::check_rms_norm_backward_call(fn, x, gamma, rstd, dy, dx, dgamma, rows, cols, detail::kHostReader);
  norm_backward<false>(x, gamma, nullptr, rstd, dy, dx, dgamma, nullptr, rows, cols, options);
}

}  // namespace detnum
