// Batch norm on the CPU: the fast path equals the reference bit for bit at every thread count and
// SIMD kind; the values, the running statistics and the gradients follow the float64 formulas (an
// implementation of their own); a column alone has the bits it has among others; bad arguments
// get detnum::Error and nothing is written.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "batch_norm_cases.hpp"
#include "detnum/norm.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"

namespace detnum::test {
namespace {

struct CpuBatchNormCalls {
  CpuOptions cpu;
  void forward(const float* x, const float* g, const float* b, float* y, float* m, float* r, std::int64_t rows,
               std::int64_t cols, float eps, BatchNormRunning run) const {
    batch_norm(x, g, b, y, m, r, rows, cols, eps, run, cpu);
  }
  void backward(const float* x, const float* g, const float* m, const float* r, const float* dy, float* dx, float* dg,
                float* db, std::int64_t rows, std::int64_t cols) const {
    batch_norm_backward(x, g, m, r, dy, dx, dg, db, rows, cols, cpu);
  }
};

BatchNormOutputs run_cpu(const BatchNormCase& c, CpuOptions cpu) {
  BatchNormOutputs o = batch_norm_buffers(c);
  call_batch_norm(CpuBatchNormCalls{cpu}, c, c.x.data(), c.gamma.data(), c.beta.data(), c.dy.data(), o.y.data(),
                  o.mean.data(), o.rstd.data(), o.running_mean.data(), o.running_var.data(), o.dx.data(),
                  o.dgamma.data(), o.dbeta.data());
  return o;
}

TEST(BatchNorm, FastEqualsReference) {
  constexpr CpuOptions kOptions[] = {{1, CpuSimd::best}, {2, CpuSimd::best}, {3, CpuSimd::best},
                                     {8, CpuSimd::best}, {3, CpuSimd::portable}};
  for_each_batch_norm_case([&](const BatchNormCase& c, const BatchNormOutputs& want) {
    for (const CpuOptions o : kOptions) EXPECT_TRUE(same_outputs(want, run_cpu(c, o))) << o.threads << " threads";
  });
}

// Every output against the formulas in double, column by column.
TEST(BatchNorm, FollowsTheFormulasInDouble) {
  for (const BatchNormCase& c : batch_norm_cases()) {
    if (c.specials || c.cols == 0) continue;
    SCOPED_TRACE(c.describe());
    const BatchNormOutputs got = run_cpu(c, {2});
    const std::int64_t R = c.rows;
    const auto near = [](float got_value, double want, double magnitude, const char* what, std::int64_t at) {
      // float sums of up to 20000 terms of magnitude below 4: a wrong term or step is off by O(1)
      EXPECT_NEAR(got_value, want, 1e-4 * (1.0 + magnitude)) << what << " at " << at;
    };
    for (std::int64_t j = 0; j < c.cols; ++j) {
      double mean = 0, sq = 0;
      for (std::int64_t r = 0; r < R; ++r) mean += c.x[r * c.cols + j];
      mean /= R;
      for (std::int64_t r = 0; r < R; ++r) sq += (c.x[r * c.cols + j] - mean) * (c.x[r * c.cols + j] - mean);
      const double var = sq / R, rstd = 1.0 / std::sqrt(var + c.eps);
      near(got.mean[j], mean, 0, "mean", j);
      near(got.rstd[j], rstd, rstd, "rstd", j);
      if (c.running) {
        near(got.running_mean[j], 0.9 * c.running_mean[j] + 0.1 * mean, 1, "running_mean", j);
        near(got.running_var[j], 0.9 * c.running_var[j] + 0.1 * sq / (R - 1), 1, "running_var", j);
      }
      double dbeta = 0, dgamma = 0;
      for (std::int64_t r = 0; r < R; ++r) {
        const double xhat = (c.x[r * c.cols + j] - mean) * rstd;
        near(got.y[r * c.cols + j], xhat * c.gamma[j] + c.beta[j], std::fabs(xhat), "y", r * c.cols + j);
        dbeta += c.dy[r * c.cols + j];
        dgamma += c.dy[r * c.cols + j] * xhat;
      }
      near(got.dbeta[j], dbeta, 2.0 * std::sqrt(static_cast<double>(R)), "dbeta", j);
      near(got.dgamma[j], dgamma, 2.0 * std::sqrt(static_cast<double>(R)), "dgamma", j);
      for (std::int64_t r = 0; r < R; ++r) {
        const double xhat = (c.x[r * c.cols + j] - mean) * rstd;
        const double dx = (c.dy[r * c.cols + j] - dbeta / R - xhat * dgamma / R) * c.gamma[j] * rstd;
        near(got.dx[r * c.cols + j], dx, std::fabs(dx) + rstd, "dx", r * c.cols + j);
      }
    }
  }
}

// A column's outputs are a function of that column: computed alone (cols = 1) they have the bits
// they have in the wide matrix.
TEST(BatchNorm, AColumnAloneHasItsBitsAmongOthers) {
  const BatchNormCase all(8193, 5, true);
  const BatchNormOutputs want = run_cpu(all, {3});
  for (std::int64_t j = 0; j < all.cols; ++j) {
    BatchNormCase one(all.rows, 1, true);
    for (std::int64_t r = 0; r < all.rows; ++r) {
      one.x[r] = all.x[r * all.cols + j];
      one.dy[r] = all.dy[r * all.cols + j];
    }
    one.gamma = {all.gamma[j]};
    one.beta = {all.beta[j]};
    one.running_mean = {all.running_mean[j]};
    one.running_var = {all.running_var[j]};
    const BatchNormOutputs got = run_cpu(one, {2});
    std::vector<float> y(all.rows), dx(all.rows);
    for (std::int64_t r = 0; r < all.rows; ++r) {
      y[r] = want.y[r * all.cols + j];
      dx[r] = want.dx[r * all.cols + j];
    }
    EXPECT_TRUE(same_bits(y, got.y)) << "column " << j;
    EXPECT_TRUE(same_bits(dx, got.dx)) << "column " << j;
    for (const auto& [w, g] : {std::pair{&want.mean, &got.mean}, std::pair{&want.rstd, &got.rstd},
                               std::pair{&want.running_mean, &got.running_mean},
                               std::pair{&want.running_var, &got.running_var}, std::pair{&want.dgamma, &got.dgamma},
                               std::pair{&want.dbeta, &got.dbeta}})
      EXPECT_EQ(bits_of((*w)[j]), bits_of((*g)[0])) << "column " << j;
  }
}

TEST(BatchNorm, NanOutputsAreCanonical) {
  const BatchNormCase c(300, 37, true, true);
  BatchNormOutputs got = run_cpu(c, {2});
  int nans = 0;
  for (const std::vector<float>* part : batch_norm_parts(got))
    for (const float v : *part)
      if (v != v) {
        ++nans;
        EXPECT_EQ(bits_of(v), kCanonicalNanF32);
      }
  EXPECT_GT(nans, 0);
}

TEST(BatchNorm, Errors) {
  const BatchNormCase c(4, 3, true);
  BatchNormOutputs o = batch_norm_buffers(c);
  const BatchNormOutputs start = o;
  const float *x = c.x.data(), *g = c.gamma.data(), *b = c.beta.data();
  float *y = o.y.data(), *m = o.mean.data(), *r = o.rstd.data();
  const BatchNormRunning run{o.running_mean.data(), o.running_var.data(), 0.1f};
  const auto forward = [&](std::int64_t rows, std::int64_t cols, float eps, BatchNormRunning rn, const float* xx) {
    return [=] { batch_norm(xx, g, b, y, m, r, rows, cols, eps, rn); };
  };
  expect_error(forward(-1, 3, 1e-5f, run, x), ErrorCode::size_out_of_range, "rows");
  expect_error(forward(1, 3, 1e-5f, run, x), ErrorCode::invalid_argument, "rows must be at least 2");
  expect_error(forward(0, 3, 1e-5f, run, x), ErrorCode::invalid_argument, "got 0");
  expect_error(forward(4, 3, -1.0f, run, x), ErrorCode::invalid_argument, "eps");
  expect_error(forward(4, 3, 1e-5f, {o.running_mean.data(), nullptr, 0.1f}, x), ErrorCode::null_pointer,
               "running.mean and running.var");
  expect_error(forward(4, 3, 1e-5f, {run.mean, run.var, 1.5f}, x), ErrorCode::invalid_argument,
               "running.momentum must be in [0, 1], got 1.5");
  expect_error(forward(4, 3, 1e-5f, {run.mean, run.var, std::numeric_limits<float>::quiet_NaN()}, x),
               ErrorCode::invalid_argument, "running.momentum");
  expect_error(forward(4, 3, 1e-5f, run, nullptr), ErrorCode::null_pointer, "x");
  expect_error(forward(4, 3, 1e-5f, {run.mean, o.mean.data(), 0.1f}, x), ErrorCode::unsupported_aliasing,
               "running.var");
  expect_error(forward(4, 3, 1e-5f, run, y), ErrorCode::unsupported_aliasing, "y");
  expect_error([&] { batch_norm(x, g, b, y, m, r, 4, 3, 1e-5f, run, {.threads = -2}); }, ErrorCode::invalid_argument,
               "threads");
  expect_error([&] {
    batch_norm_backward(x, g, m, r, c.dy.data(), o.dx.data(), o.dgamma.data(), o.dgamma.data(), 4, 3);
  }, ErrorCode::unsupported_aliasing, "dgamma");
  expect_error([&] {
    batch_norm_backward(x, g, m, r, c.dy.data(), o.dx.data(), o.dgamma.data(), o.dbeta.data(), 1, 3);
  }, ErrorCode::invalid_argument, "rows must be at least 2");
  expect_error([&] { ref::batch_norm(x, g, b, y, m, r, 4, -3, 1e-5f); }, ErrorCode::size_out_of_range, "cols");
  // No column: nothing to do, however few rows.
  batch_norm(nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 1, 0, 1e-5f);
  batch_norm_backward(nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 0, 0);
  EXPECT_TRUE(same_outputs(start, o)) << "a call that threw wrote something";
}

}  // namespace
}  // namespace detnum::test
