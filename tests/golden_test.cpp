// The CPU's outputs of every op family against tests/golden/ops.jsonl (see golden_cases.hpp).
#include <gtest/gtest.h>

#include "detnum/testing/golden.hpp"
#include "detnum/pointwise.hpp"
#include "golden_cases.hpp"

namespace detnum::test {
namespace {

TEST(Golden, Dropout) {
  const std::vector<float> x = golden_x();
  std::vector<float> y(x.size());
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(dropout_mask_bytes(kGoldenN)));
  dropout_forward(x.data(), y.data(), kGoldenN, kGoldenDropout, mask.data());
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenN}), kGoldenFile, "dropout_forward/f32/y");
  DETNUM_EXPECT_GOLDEN(TensorView::of(mask.data(), {std::ssize(mask)}), kGoldenFile, "dropout_forward/f32/mask");
  const std::vector<bf16> xb = golden_x_bf16();
  std::vector<bf16> yb(xb.size());
  dropout_forward(xb.data(), yb.data(), kGoldenN, kGoldenDropout, nullptr);
  DETNUM_EXPECT_GOLDEN(TensorView::of(yb.data(), {kGoldenN}), kGoldenFile, "dropout_forward/bf16/y");
}

TEST(Golden, Reductions) {
  const std::vector<float> x = golden_x();
  const std::vector<bf16> xb = golden_x_bf16();
  const float results[] = {sum(x.data(), kGoldenN), dot(x.data(), x.data() + 1, kGoldenN - 1), nrm2(x.data(), kGoldenN),
                           variance(x.data(), kGoldenN, 1), sum(xb.data(), kGoldenN)};
  DETNUM_EXPECT_GOLDEN(TensorView::of(results, {5}), kGoldenFile, "reductions/sum,dot,nrm2,variance,sum_bf16");
  std::vector<float> rows(kGoldenRows), cols(kGoldenCols);
  row_sums(x.data(), MatrixLayout::dense(kGoldenRows, kGoldenCols), rows.data());
  column_sums(x.data(), MatrixLayout::dense(kGoldenRows, kGoldenCols), cols.data());
  DETNUM_EXPECT_GOLDEN(TensorView::of(rows.data(), {kGoldenRows}), kGoldenFile, "row_sums/f32/300x37");
  DETNUM_EXPECT_GOLDEN(TensorView::of(cols.data(), {kGoldenCols}), kGoldenFile, "column_sums/f32/300x37");
}

TEST(Golden, Gemm) {
  const std::vector<float> x = golden_x();
  std::vector<float> c(kGemmM * kGemmN);
  gemm(Transpose::no, Transpose::yes, kGemmM, kGemmN, kGemmK, 1.0f, x.data(), kGemmK, x.data() + 20000, kGemmK, 0.0f,
       c.data(), kGemmN);
  DETNUM_EXPECT_GOLDEN(TensorView::of(c.data(), {kGemmM, kGemmN}), kGoldenFile, "gemm/f32/NT/37x53x300");
  const std::vector<bf16> xb = golden_x_bf16();
  std::vector<bf16> cb(kGemmM * kGemmN);
  gemm(Transpose::no, Transpose::no, kGemmM, kGemmN, kGemmK, 1.0f, xb.data(), kGemmK, xb.data() + 20000, kGemmN, 0.0f,
       cb.data(), kGemmN);
  DETNUM_EXPECT_GOLDEN(TensorView::of(cb.data(), {kGemmM, kGemmN}), kGoldenFile, "gemm/bf16->bf16/NN/37x53x300");
}

TEST(Golden, Pointwise) {
  const std::vector<float> x = golden_x();
  std::vector<float> y(x.size());
  gelu(x.data(), y.data(), kGoldenN);
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenN}), kGoldenFile, "gelu/f32");
  gelu_backward(x.data(), x.data() + 1, y.data(), kGoldenN - 1);
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenN - 1}), kGoldenFile, "gelu_backward/f32");
  bias_add(x.data(), x.data() + 50000, y.data(), kGoldenRows, kGoldenCols);
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenRows, kGoldenCols}), kGoldenFile, "bias_add/f32/300x37");
  std::vector<float> param = golden_quarter(0), m = golden_quarter(2), v = golden_quarter(3);
  const std::vector<float> grad = golden_quarter(1);
  for (std::int64_t step = 1; step <= 3; ++step) {
    AdamWParams p = kGoldenAdamW;
    p.step = step;
    adamw_step(param.data(), grad.data(), m.data(), v.data(), kGoldenQuarter, p);
  }
  DETNUM_EXPECT_GOLDEN(TensorView::of(param.data(), {kGoldenQuarter}), kGoldenFile, "adamw/f32/param");
  DETNUM_EXPECT_GOLDEN(TensorView::of(m.data(), {kGoldenQuarter}), kGoldenFile, "adamw/f32/m");
  DETNUM_EXPECT_GOLDEN(TensorView::of(v.data(), {kGoldenQuarter}), kGoldenFile, "adamw/f32/v");
}

}  // namespace
}  // namespace detnum::test
