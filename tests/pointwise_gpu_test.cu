// The pointwise ops and AdamW on CUDA: the CPU reference's bits for every size and two launch
// shapes.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "detnum/adamw.hpp"
#include "detnum/cuda/adamw.hpp"
#include "detnum/cuda/pointwise.hpp"
#include "detnum/cuda/sgd.hpp"
#include "detnum/pointwise.hpp"
#include "pointwise_cases.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"
#include "support/gpu.hpp"

namespace detnum::test {
namespace {

constexpr cuda::LaunchConfig kLaunches[] = {{256, 0}, {64, 3}};

// ref(in, out, n) on the host; dev(x, dy, out, n, launch) on device copies of x and dy.
template <class Ref, class Dev>
void same_as_the_cpu(const Ref& ref, const Dev& dev) {
  for (const std::int64_t n : kPointwiseSizes)
    for (const cuda::LaunchConfig launch : kLaunches) {
      const PointwiseInputs in(n);
      std::vector<float> want(static_cast<std::size_t>(n));
      ref(in, want.data(), n);
      const DeviceBuffer<float> x = to_device(in.x), dy = to_device(in.dy);
      DeviceBuffer<float> out(want.size());
      // A fresh allocation may be the last one's, holding the last launch shape's right answer.
      if (n > 0) ASSERT_EQ(cudaMemset(out.get(), 0xFF, want.size() * sizeof(float)), cudaSuccess);
      dev(x.get(), dy.get(), out.get(), n, launch);
      ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
      EXPECT_TRUE(same_bits(want, to_host(out))) << "n " << n << ", block " << launch.block_threads;
    }
}

TEST(PointwiseGpu, ActivationsSameAsTheCpu) {
  DETNUM_REQUIRE_GPU();
  same_as_the_cpu([](const PointwiseInputs& in, float* y, std::int64_t n) { ref::relu(in.x.data(), y, n); },
                  [](const float* x, const float*, float* y, std::int64_t n, cuda::LaunchConfig l) {
                    cuda::relu(x, y, n, nullptr, l);
                  });
  same_as_the_cpu(
      [](const PointwiseInputs& in, float* dx, std::int64_t n) { ref::relu_backward(in.x.data(), in.dy.data(), dx, n); },
      [](const float* x, const float* dy, float* dx, std::int64_t n, cuda::LaunchConfig l) {
        cuda::relu_backward(x, dy, dx, n, nullptr, l);
      });
  same_as_the_cpu([](const PointwiseInputs& in, float* y, std::int64_t n) { ref::gelu(in.x.data(), y, n); },
                  [](const float* x, const float*, float* y, std::int64_t n, cuda::LaunchConfig l) {
                    cuda::gelu(x, y, n, nullptr, l);
                  });
  same_as_the_cpu(
      [](const PointwiseInputs& in, float* dx, std::int64_t n) { ref::gelu_backward(in.x.data(), in.dy.data(), dx, n); },
      [](const float* x, const float* dy, float* dx, std::int64_t n, cuda::LaunchConfig l) {
        cuda::gelu_backward(x, dy, dx, n, nullptr, l);
      });
  same_as_the_cpu([](const PointwiseInputs& in, float* y, std::int64_t n) { ref::silu(in.x.data(), y, n); },
                  [](const float* x, const float*, float* y, std::int64_t n, cuda::LaunchConfig l) {
                    cuda::silu(x, y, n, nullptr, l);
                  });
  same_as_the_cpu(
      [](const PointwiseInputs& in, float* dx, std::int64_t n) { ref::silu_backward(in.x.data(), in.dy.data(), dx, n); },
      [](const float* x, const float* dy, float* dx, std::int64_t n, cuda::LaunchConfig l) {
        cuda::silu_backward(x, dy, dx, n, nullptr, l);
      });
  same_as_the_cpu([](const PointwiseInputs& in, float* y, std::int64_t n) { ref::gelu_tanh(in.x.data(), y, n); },
                  [](const float* x, const float*, float* y, std::int64_t n, cuda::LaunchConfig l) {
                    cuda::gelu_tanh(x, y, n, nullptr, l);
                  });
  same_as_the_cpu(
      [](const PointwiseInputs& in, float* dx, std::int64_t n) { ref::gelu_tanh_backward(in.x.data(), in.dy.data(), dx, n); },
      [](const float* x, const float* dy, float* dx, std::int64_t n, cuda::LaunchConfig l) {
        cuda::gelu_tanh_backward(x, dy, dx, n, nullptr, l);
      });
  // Sigmoid's and tanh's gradients take the forward's output; x stands in for it (any float is valid).
  same_as_the_cpu([](const PointwiseInputs& in, float* y, std::int64_t n) { ref::sigmoid(in.x.data(), y, n); },
                  [](const float* x, const float*, float* y, std::int64_t n, cuda::LaunchConfig l) {
                    cuda::sigmoid(x, y, n, nullptr, l);
                  });
  same_as_the_cpu(
      [](const PointwiseInputs& in, float* dx, std::int64_t n) { ref::sigmoid_backward(in.x.data(), in.dy.data(), dx, n); },
      [](const float* y, const float* dy, float* dx, std::int64_t n, cuda::LaunchConfig l) {
        cuda::sigmoid_backward(y, dy, dx, n, nullptr, l);
      });
  same_as_the_cpu([](const PointwiseInputs& in, float* y, std::int64_t n) { ref::tanh(in.x.data(), y, n); },
                  [](const float* x, const float*, float* y, std::int64_t n, cuda::LaunchConfig l) {
                    cuda::tanh(x, y, n, nullptr, l);
                  });
  same_as_the_cpu(
      [](const PointwiseInputs& in, float* dx, std::int64_t n) { ref::tanh_backward(in.x.data(), in.dy.data(), dx, n); },
      [](const float* y, const float* dy, float* dx, std::int64_t n, cuda::LaunchConfig l) {
        cuda::tanh_backward(y, dy, dx, n, nullptr, l);
      });
  // Their first operand is named y in errors, as on the CPU.
  const std::vector<float> host(8, 1.0f);
  const DeviceBuffer<float> a = to_device(host);
  DeviceBuffer<float> b(8);
  expect_error([&] { cuda::sigmoid_backward(host.data(), a.get(), b.get(), 8); }, ErrorCode::wrong_memory_space,
               "cuda::sigmoid_backward: y must be device");
  expect_error([&] { cuda::tanh_backward(a.get(), a.get(), a.get() + 1, 4); }, ErrorCode::unsupported_aliasing,
               "cuda::tanh_backward: dx and y must not overlap");
}

TEST(PointwiseGpu, BiasAddSameAsTheCpu) {
  DETNUM_REQUIRE_GPU();
  for (const auto& [rows, cols] : kBiasShapes) {
    const std::vector<float> x = random_floats(rows * cols, 21), bias = random_floats(cols, 22);
    std::vector<float> want(x.size());
    ref::bias_add(x.data(), bias.data(), want.data(), rows, cols);
    const DeviceBuffer<float> dx = to_device(x), db = to_device(bias);
    DeviceBuffer<float> dy(x.size());
    if (!x.empty()) ASSERT_EQ(cudaMemset(dy.get(), 0xFF, x.size() * sizeof(float)), cudaSuccess);
    cuda::bias_add(dx.get(), db.get(), dy.get(), rows, cols);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_TRUE(same_bits(want, to_host(dy))) << rows << " x " << cols;
  }
}

TEST(PointwiseGpu, AdamWSameAsTheCpu) {
  DETNUM_REQUIRE_GPU();
  const AdamWParams p{1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 7};
  for (const std::int64_t n : kPointwiseSizes) {
    const PointwiseInputs in(n);
    std::vector<float> wp = in.x, wm = in.m, wv = in.v;
    ref::adamw_step(wp.data(), in.dy.data(), wm.data(), wv.data(), n, p);
    DeviceBuffer<float> dp = to_device(in.x), dm = to_device(in.m), dv = to_device(in.v);
    const DeviceBuffer<float> dg = to_device(in.dy);
    cuda::adamw_step(dp.get(), dg.get(), dm.get(), dv.get(), n, p);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_TRUE(same_bits(wp, to_host(dp))) << "param, n " << n;
    EXPECT_TRUE(same_bits(wm, to_host(dm))) << "m, n " << n;
    EXPECT_TRUE(same_bits(wv, to_host(dv))) << "v, n " << n;
  }
}

// Each SGD case, one tensor and a list of 78 (two launches), at several launch shapes: the
// reference's bits for param and buffer; without momentum a null buffer is never touched.
TEST(PointwiseGpu, SgdSameAsTheCpu) {
  DETNUM_REQUIRE_GPU();
  for (const SgdParams& p : kSgdCases) {
    SCOPED_TRACE("momentum " + std::to_string(p.momentum) + ", step " + std::to_string(p.step));
    for (const std::int64_t n : kPointwiseSizes) {
      const PointwiseInputs in(n);
      std::vector<float> wp = in.x, wb = in.m;
      ref::sgd_step(wp.data(), in.dy.data(), wb.data(), n, p);
      DeviceBuffer<float> dp = to_device(in.x), db = to_device(in.m);
      const DeviceBuffer<float> dg = to_device(in.dy);
      cuda::sgd_step(dp.get(), dg.get(), p.momentum != 0.0f ? db.get() : nullptr, n, p);
      ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
      EXPECT_TRUE(same_bits(wp, to_host(dp))) << "param, n " << n;
      EXPECT_TRUE(same_bits(wb, to_host(db))) << "buffer, n " << n;
    }
    std::vector<PointwiseInputs> want = adamw_model();
    ref::sgd_step(sgd_list(want), p);
    for (const cuda::LaunchConfig launch : {cuda::LaunchConfig{256, 0}, cuda::LaunchConfig{64, 3}}) {
      const std::vector<PointwiseInputs> in = adamw_model();
      std::vector<DeviceBuffer<float>> buffers;
      std::vector<SgdTensor> list;
      for (const PointwiseInputs& t : in) {
        for (const auto* v : {&t.x, &t.dy, &t.m}) buffers.push_back(to_device(*v));
        const std::size_t b = buffers.size() - 3;
        list.push_back({buffers[b].get(), buffers[b + 1].get(), buffers[b + 2].get(), static_cast<std::int64_t>(t.x.size())});
      }
      cuda::sgd_step(list, p, nullptr, launch);
      ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
      for (std::size_t t = 0; t < want.size(); ++t) {
        EXPECT_TRUE(same_bits(want[t].x, to_host(buffers[3 * t]))) << "param of tensor " << t;
        EXPECT_TRUE(same_bits(want[t].m, to_host(buffers[3 * t + 2]))) << "buffer of tensor " << t;
      }
    }
  }
  std::vector<float> host(8);
  DeviceBuffer<float> a(8), b(8);
  const std::vector<SgdTensor> mixed = {{a.get(), b.get(), host.data(), 8}};
  expect_error([&] { cuda::sgd_step(mixed, SgdParams{.momentum = 0.9f}); }, ErrorCode::wrong_memory_space,
               "tensors[0].momentum_buffer must be device");
  EXPECT_NO_THROW(cuda::sgd_step(mixed, SgdParams{}));  // no momentum: the buffer is not an argument
  const std::vector<SgdTensor> no_buffers = {{a.get(), b.get(), nullptr, 8}, {b.get() + 4, a.get() + 4, nullptr, 0}};
  EXPECT_NO_THROW(cuda::sgd_step(no_buffers, SgdParams{}));
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
}

// A list of 78 tensors (two launches of up to 64), every launch shape: each tensor's bits are
// those of the reference's own call; a host array among them is refused before anything runs.
TEST(PointwiseGpu, AdamWOfAListSameAsTheCpu) {
  DETNUM_REQUIRE_GPU();
  const AdamWParams p{1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 7};
  std::vector<PointwiseInputs> want = adamw_model();
  for (PointwiseInputs& t : want)
    ref::adamw_step(t.x.data(), t.dy.data(), t.m.data(), t.v.data(), static_cast<std::int64_t>(t.x.size()), p);
  for (const cuda::LaunchConfig launch : {cuda::LaunchConfig{256, 0}, cuda::LaunchConfig{64, 3},
                                          cuda::LaunchConfig{1024, 0}, cuda::LaunchConfig{32, 1}}) {
    SCOPED_TRACE("block " + std::to_string(launch.block_threads) + ", grid " + std::to_string(launch.grid_blocks));
    const std::vector<PointwiseInputs> in = adamw_model();
    std::vector<DeviceBuffer<float>> buffers;
    std::vector<AdamWTensor> list;
    for (const PointwiseInputs& t : in) {
      for (const auto* v : {&t.x, &t.dy, &t.m, &t.v}) buffers.push_back(to_device(*v));
      const std::size_t b = buffers.size() - 4;
      list.push_back({buffers[b].get(), buffers[b + 1].get(), buffers[b + 2].get(), buffers[b + 3].get(),
                      static_cast<std::int64_t>(t.x.size())});
    }
    cuda::adamw_step(list, p, nullptr, launch);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    for (std::size_t t = 0; t < want.size(); ++t) {
      EXPECT_TRUE(same_bits(want[t].dy, to_host(buffers[4 * t + 1]))) << "grad of tensor " << t << " (unchanged)";
      EXPECT_TRUE(same_bits(want[t].x, to_host(buffers[4 * t]))) << "param of tensor " << t;
      EXPECT_TRUE(same_bits(want[t].m, to_host(buffers[4 * t + 2]))) << "m of tensor " << t;
      EXPECT_TRUE(same_bits(want[t].v, to_host(buffers[4 * t + 3]))) << "v of tensor " << t;
    }
  }
  std::vector<float> host(8);
  DeviceBuffer<float> a(8), b(8), c(8);
  const std::vector<AdamWTensor> mixed = {{a.get(), b.get(), c.get(), host.data(), 8}};
  expect_error([&] { cuda::adamw_step(mixed, p); }, ErrorCode::wrong_memory_space, "tensors[0].v must be device");
  // An empty list and a list of empty tensors launch nothing.
  EXPECT_NO_THROW(cuda::adamw_step(std::span<const AdamWTensor>{}, p));
  EXPECT_NO_THROW(cuda::adamw_step(std::vector<AdamWTensor>{{nullptr, nullptr, nullptr, nullptr, 0}}, p));
}

}  // namespace
}  // namespace detnum::test
