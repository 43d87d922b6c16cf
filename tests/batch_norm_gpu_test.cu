// Batch norm on a CUDA device: the reference's bits for every case and launch shape, with
// detnum's workspace and with the caller's; errors before anything runs.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "batch_norm_cases.hpp"
#include "detnum/cuda/norm.hpp"
#include "detnum/norm.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"
#include "support/gpu.hpp"

namespace detnum::test {
namespace {

constexpr cuda::LaunchConfig kLaunches[] = {{256, 0}, {64, 3}, {1024, 1}};

struct CudaBatchNormCalls {
  cuda::Workspace ws;
  cuda::LaunchConfig launch;
  void forward(const float* x, const float* g, const float* b, float* y, float* m, float* r, std::int64_t rows,
               std::int64_t cols, float eps, BatchNormRunning run) const {
    cuda::batch_norm(x, g, b, y, m, r, rows, cols, eps, run, nullptr, ws, launch);
  }
  void backward(const float* x, const float* g, const float* m, const float* r, const float* dy, float* dx, float* dg,
                float* db, std::int64_t rows, std::int64_t cols) const {
    cuda::batch_norm_backward(x, g, m, r, dy, dx, dg, db, rows, cols, nullptr, ws, launch);
  }
};

// A case's inputs and outputs on the device.
struct DeviceCase {
  DeviceBuffer<float> x, gamma, beta, dy, y, mean, rstd, running_mean, running_var, dx, dgamma, dbeta;
  DeviceCase(const BatchNormCase& c, const BatchNormOutputs& s)
      : x(to_device(c.x)), gamma(to_device(c.gamma)), beta(to_device(c.beta)), dy(to_device(c.dy)), y(to_device(s.y)),
        mean(to_device(s.mean)), rstd(to_device(s.rstd)), running_mean(to_device(s.running_mean)),
        running_var(to_device(s.running_var)), dx(to_device(s.dx)), dgamma(to_device(s.dgamma)),
        dbeta(to_device(s.dbeta)) {}
  void run(const CudaBatchNormCalls& f, const BatchNormCase& c) const {
    call_batch_norm(f, c, x.get(), gamma.get(), beta.get(), dy.get(), y.get(), mean.get(), rstd.get(),
                    running_mean.get(), running_var.get(), dx.get(), dgamma.get(), dbeta.get());
  }
  BatchNormOutputs outputs() const {
    return {to_host(y),  to_host(mean), to_host(rstd),   to_host(running_mean), to_host(running_var),
            to_host(dx), to_host(dgamma), to_host(dbeta)};
  }
};

TEST(BatchNormGpu, SameAsTheCpu) {
  DETNUM_REQUIRE_GPU();
  for_each_batch_norm_case([](const BatchNormCase& c, const BatchNormOutputs& want) {
    for (const cuda::LaunchConfig launch : kLaunches)
      for (const bool own_workspace : {false, true}) {
        const DeviceCase d(c, batch_norm_buffers(c));
        const std::size_t bytes = cuda::batch_norm_workspace_bytes(c.rows, c.cols);
        DeviceBuffer<unsigned char> ws(own_workspace ? bytes : 0);
        d.run({own_workspace ? cuda::Workspace{ws.get(), bytes} : cuda::Workspace{}, launch}, c);
        DETNUM_TEST_CUDA(cudaDeviceSynchronize());
        EXPECT_TRUE(same_outputs(want, d.outputs())) << "block " << launch.block_threads;
      }
  });
}

TEST(BatchNormGpu, Errors) {
  DETNUM_REQUIRE_GPU();
  const BatchNormCase c(4, 3, true);
  const BatchNormOutputs start = batch_norm_buffers(c);
  const DeviceCase d(c, start);
  const BatchNormRunning run{d.running_mean.get(), d.running_var.get(), 0.1f};
  expect_error([&] {
    cuda::batch_norm(d.x.get(), d.gamma.get(), d.beta.get(), d.y.get(), d.mean.get(), d.rstd.get(), 4, 3, 1e-5f, run,
                     nullptr, {}, {48, 0});
  }, ErrorCode::invalid_argument, "launch.block_threads");
  expect_error([&] {
    cuda::batch_norm(d.x.get(), d.gamma.get(), d.beta.get(), d.y.get(), d.mean.get(), d.rstd.get(), 1, 3, 1e-5f, run);
  }, ErrorCode::invalid_argument, "rows must be at least 2");
  std::vector<float> host_mean(3);
  expect_error([&] {
    cuda::batch_norm(d.x.get(), d.gamma.get(), d.beta.get(), d.y.get(), d.mean.get(), d.rstd.get(), 4, 3, 1e-5f,
                     {host_mean.data(), d.running_var.get(), 0.1f});
  }, ErrorCode::wrong_memory_space, "running.mean");
  ASSERT_GT(cuda::batch_norm_workspace_bytes(4, 3), 0u);  // (else the workspace is never looked at)
  expect_error([&] {
    cuda::batch_norm_backward(d.x.get(), d.gamma.get(), d.mean.get(), d.rstd.get(), d.dy.get(), d.dx.get(),
                              d.dgamma.get(), d.dbeta.get(), 4, 3, nullptr, {d.dx.get(), 1 << 20});
  }, ErrorCode::unsupported_aliasing, "ws.ptr");
  DETNUM_TEST_CUDA(cudaDeviceSynchronize());
  EXPECT_TRUE(same_outputs(start, d.outputs())) << "a call that threw wrote something";
}

}  // namespace
}  // namespace detnum::test
