// Gradient clipping on CUDA: the CPU reference's N and gradients, bit for bit, for every case of
// clip_cases.hpp, two launch shapes, the caller's workspace (guard bytes untouched) and
// stream-ordered memory, N kept or not; and the device-side errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "clip_cases.hpp"
#include "cuda/nrm2_each.hpp"
#include "detnum/reduce.hpp"
#include "detnum/clip.hpp"
#include "detnum/cuda/clip.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"
#include "support/gpu.hpp"

namespace detnum::test {
namespace {

constexpr cuda::LaunchConfig kLaunches[] = {{256, 0}, {64, 3}, {1024, 0}, {32, 1}};

// The case's gradients in one device allocation, tensor after tensor with a float's gap (so that
// tensors start at every alignment), clipped on the device; back on the host.
struct DeviceGrads {
  DeviceBuffer<float> all;
  std::vector<GradTensor> list;
  explicit DeviceGrads(const std::vector<std::vector<float>>& g) : all(total_floats(g)) {
    std::size_t at = 0;
    for (const auto& v : g) {
      if (!v.empty())
        EXPECT_EQ(cudaMemcpy(all.get() + at, v.data(), v.size() * sizeof(float), cudaMemcpyHostToDevice), cudaSuccess);
      list.push_back({v.empty() ? nullptr : all.get() + at, static_cast<std::int64_t>(v.size())});
      at += v.size() + 1;
    }
  }
  static std::size_t total_floats(const std::vector<std::vector<float>>& g) {
    std::size_t n = 1;
    for (const auto& v : g) n += v.size() + 1;
    return n;
  }
  std::vector<std::vector<float>> back() const {
    std::vector<std::vector<float>> g;
    for (const GradTensor& t : list) {
      std::vector<float> v(static_cast<std::size_t>(t.n));
      if (t.n > 0) EXPECT_EQ(cudaMemcpy(v.data(), t.data, v.size() * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
      g.push_back(std::move(v));
    }
    return g;
  }
};

TEST(ClipGpu, SameAsTheCpu) {
  DETNUM_REQUIRE_GPU();
  DeviceBuffer<float> norm(1);
  for (const ClipCase& c : clip_cases())
    for (const float max_norm : kMaxNorms)
      for (const cuda::LaunchConfig launch : kLaunches)
        for (const bool callers_workspace : {true, false}) {
          SCOPED_TRACE(c.name + ", max_norm " + std::to_string(max_norm) + ", block " +
                       std::to_string(launch.block_threads) + (callers_workspace ? ", the caller's workspace" : ""));
          std::vector<std::vector<float>> want = clip_inputs(c, 41);
          const float want_norm = ref::clip_grad_norm(tensors_of(want), max_norm);
          DeviceGrads d(clip_inputs(c, 41));
          const std::size_t ws_bytes = cuda::clip_grad_norm_workspace_bytes(d.list);
          DeviceBuffer<unsigned char> ws(ws_bytes + kGuardBytes);
          DETNUM_TEST_CUDA(cudaMemset(ws.get(), kSentinel, ws.size()));
          const cuda::Workspace w = callers_workspace ? cuda::Workspace{ws.get(), ws_bytes} : cuda::Workspace{};
          // N kept with the caller's workspace, else left in stream-ordered memory.
          float* const keep = callers_workspace ? norm.get() : nullptr;
          cuda::clip_grad_norm(d.list, max_norm, keep, nullptr, w, launch);
          DETNUM_TEST_CUDA(cudaDeviceSynchronize());
          EXPECT_EQ(untouched(ws.get(), ws_bytes, ws.size()), "") << "past the workspace";
          const std::vector<std::vector<float>> got = d.back();
          for (std::size_t t = 0; t < want.size(); ++t) EXPECT_TRUE(same_bits(want[t], got[t])) << "tensor " << t;
          if (keep != nullptr) {
            float got_norm = 0;
            DETNUM_TEST_CUDA(cudaMemcpy(&got_norm, keep, sizeof got_norm, cudaMemcpyDeviceToHost));
            EXPECT_TRUE(same_value(want_norm, got_norm)) << "N";
          }
        }
}

// nrm2_each (the clipping's per-tensor norms) gives each vector ref::nrm2's bits: one partial (m =
// 1), partials folded from the packed path (m = 8192, aligned) and the checked one (m = 2049, and
// odd m in later groups of 64), empty vectors, and one past 2^26 floats (cuda::nrm2 of its own);
// every launch shape, in a caller's workspace whose guard bytes stay untouched.
TEST(ClipGpu, EachNormIsTheReferencesNrm2) {
  DETNUM_REQUIRE_GPU();
  std::vector<std::int64_t> sizes = {1, 0, 2048 * 8192 + 1, std::int64_t{1} << 26, 129, (std::int64_t{1} << 26) + 5};
  for (int k = 0; k < 70; ++k) sizes.push_back(8193 + 977 * k);
  const ClipCase c{"norms", sizes};
  const std::vector<std::vector<float>> host = clip_inputs(c, 44);
  std::vector<float> want;
  for (const auto& v : host) want.push_back(ref::nrm2(v.data(), static_cast<std::int64_t>(v.size())));
  DeviceGrads d(host);
  const std::size_t ws_bytes = cuda::nrm2_each_workspace_bytes(d.list);
  DeviceBuffer<unsigned char> ws(ws_bytes + kGuardBytes);
  DeviceBuffer<float> norms(sizes.size());
  for (const cuda::LaunchConfig launch : kLaunches) {
    SCOPED_TRACE("block " + std::to_string(launch.block_threads) + ", grid " + std::to_string(launch.grid_blocks));
    DETNUM_TEST_CUDA(cudaMemset(ws.get(), kSentinel, ws.size()));
    DETNUM_TEST_CUDA(cudaMemset(norms.get(), 0xFF, sizes.size() * sizeof(float)));
    cuda::nrm2_each("test", d.list, norms.get(), ws.get(), nullptr, launch);
    DETNUM_TEST_CUDA(cudaDeviceSynchronize());
    EXPECT_EQ(untouched(ws.get(), ws_bytes, ws.size()), "") << "past the workspace";
    std::vector<float> got(sizes.size());
    DETNUM_TEST_CUDA(cudaMemcpy(got.data(), norms.get(), got.size() * sizeof(float), cudaMemcpyDeviceToHost));
    for (std::size_t t = 0; t < sizes.size(); ++t)
      EXPECT_TRUE(same_value(want[t], got[t])) << "tensor " << t << " of " << sizes[t] << " floats";
  }
}

// A tensor longer than 2^26 floats takes cuda::nrm2 of its own beside the grouped norms of the
// others; the same bits as the reference.
TEST(ClipGpu, ATensorPast2To26) {
  DETNUM_REQUIRE_GPU();
  const ClipCase c{"long", {100, (std::int64_t{1} << 26) + 5, 3}};
  std::vector<std::vector<float>> want = clip_inputs(c, 43);
  const float want_norm = ref::clip_grad_norm(tensors_of(want), 1.0f);
  DeviceGrads d(clip_inputs(c, 43));
  DeviceBuffer<float> norm(1);
  cuda::clip_grad_norm(d.list, 1.0f, norm.get());
  DETNUM_TEST_CUDA(cudaDeviceSynchronize());
  const std::vector<std::vector<float>> got = d.back();
  for (std::size_t t = 0; t < want.size(); ++t) EXPECT_TRUE(same_bits(want[t], got[t])) << "tensor " << t;
  float got_norm = 0;
  DETNUM_TEST_CUDA(cudaMemcpy(&got_norm, norm.get(), sizeof got_norm, cudaMemcpyDeviceToHost));
  EXPECT_TRUE(same_value(want_norm, got_norm));
}

TEST(ClipGpu, Errors) {
  DETNUM_REQUIRE_GPU();
  DeviceBuffer<float> g(16), norm(1);
  std::vector<float> host(16, 1.0f);
  expect_error([&] { cuda::clip_grad_norm(std::vector<GradTensor>{{g.get(), 8}, {host.data(), 8}}, 1.0f, norm.get()); },
               ErrorCode::wrong_memory_space, "cuda::clip_grad_norm: grads[1].data must be device");
  expect_error([&] { cuda::clip_grad_norm(std::vector<GradTensor>{{g.get(), 8}}, 1.0f, host.data()); },
               ErrorCode::wrong_memory_space, "total_norm must be device");
  expect_error([&] { cuda::clip_grad_norm(std::vector<GradTensor>{{g.get(), 8}}, 1.0f, g.get() + 7); },
               ErrorCode::unsupported_aliasing, "total_norm and grads[0].data must not overlap");
  expect_error([&] { cuda::clip_grad_norm(std::vector<GradTensor>{{g.get(), 8}, {g.get() + 7, 2}}, 1.0f, nullptr); },
               ErrorCode::unsupported_aliasing, "grads[0].data and grads[1].data must not overlap");
  expect_error([&] { cuda::clip_grad_norm(std::vector<GradTensor>{{g.get(), 8}}, -2.0f, nullptr); },
               ErrorCode::invalid_argument, "max_norm must be >= 0");
  expect_error([&] { cuda::clip_grad_norm(std::vector<GradTensor>{{g.get(), 8}, {nullptr, 3}}, 1.0f, nullptr); },
               ErrorCode::null_pointer, "cuda::clip_grad_norm: grads[1].data must not be null");
  const std::vector<GradTensor> list = {{g.get(), 16}};
  DeviceBuffer<unsigned char> ws(64);
  expect_error([&] { cuda::clip_grad_norm(list, 1.0f, nullptr, nullptr, {ws.get(), 64}); }, ErrorCode::invalid_argument,
               "ws.bytes must be at least cuda::clip_grad_norm_workspace_bytes(grads) = ");
  // A caller's workspace over a tensor is named with that tensor.
  const std::size_t need = cuda::clip_grad_norm_workspace_bytes(list);
  DeviceBuffer<unsigned char> big(need + 1024);
  const std::vector<GradTensor> inside = {{g.get(), 16}, {reinterpret_cast<float*>(big.get()) + 4, 2}};
  expect_error([&] { cuda::clip_grad_norm(inside, 1.0f, nullptr, nullptr, {big.get(), need + 1024}); },
               ErrorCode::unsupported_aliasing, "ws.ptr and grads[1].data must not overlap");
}

// A call that throws has scaled nothing.
TEST(ClipGpu, AnErrorLeavesTheGradients) {
  DETNUM_REQUIRE_GPU();
  const std::vector<std::vector<float>> before = {std::vector<float>(300, 2.0f), std::vector<float>(5, -1.0f)};
  DeviceGrads d(before);
  std::vector<GradTensor> list = d.list;
  list.push_back({d.list[0].data + 10, 4});  // overlaps the first tensor
  expect_error([&] { cuda::clip_grad_norm(list, 1.0f, nullptr); }, ErrorCode::unsupported_aliasing, "must not overlap");
  std::vector<float> host(8);
  list.back() = {host.data(), 8};
  expect_error([&] { cuda::clip_grad_norm(list, 1.0f, nullptr); }, ErrorCode::wrong_memory_space, "grads[2].data");
  DETNUM_TEST_CUDA(cudaDeviceSynchronize());
  EXPECT_EQ(d.back(), before);
}

}  // namespace
}  // namespace detnum::test
