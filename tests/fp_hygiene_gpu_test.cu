// The device side of fp_hygiene_test.cpp: nvcc must not contract a * b + c (--fmad=false),
// must keep subnormals (-ftz=false) and must round division and sqrt correctly.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "support/gpu.hpp"

namespace {

__global__ void arithmetic(const float* in, float* out) {
  out[0] = in[0] * in[1] + in[2];        // must stay two roundings
  out[1] = fmaf(in[0], in[1], in[2]);    // explicitly fused
  out[2] = in[3] * in[4];                // denorm_min * 1
  out[3] = in[4] / in[5];                // 1 / 3
  out[4] = sqrtf(in[6]);                 // sqrt(2)
}

TEST(FpHygieneGpu, DeviceDoesNotContractOrFlush) {
  DETNUM_REQUIRE_GPU();
  const float in[7] = {1.0f + 0x1p-12f, 1.0f + 0x1p-12f, -(1.0f + 0x1p-11f),
                       std::numeric_limits<float>::denorm_min(), 1.0f, 3.0f, 2.0f};
  float out[5] = {-1, -1, -1, -1, -1};
  detnum::test::DeviceBuffer<float> d_in(7), d_out(5);
  DETNUM_TEST_CUDA(cudaMemcpy(d_in.get(), in, sizeof in, cudaMemcpyHostToDevice));
  arithmetic<<<1, 1>>>(d_in.get(), d_out.get());
  DETNUM_TEST_CUDA(cudaGetLastError());
  DETNUM_TEST_CUDA(cudaMemcpy(out, d_out.get(), sizeof out, cudaMemcpyDeviceToHost));
  EXPECT_EQ(out[0], 0.0f) << "a * b + c was contracted into an FMA on the device";
  EXPECT_EQ(out[1], 0x1p-24f);
  EXPECT_EQ(out[2], std::numeric_limits<float>::denorm_min()) << "the device flushed a subnormal";
  volatile float one = 1.0f, three = 3.0f, two = 2.0f;
  EXPECT_EQ(out[3], one / three) << "division is not correctly rounded";
  EXPECT_EQ(out[4], std::sqrt(static_cast<float>(two))) << "sqrt is not correctly rounded";
}

}  // namespace
