// Data order on CUDA: the CPU's permutation, index for index, for several sizes and launch shapes.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "detnum/cuda/shuffle.hpp"
#include "detnum/shuffle.hpp"
#include "support/gpu.hpp"

namespace detnum::test {
namespace {

TEST(ShuffleGpu, SameAsTheCpu) {
  DETNUM_REQUIRE_GPU();
  for (const std::int64_t n : {1, 2, 17, 1000, 65537, 3000017})
    for (const cuda::LaunchConfig launch : {cuda::LaunchConfig{256, 0}, cuda::LaunchConfig{64, 3}, cuda::LaunchConfig{1024, 1}}) {
      std::vector<std::int64_t> want(static_cast<std::size_t>(n)), got(want.size(), -1);
      shuffle_indices(n, 99, 12, want.data());
      DeviceBuffer<std::int64_t> d(want.size());
      cuda::shuffle_indices(n, 99, 12, d.get(), nullptr, launch);
      DETNUM_TEST_CUDA(cudaMemcpy(got.data(), d.get(), got.size() * sizeof(std::int64_t), cudaMemcpyDeviceToHost));
      EXPECT_EQ(want, got) << "n = " << n << ", block " << launch.block_threads << ", grid " << launch.grid_blocks;
    }
}

}  // namespace
}  // namespace detnum::test
