// Weight initialization on CUDA: the CPU's bits for several sizes, offsets (odd ones included)
// and launch shapes, float and bf16, uniform and normal fills.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "detnum/cuda/init.hpp"
#include "detnum/init.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"
#include "support/gpu.hpp"

namespace detnum::test {
namespace {

// host(x, n, params) and device(x, n, params, launch) fill x with one fill; T is the output type.
template <class T, class HostFill, class DeviceFill>
void same_as_the_cpu(const HostFill& host, const DeviceFill& device) {
  for (const std::int64_t n : {1, 5, 1000, 1000003})
    for (const std::uint64_t offset : {0ull, 3ull, (1ull << 40) + 1})
      for (const cuda::LaunchConfig launch : {cuda::LaunchConfig{256, 0}, cuda::LaunchConfig{32, 5}}) {
        std::vector<T> want(static_cast<std::size_t>(n)), got(want.size());
        host(want.data(), n, InitParams{5, offset});
        DeviceBuffer<T> d(want.size());
        device(d.get(), n, InitParams{5, offset}, launch);
        DETNUM_TEST_CUDA(cudaMemcpy(got.data(), d.get(), got.size() * sizeof(T), cudaMemcpyDeviceToHost));
        EXPECT_TRUE(same_bits(want, got)) << "n " << n << ", offset " << offset << ", block " << launch.block_threads;
      }
}

TEST(InitGpu, UniformSameAsTheCpu) {
  DETNUM_REQUIRE_GPU();
  const auto host = [](auto* x, std::int64_t n, InitParams p) { init_uniform(x, n, -0.125f, 0.25f, p); };
  const auto device = [](auto* x, std::int64_t n, InitParams p, cuda::LaunchConfig launch) {
    cuda::init_uniform(x, n, -0.125f, 0.25f, p, nullptr, launch);
  };
  same_as_the_cpu<float>(host, device);
  same_as_the_cpu<bf16>(host, device);
}

TEST(InitGpu, NormalSameAsTheCpu) {
  DETNUM_REQUIRE_GPU();
  const auto host = [](auto* x, std::int64_t n, InitParams p) { init_normal(x, n, 0.5f, 0.02f, p); };
  const auto device = [](auto* x, std::int64_t n, InitParams p, cuda::LaunchConfig launch) {
    cuda::init_normal(x, n, 0.5f, 0.02f, p, nullptr, launch);
  };
  same_as_the_cpu<float>(host, device);
  same_as_the_cpu<bf16>(host, device);
}

// Checked before any device work, so this runs without a GPU too.
TEST(InitGpuErrors, NormalArguments) {
  expect_error([] { cuda::init_normal(static_cast<float*>(nullptr), 0, 0.0f, -1.0f, {}); }, ErrorCode::invalid_argument,
               "cuda::init_normal: stddev must be finite and >= 0, got -1");
  expect_error([] { cuda::init_normal(static_cast<bf16*>(nullptr), 0, NAN, 1.0f, {}); }, ErrorCode::invalid_argument,
               "cuda::init_normal: mean must be finite, got nan");
}

}  // namespace
}  // namespace detnum::test
