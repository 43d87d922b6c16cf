// Batch norm's cases, shared by batch_norm_test.cpp (the fast CPU path) and batch_norm_gpu_test.cu
// (CUDA): rows around the lanes (128) and the chunk (8192) of the column sums' order, columns past
// a CPU column block (1024), a unit of lanes that threads share, with and without running
// statistics, on finite inputs and on inputs with specials (everywhere, or in a few columns);
// each backend's five forward and three backward outputs against the reference's.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "detnum/norm.hpp"
#include "support/bits.hpp"
#include "support/data.hpp"

namespace detnum::test {

struct BatchNormCase {
  std::int64_t rows, cols;
  bool running, specials;
  float eps = 1e-5f, momentum = 0.1f;
  std::vector<float> x, gamma, beta, dy, running_mean, running_var;
  // specials: data.hpp's specials in every column (most outputs NaN), or with sparse_specials only
  // in column 0, with column 1 alternating +-3e38 (the squares overflow) and column 2 all -0.
  BatchNormCase(std::int64_t r, std::int64_t c, bool with_running, bool with_specials = false, std::uint64_t seed = 53,
                bool sparse_specials = false)
      : rows(r), cols(c), running(with_running), specials(with_specials) {
    x = with_specials && !sparse_specials ? random_floats(r * c, seed) : small_floats(r * c, seed);
    if (sparse_specials) {
      const std::vector<float> s = random_floats(r, seed + 6);
      for (std::int64_t i = 0; i < r; ++i) {
        x[i * c] = s[i];
        if (c > 1) x[i * c + 1] = i % 2 ? 3e38f : -3e38f;
        if (c > 2) x[i * c + 2] = -0.0f;
      }
    }
    gamma = small_floats(c, seed + 1);
    beta = small_floats(c, seed + 2);
    dy = small_floats(r * c, seed + 3);
    running_mean = small_floats(c, seed + 4);
    running_var = small_floats(c, seed + 5);
    for (float& v : running_var) v = v < 0 ? -v : v;
  }
  std::string describe() const {
    return std::to_string(rows) + " x " + std::to_string(cols) + (running ? ", running statistics" : "") +
           (specials ? ", specials" : "");
  }
};

inline std::vector<BatchNormCase> batch_norm_cases() {
  std::vector<BatchNormCase> cases;
  for (const auto& [r, c] : std::vector<std::pair<std::int64_t, std::int64_t>>{
           {2, 1}, {2, 5}, {3, 7}, {127, 3}, {129, 33}, {8191, 2}, {8192, 3}, {8193, 5}, {20000, 4}, {5, 300},
           {64, 1030}, {0, 0}, {7, 0},
           {8192, 64}, {16385, 64},  // one unit of 2 MiB: threads share its lanes
           {8193, 1030}})            // two chunks and two column blocks
    for (const bool running : {false, true}) cases.emplace_back(r, c, running);
  cases.emplace_back(300, 37, true, true);
  cases.emplace_back(300, 5, true, true, 59, true);
  return cases;
}

inline constexpr std::uint32_t kBatchNormSentinelBits = 0x7FBADBADu;

// The outputs of both passes (the backward from the forward's mean and rstd), and the running
// statistics after the forward.
struct BatchNormOutputs {
  std::vector<float> y, mean, rstd, running_mean, running_var, dx, dgamma, dbeta;
};
inline BatchNormOutputs batch_norm_buffers(const BatchNormCase& c) {
  const auto make = [](std::int64_t n) {
    return std::vector<float>(static_cast<std::size_t>(n), float_from_bits(kBatchNormSentinelBits));
  };
  const std::int64_t n = c.rows * c.cols;
  return {make(n),
          make(c.cols),
          make(c.cols),
          c.running ? c.running_mean : std::vector<float>{},
          c.running ? c.running_var : std::vector<float>{},
          make(n),
          make(c.cols),
          make(c.cols)};
}

// Both passes through F (detnum::, detnum::ref:: or detnum::cuda:: with its options bound): an
// object with forward and backward members on pointers it reads.
template <class F>
void call_batch_norm(const F& f, const BatchNormCase& c, const float* x, const float* gamma, const float* beta,
                     const float* dy, float* y, float* mean, float* rstd, float* running_mean, float* running_var,
                     float* dx, float* dgamma, float* dbeta) {
  const BatchNormRunning running =
      c.running ? BatchNormRunning{running_mean, running_var, c.momentum} : BatchNormRunning{};
  f.forward(x, gamma, beta, y, mean, rstd, c.rows, c.cols, c.eps, running);
  f.backward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, c.rows, c.cols);
}

struct RefBatchNormCalls {
  void forward(const float* x, const float* g, const float* b, float* y, float* m, float* r, std::int64_t rows,
               std::int64_t cols, float eps, BatchNormRunning run) const {
    ref::batch_norm(x, g, b, y, m, r, rows, cols, eps, run);
  }
  void backward(const float* x, const float* g, const float* m, const float* r, const float* dy, float* dx, float* dg,
                float* db, std::int64_t rows, std::int64_t cols) const {
    ref::batch_norm_backward(x, g, m, r, dy, dx, dg, db, rows, cols);
  }
};

inline std::vector<const std::vector<float>*> batch_norm_parts(const BatchNormOutputs& o) {
  return {&o.y, &o.mean, &o.rstd, &o.running_mean, &o.running_var, &o.dx, &o.dgamma, &o.dbeta};
}

// The reference's outputs, every element written.
inline BatchNormOutputs reference_batch_norm(const BatchNormCase& c) {
  BatchNormOutputs o = batch_norm_buffers(c);
  call_batch_norm(RefBatchNormCalls{}, c, c.x.data(), c.gamma.data(), c.beta.data(), c.dy.data(), o.y.data(),
                  o.mean.data(), o.rstd.data(), o.running_mean.data(), o.running_var.data(), o.dx.data(),
                  o.dgamma.data(), o.dbeta.data());
  for (const std::vector<float>* part : batch_norm_parts(o))
    if (holds_bits(*part, kBatchNormSentinelBits))
      ADD_FAILURE() << "the reference left an output unwritten: " << c.describe();
  return o;
}

inline ::testing::AssertionResult same_outputs(const BatchNormOutputs& want, const BatchNormOutputs& got) {
  return same_outputs({{"y", &want.y, &got.y},
                       {"mean", &want.mean, &got.mean},
                       {"rstd", &want.rstd, &got.rstd},
                       {"running_mean", &want.running_mean, &got.running_mean},
                       {"running_var", &want.running_var, &got.running_var},
                       {"dx", &want.dx, &got.dx},
                       {"dgamma", &want.dgamma, &got.dgamma},
                       {"dbeta", &want.dbeta, &got.dbeta}});
}

template <class F>
void for_each_batch_norm_case(F f) {
  for (const BatchNormCase& c : batch_norm_cases()) {
    SCOPED_TRACE(c.describe());
    f(c, reference_batch_norm(c));
  }
}

}  // namespace detnum::test
