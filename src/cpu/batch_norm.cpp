// Batch norm on the CPU (detnum/norm.hpp): the steps of batch_norm_steps.hpp; the forward's mean
// by detnum::column_sums, the sums of terms (the squared deviations; dgamma's terms and dy, both in
// one walk) added into column_sums' lanes as they are computed (column_lanes.hpp: no pass writes
// the terms), the values over ranges of rows on the call's threads; the term loops in AVX2 where
// the CPU has it.
#include <algorithm>
#include <cstdint>

#include "common/nn_rows_checks.hpp"
#include "cpu/batch_norm_steps.hpp"
#include "cpu/column_lanes.hpp"
#include "cpu/cpu_features.hpp"
#include "cpu/parallel.hpp"
#include "detnum/norm.hpp"
#include "detnum/reduce.hpp"

namespace detnum {
namespace {

[[gnu::target("avx2")]] void sq_dev_terms_avx2(const float* x, const float* mean, std::int64_t w, float* lane) {
  detail::batch_norm_sq_dev_terms<true>(x, mean, w, lane);
}
[[gnu::target("avx2")]] void backward_lanes_avx2(const float* x, const float* dy, const float* mean, const float* rstd,
                                                 std::int64_t w, float* lane_g, float* lane_b) {
  detail::batch_norm_backward_lanes(x, dy, mean, rstd, w, lane_g, lane_b);
}

// Ranges of whole rows, at least 16384 elements a thread.
template <class Body>
void over_rows(std::int64_t rows, std::int64_t cols, CpuOptions cpu, const Body& body) {
  detail::parallel_ranges(rows, std::max<std::int64_t>(1, 16384 / cols), cpu.threads, body);
}

}  // namespace

void batch_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps, BatchNormRunning running, CpuOptions options) {
  constexpr const char* fn = "batch_norm";
  detail::check_batch_norm_call(fn, x, gamma, beta, y, mean, rstd, rows, cols, eps, running, detail::kHostReader);
  const CpuOptions cpu = detail::resolve_cpu_options(fn, options);
  if (rows * cols == 0) return;
  const bool avx2 = detail::use_avx2(cpu);
  column_sums(x, MatrixLayout::dense(rows, cols), mean, cpu);
  detail::batch_norm_means(mean, rows, cols);
  detail::column_sums_of<1>(
      rows, cols, avx2, cpu,
      [&](std::int64_t r, std::int64_t j0, int w, float* lane, std::int64_t) {
        if (avx2) sq_dev_terms_avx2(x + r * cols + j0, mean + j0, w, lane);
        else detail::batch_norm_sq_dev_terms<true>(x + r * cols + j0, mean + j0, w, lane);
      },
      {rstd});
  detail::batch_norm_rstds(mean, rstd, rows, cols, eps, running);
  over_rows(rows, cols, cpu, [&](std::int64_t r0, std::int64_t r1) {
    detail::batch_norm_values(x, gamma, beta, mean, rstd, y, cols, r0, r1);
  });
}

void batch_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols,
                         CpuOptions options) {
  constexpr const char* fn = "batch_norm_backward";
  detail::check_batch_norm_backward_call(fn, x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols,
                                         detail::kHostReader);
  const CpuOptions cpu = detail::resolve_cpu_options(fn, options);
  if (rows * cols == 0) return;
  const bool avx2 = detail::use_avx2(cpu);
  detail::column_sums_of<2>(  // dgamma's terms and dy, in one walk
      rows, cols, avx2, cpu,
      [&](std::int64_t r, std::int64_t j0, int w, float* lane, std::int64_t stride) {
        const std::int64_t at = r * cols + j0;
        if (avx2) backward_lanes_avx2(x + at, dy + at, mean + j0, rstd + j0, w, lane, lane + stride);
        else detail::batch_norm_backward_lanes(x + at, dy + at, mean + j0, rstd + j0, w, lane, lane + stride);
      },
      {dgamma, dbeta});
  const detail::BatchNormBackwardColumns columns(gamma, rstd, dgamma, dbeta, rows, cols);
  over_rows(rows, cols, cpu,
            [&](std::int64_t r0, std::int64_t r1) { columns.values(x, mean, rstd, dy, dx, cols, r0, r1); });
}

}  // namespace detnum
