// Batch norm on the CPU (detnum/norm.hpp): batch_norm_steps.hpp with detnum::column_sums and the
// elementwise passes over ranges of rows on the call's threads.
#include <algorithm>
#include <cstdint>

#include "common/nn_rows_checks.hpp"
#include "cpu/batch_norm_steps.hpp"
#include "cpu/parallel.hpp"
#include "detnum/norm.hpp"
#include "detnum/reduce.hpp"

namespace detnum {
namespace {

struct FastExec {
  CpuOptions cpu;
  std::int64_t all_rows, cols;
  void column_sums(const float* x, const MatrixLayout& m, float* out) const { detnum::column_sums(x, m, out, cpu); }
  // Ranges of whole rows, at least 16384 elements a thread.
  template <class Body>
  void rows(const Body& body) const {
    detail::parallel_ranges(all_rows, std::max<std::int64_t>(1, 16384 / cols), cpu.threads, body);
  }
};

}  // namespace

void batch_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps, BatchNormRunning running, CpuOptions options) {
  constexpr const char* fn = "batch_norm";
  detail::check_batch_norm_call(fn, x, gamma, beta, y, mean, rstd, rows, cols, eps, running, detail::kHostReader);
  const FastExec ex{detail::resolve_cpu_options(fn, options), rows, cols};
  if (rows * cols > 0) detail::batch_norm_steps(ex, x, gamma, beta, y, mean, rstd, rows, cols, eps, running);
}

void batch_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols,
                         CpuOptions options) {
  constexpr const char* fn = "batch_norm_backward";
  detail::check_batch_norm_backward_call(fn, x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols,
                                         detail::kHostReader);
  const FastExec ex{detail::resolve_cpu_options(fn, options), rows, cols};
  if (rows * cols > 0) detail::batch_norm_backward_steps(ex, x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols);
}

}  // namespace detnum
