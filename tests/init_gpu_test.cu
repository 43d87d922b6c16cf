// Weight initialization on CUDA: the CPU's bits for several sizes, offsets and launch shapes.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "detnum/cuda/init.hpp"
#include "detnum/init.hpp"
#include "support/bits.hpp"
#include "support/gpu.hpp"

namespace detnum::test {
namespace {

TEST(InitGpu, SameAsTheCpu) {
  DETNUM_REQUIRE_GPU();
  for (const std::int64_t n : {1, 5, 1000, 1000003})
    for (const std::uint64_t offset : {0ull, 3ull, 1ull << 40})
      for (const cuda::LaunchConfig launch : {cuda::LaunchConfig{256, 0}, cuda::LaunchConfig{32, 5}}) {
        std::vector<float> want(static_cast<std::size_t>(n)), got(want.size());
        init_uniform(want.data(), n, -0.125f, 0.25f, {5, offset});
        DeviceBuffer<float> d(want.size());
        cuda::init_uniform(d.get(), n, -0.125f, 0.25f, {5, offset}, nullptr, launch);
        DETNUM_TEST_CUDA(cudaMemcpy(got.data(), d.get(), got.size() * sizeof(float), cudaMemcpyDeviceToHost));
        EXPECT_TRUE(same_bits(want, got)) << "n " << n << ", offset " << offset << ", block " << launch.block_threads;
        std::vector<bf16> wantb(want.size()), gotb(want.size());
        init_uniform(wantb.data(), n, -0.125f, 0.25f, {5, offset});
        DeviceBuffer<bf16> db(want.size());
        cuda::init_uniform(db.get(), n, -0.125f, 0.25f, {5, offset}, nullptr, launch);
        DETNUM_TEST_CUDA(cudaMemcpy(gotb.data(), db.get(), gotb.size() * sizeof(bf16), cudaMemcpyDeviceToHost));
        EXPECT_TRUE(same_bits(wantb, gotb)) << "bf16, n " << n;
      }
}

}  // namespace
}  // namespace detnum::test
