// The references of batch norm (detnum/norm.hpp): batch_norm_steps.hpp with ref::column_sums and
// plain loops over all rows.
#include <cstdint>

#include "common/nn_rows_checks.hpp"
#include "cpu/batch_norm_steps.hpp"
#include "detnum/norm.hpp"
#include "detnum/reduce.hpp"

namespace detnum::ref {
namespace {

struct RefExec {
  std::int64_t all_rows;
  void column_sums(const float* x, const MatrixLayout& m, float* out) const { ref::column_sums(x, m, out); }
  template <class Body>
  void rows(const Body& body) const {
    body(std::int64_t{0}, all_rows);
  }
};

}  // namespace

void batch_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps, BatchNormRunning running) {
  detail::check_batch_norm_call("ref::batch_norm", x, gamma, beta, y, mean, rstd, rows, cols, eps, running,
                                detail::kHostReader);
  if (rows * cols > 0) detail::batch_norm_steps(RefExec{rows}, x, gamma, beta, y, mean, rstd, rows, cols, eps, running);
}

void batch_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols) {
  detail::check_batch_norm_backward_call("ref::batch_norm_backward", x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows,
                                         cols, detail::kHostReader);
  if (rows * cols > 0)
    detail::batch_norm_backward_steps(RefExec{rows}, x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols);
}

}  // namespace detnum::ref
