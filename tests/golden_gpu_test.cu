// The CUDA kernels' outputs against the same golden file as the CPU's (golden_cases.hpp): the
// fingerprints of device tensors (detnum::cuda::fingerprint) must equal the pinned ones.
#include <gtest/gtest.h>

#include <vector>

#include "detnum/cuda/adamw.hpp"
#include "detnum/cuda/dropout.hpp"
#include "detnum/cuda/fingerprint.hpp"
#include "detnum/cuda/gemm.hpp"
#include "detnum/cuda/pointwise.hpp"
#include "detnum/cuda/reduce.hpp"
#include "detnum/testing/golden.hpp"
#include "golden_cases.hpp"
#include "support/gpu.hpp"

namespace detnum::test {
namespace {

template <class T>
DeviceBuffer<T> upload(const std::vector<T>& h) {
  DeviceBuffer<T> d(h.size());
  if (cudaMemcpy(d.get(), h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice) != cudaSuccess)
    ADD_FAILURE() << "cudaMemcpy to the device failed";
  return d;
}

template <class T>
Fingerprint device_fingerprint(const DeviceBuffer<T>& d, std::vector<std::int64_t> shape) {
  return cuda::fingerprint(TensorView::of(static_cast<const T*>(d.get()), std::move(shape)));
}

TEST(GoldenGpu, Dropout) {
  DETNUM_REQUIRE_GPU();
  const auto x = upload(golden_x());
  DeviceBuffer<float> y(kGoldenN);
  DeviceBuffer<std::uint8_t> mask(static_cast<std::size_t>(dropout_mask_bytes(kGoldenN)));
  cuda::dropout_forward(x.get(), y.get(), kGoldenN, kGoldenDropout, mask.get());
  DETNUM_EXPECT_GOLDEN(device_fingerprint(y, {kGoldenN}), kGoldenFile, "dropout_forward/f32/y");
  DETNUM_EXPECT_GOLDEN(device_fingerprint(mask, {dropout_mask_bytes(kGoldenN)}), kGoldenFile, "dropout_forward/f32/mask");
  const auto xb = upload(golden_x_bf16());
  DeviceBuffer<bf16> yb(kGoldenN);
  cuda::dropout_forward(xb.get(), yb.get(), kGoldenN, kGoldenDropout, nullptr);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(yb, {kGoldenN}), kGoldenFile, "dropout_forward/bf16/y");
}

TEST(GoldenGpu, Reductions) {
  DETNUM_REQUIRE_GPU();
  const auto x = upload(golden_x());
  const auto xb = upload(golden_x_bf16());
  DeviceBuffer<float> r(5);
  cuda::sum(x.get(), kGoldenN, r.get() + 0);
  cuda::dot(x.get(), x.get() + 1, kGoldenN - 1, r.get() + 1);
  cuda::nrm2(x.get(), kGoldenN, r.get() + 2);
  cuda::variance(x.get(), kGoldenN, 1, r.get() + 3);
  cuda::sum(xb.get(), kGoldenN, r.get() + 4);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(r, {5}), kGoldenFile, "reductions/sum,dot,nrm2,variance,sum_bf16");
  DeviceBuffer<float> rows(kGoldenRows), cols(kGoldenCols);
  cuda::row_sums(x.get(), MatrixLayout::dense(kGoldenRows, kGoldenCols), rows.get());
  cuda::column_sums(x.get(), MatrixLayout::dense(kGoldenRows, kGoldenCols), cols.get());
  DETNUM_EXPECT_GOLDEN(device_fingerprint(rows, {kGoldenRows}), kGoldenFile, "row_sums/f32/300x37");
  DETNUM_EXPECT_GOLDEN(device_fingerprint(cols, {kGoldenCols}), kGoldenFile, "column_sums/f32/300x37");
}

TEST(GoldenGpu, Gemm) {
  DETNUM_REQUIRE_GPU();
  const auto x = upload(golden_x());
  DeviceBuffer<float> c(kGemmM * kGemmN);
  cuda::gemm(Transpose::no, Transpose::yes, kGemmM, kGemmN, kGemmK, 1.0f, x.get(), kGemmK, x.get() + 20000, kGemmK,
             0.0f, c.get(), kGemmN);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(c, {kGemmM, kGemmN}), kGoldenFile, "gemm/f32/NT/37x53x300");
  const auto xb = upload(golden_x_bf16());
  DeviceBuffer<bf16> cb(kGemmM * kGemmN);
  cuda::gemm(Transpose::no, Transpose::no, kGemmM, kGemmN, kGemmK, 1.0f, xb.get(), kGemmK, xb.get() + 20000, kGemmN,
             0.0f, cb.get(), kGemmN);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(cb, {kGemmM, kGemmN}), kGoldenFile, "gemm/bf16->bf16/NN/37x53x300");
}

TEST(GoldenGpu, Pointwise) {
  DETNUM_REQUIRE_GPU();
  const auto x = upload(golden_x());
  DeviceBuffer<float> y(kGoldenN);
  cuda::gelu(x.get(), y.get(), kGoldenN);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(y, {kGoldenN}), kGoldenFile, "gelu/f32");
  DeviceBuffer<float> dx(kGoldenN - 1);
  cuda::gelu_backward(x.get(), x.get() + 1, dx.get(), kGoldenN - 1);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(dx, {kGoldenN - 1}), kGoldenFile, "gelu_backward/f32");
  DeviceBuffer<float> b(kGoldenRows * kGoldenCols);
  cuda::bias_add(x.get(), x.get() + 50000, b.get(), kGoldenRows, kGoldenCols);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(b, {kGoldenRows, kGoldenCols}), kGoldenFile, "bias_add/f32/300x37");
  auto param = upload(golden_quarter(0)), m = upload(golden_quarter(2)), v = upload(golden_quarter(3));
  const auto grad = upload(golden_quarter(1));
  for (std::int64_t step = 1; step <= 3; ++step) {
    AdamWParams p = kGoldenAdamW;
    p.step = step;
    cuda::adamw_step(param.get(), grad.get(), m.get(), v.get(), kGoldenQuarter, p);
  }
  DETNUM_EXPECT_GOLDEN(device_fingerprint(param, {kGoldenQuarter}), kGoldenFile, "adamw/f32/param");
  DETNUM_EXPECT_GOLDEN(device_fingerprint(m, {kGoldenQuarter}), kGoldenFile, "adamw/f32/m");
  DETNUM_EXPECT_GOLDEN(device_fingerprint(v, {kGoldenQuarter}), kGoldenFile, "adamw/f32/v");
}

}  // namespace
}  // namespace detnum::test
