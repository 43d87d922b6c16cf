// The losses on a CUDA device: the reference's bits for every loss, size, reduction and launch shape,
// with detnum's own workspace and with the caller's; errors before anything runs.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "detnum/cuda/loss.hpp"
#include "detnum/loss.hpp"
#include "loss_cases.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"
#include "support/gpu.hpp"

namespace detnum::test {
namespace {

constexpr cuda::LaunchConfig kLaunches[] = {{256, 0}, {64, 3}, {1024, 1}};

// detnum::cuda:: with the workspace and launch bound, in the shape call_loss takes.
struct CudaLosses {
  cuda::Workspace ws;
  cuda::LaunchConfig launch;
  void mse_loss(const float* x, const float* t, std::int64_t n, LossReduction r, float* l, float* dx) const {
    cuda::mse_loss(x, t, n, r, l, dx, nullptr, ws, launch);
  }
  void binary_cross_entropy_with_logits(const float* x, const float* t, std::int64_t n, LossReduction r, float* l,
                                        float* dx) const {
    cuda::binary_cross_entropy_with_logits(x, t, n, r, l, dx, nullptr, ws, launch);
  }
};

TEST(LossGpu, SameAsTheCpu) {
  DETNUM_REQUIRE_GPU();
  for_each_loss_case([](const LossCase& c, const LossOutputs& want) {
    const DeviceBuffer<float> x = to_device(c.x), t = to_device(c.target);
    for (const cuda::LaunchConfig launch : kLaunches)
      for (const bool own_workspace : {false, true}) {
        const LossOutputs start = loss_buffers(c);  // the sentinels
        DeviceBuffer<float> loss = to_device(start.loss), dx = to_device(start.dx);
        const std::size_t bytes = cuda::loss_workspace_bytes(c.n);
        DeviceBuffer<unsigned char> ws(own_workspace ? bytes : 0);
        const CudaLosses f{own_workspace ? cuda::Workspace{ws.get(), bytes} : cuda::Workspace{}, launch};
        call_loss(f, c.op, x.get(), t.get(), c.n, c.reduction, loss.get(), c.with_dx ? dx.get() : nullptr);
        DETNUM_TEST_CUDA(cudaDeviceSynchronize());
        EXPECT_TRUE(same_bits(want.loss, to_host(loss))) << "block " << launch.block_threads;
        EXPECT_TRUE(same_bits(want.dx, to_host(dx))) << "block " << launch.block_threads;
      }
  });
}

// On a stream of its own, with stream-ordered workspace: the loss kernel, cuda::mean and the
// workspace's cudaFreeAsync in order on that stream, waited for by that stream alone.
TEST(LossGpu, OnAStreamOfItsOwn) {
  DETNUM_REQUIRE_GPU();
  for (const LossOp op : kLossOps) {
    const LossCase c(op, 100003, LossReduction::mean, true);
    const LossOutputs want = reference_loss(c), start = loss_buffers(c);
    const DeviceBuffer<float> x = to_device(c.x), t = to_device(c.target);
    DeviceBuffer<float> loss = to_device(start.loss), dx = to_device(start.dx);
    cudaStream_t stream = nullptr;
    DETNUM_TEST_CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    if (op == LossOp::mse) cuda::mse_loss(x.get(), t.get(), c.n, c.reduction, loss.get(), dx.get(), stream);
    else cuda::binary_cross_entropy_with_logits(x.get(), t.get(), c.n, c.reduction, loss.get(), dx.get(), stream);
    DETNUM_TEST_CUDA(cudaStreamSynchronize(stream));
    DETNUM_TEST_CUDA(cudaStreamDestroy(stream));
    EXPECT_TRUE(same_bits(want.loss, to_host(loss))) << c.describe();
    EXPECT_TRUE(same_bits(want.dx, to_host(dx))) << c.describe();
  }
}

TEST(LossGpu, Errors) {
  DETNUM_REQUIRE_GPU();
  const std::vector<float> host(8, 1.0f);
  const DeviceBuffer<float> x = to_device(host), t = to_device(host);
  DeviceBuffer<float> loss = to_device(std::vector<float>{7.0f}), dx = to_device(std::vector<float>(8, 7.0f));
  DeviceBuffer<unsigned char> ws(16);
  expect_error([&] { cuda::mse_loss(host.data(), t.get(), 8, LossReduction::mean, loss.get(), nullptr); },
               ErrorCode::wrong_memory_space, "cuda::mse_loss: x must be device");
  expect_error([&] { cuda::mse_loss(x.get(), t.get(), 8, LossReduction::none, nullptr, dx.get()); },
               ErrorCode::null_pointer, "cuda::mse_loss: loss must not be null");
  expect_error([&] { cuda::mse_loss(x.get(), t.get(), 8, LossReduction::mean, loss.get(), x.get()); },
               ErrorCode::unsupported_aliasing, "cuda::mse_loss: dx and x must not overlap");
  expect_error([&] { cuda::mse_loss(x.get(), t.get(), 8, LossReduction::sum, loss.get(), dx.get(), nullptr,
                                    cuda::Workspace{ws.get(), 16}); },
               ErrorCode::invalid_argument, "ws.bytes must be at least cuda::loss_workspace_bytes(n)");
  expect_error([&] { cuda::mse_loss(x.get(), t.get(), 8, static_cast<LossReduction>(5), loss.get(), nullptr); },
               ErrorCode::invalid_argument, "reduction must be mean, sum or none, got 5");
  expect_error([&] { cuda::binary_cross_entropy_with_logits(x.get(), host.data(), 8, LossReduction::mean, loss.get(),
                                                            nullptr); },
               ErrorCode::wrong_memory_space, "cuda::binary_cross_entropy_with_logits: target must be device");
  DETNUM_TEST_CUDA(cudaDeviceSynchronize());
  EXPECT_EQ(to_host(loss), std::vector<float>{7.0f});
  EXPECT_EQ(to_host(dx), std::vector<float>(8, 7.0f));
}

}  // namespace
}  // namespace detnum::test
