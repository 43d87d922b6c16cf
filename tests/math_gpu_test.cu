// detnum::math's functions on the device give the host's bits: one float in 16 of all 2^32
// inputs (2^28 of them, every sign, exponent and NaN payload class), in chunks of 2^24.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "math_fns.hpp"
#include "support/gpu.hpp"

namespace detnum::test {
namespace {

constexpr std::uint32_t kStride = 16;
constexpr std::uint64_t kChunk = std::uint64_t{1} << 24;

__global__ void fn_kernel(Fn fn, std::uint64_t first, std::uint64_t count, std::uint32_t* out) {
  for (std::uint64_t i = blockIdx.x * static_cast<std::uint64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::uint64_t>(gridDim.x) * blockDim.x)
    out[i] = bits_of(evaluate(fn, float_from_bits(static_cast<std::uint32_t>((first + i) * kStride))));
}

void same_bits_as_the_host(Fn fn) {
  const std::uint64_t total = (std::uint64_t{1} << 32) / kStride;
  DeviceBuffer<std::uint32_t> d(kChunk);
  std::vector<std::uint32_t> got(kChunk);
  std::uint64_t differ = 0;
  for (std::uint64_t first = 0; first < total; first += kChunk) {
    fn_kernel<<<1024, 256>>>(fn, first, kChunk, d.get());
    DETNUM_TEST_CUDA(cudaGetLastError());
    DETNUM_TEST_CUDA(cudaMemcpy(got.data(), d.get(), kChunk * sizeof(std::uint32_t), cudaMemcpyDeviceToHost));
    for (std::uint64_t i = 0; i < kChunk; ++i) {
      const auto bits = static_cast<std::uint32_t>((first + i) * kStride);
      if (got[i] != bits_of(evaluate(fn, float_from_bits(bits))) && differ++ == 0)
        ADD_FAILURE() << name(fn) << ": first difference at input bits 0x" << std::hex << bits << ": device 0x" << got[i];
    }
  }
  EXPECT_EQ(differ, 0u);
}

class MathGpu : public ::testing::TestWithParam<Fn> {};

TEST_P(MathGpu, SameBitsAsTheHost) {
  DETNUM_REQUIRE_GPU();
  same_bits_as_the_host(GetParam());
}
INSTANTIATE_TEST_SUITE_P(Functions, MathGpu, every_fn(), fn_param_name);

}  // namespace
}  // namespace detnum::test
