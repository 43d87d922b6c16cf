// The CPU's outputs of every op family against tests/golden/ops.jsonl (see golden_cases.hpp).
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "detnum/attention.hpp"
#include "detnum/clip.hpp"
#include "detnum/embedding.hpp"
#include "detnum/init.hpp"
#include "detnum/loss.hpp"
#include "detnum/norm.hpp"
#include "detnum/pointwise.hpp"
#include "detnum/shuffle.hpp"
#include "detnum/softmax.hpp"
#include "detnum/testing/golden.hpp"
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
                           variance(x.data(), kGoldenN, Ddof{1}), sum(xb.data(), kGoldenN)};
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
  silu(x.data(), y.data(), kGoldenN);
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenN}), kGoldenFile, "silu/f32");
  silu_backward(x.data(), x.data() + 1, y.data(), kGoldenN - 1);
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenN - 1}), kGoldenFile, "silu_backward/f32");
  gelu_tanh(x.data(), y.data(), kGoldenN);
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenN}), kGoldenFile, "gelu_tanh/f32");
  gelu_tanh_backward(x.data(), x.data() + 1, y.data(), kGoldenN - 1);
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenN - 1}), kGoldenFile, "gelu_tanh_backward/f32");
  sigmoid(x.data(), y.data(), kGoldenN);
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenN}), kGoldenFile, "sigmoid/f32");
  sigmoid_backward(x.data(), x.data() + 1, y.data(), kGoldenN - 1);
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenN - 1}), kGoldenFile, "sigmoid_backward/f32");
  tanh(x.data(), y.data(), kGoldenN);
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenN}), kGoldenFile, "tanh/f32");
  tanh_backward(x.data(), x.data() + 1, y.data(), kGoldenN - 1);
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenN - 1}), kGoldenFile, "tanh_backward/f32");
  float loss = 0.0f;
  mse_loss(x.data(), x.data() + 1, kGoldenN - 1, LossReduction::mean, &loss, y.data());
  DETNUM_EXPECT_GOLDEN(TensorView::of(&loss, {1}), kGoldenFile, "mse_loss/f32/mean/loss");
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenN - 1}), kGoldenFile, "mse_loss/f32/mean/dx");
  binary_cross_entropy_with_logits(x.data(), x.data() + 1, kGoldenN - 1, LossReduction::sum, &loss, y.data());
  DETNUM_EXPECT_GOLDEN(TensorView::of(&loss, {1}), kGoldenFile, "binary_cross_entropy_with_logits/f32/sum/loss");
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenN - 1}), kGoldenFile, "binary_cross_entropy_with_logits/f32/sum/dx");
  bias_add(x.data(), x.data() + 50000, y.data(), kGoldenRows, kGoldenCols);
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenRows, kGoldenCols}), kGoldenFile, "bias_add/f32/300x37");
  const std::vector<float> xs = golden_x_specials();
  relu(xs.data(), y.data(), kGoldenN);
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenN}), kGoldenFile, "relu/f32");
  relu_backward(xs.data(), xs.data() + 1, y.data(), kGoldenN - 1);
  DETNUM_EXPECT_GOLDEN(TensorView::of(y.data(), {kGoldenN - 1}), kGoldenFile, "relu_backward/f32");
  std::vector<float> param = golden_quarter(0), m = golden_quarter(2), v = golden_quarter(3);
  const std::vector<float> grad = golden_quarter(1);
  for (std::int64_t step = 1; step <= 3; ++step) {
    AdamWParams p = kGoldenAdamW;
    p.step = step;
    adamw_step(param.data(), grad.data(), m.data(), v.data(), kGoldenQuarter, p);
  }
  DETNUM_EXPECT_GOLDEN(TensorView::of(param.data(), {kGoldenQuarter}), kGoldenFile, "adamw/f32/param");
  DETNUM_EXPECT_GOLDEN(TensorView::of(m.data(), {kGoldenQuarter}), kGoldenFile, "adamw/f32/m");
  std::vector<float> sgd_param = golden_quarter(0), buffer = golden_quarter(2);
  for (std::int64_t step = 1; step <= 3; ++step) {
    SgdParams p = kGoldenSgd;
    p.step = step;
    sgd_step(sgd_param.data(), grad.data(), buffer.data(), kGoldenQuarter, p);
  }
  DETNUM_EXPECT_GOLDEN(TensorView::of(sgd_param.data(), {kGoldenQuarter}), kGoldenFile, "sgd/f32/param");
  DETNUM_EXPECT_GOLDEN(TensorView::of(buffer.data(), {kGoldenQuarter}), kGoldenFile, "sgd/f32/momentum_buffer");
  DETNUM_EXPECT_GOLDEN(TensorView::of(v.data(), {kGoldenQuarter}), kGoldenFile, "adamw/f32/v");
  std::vector<float> g0 = golden_quarter(0), g1 = golden_quarter(1);
  const float norm = clip_grad_norm(golden_clip_list(g0.data(), g1.data()), kGoldenMaxNorm);
  DETNUM_EXPECT_GOLDEN(TensorView::of(&norm, {1}), kGoldenFile, "clip_grad_norm/f32/norm");
  DETNUM_EXPECT_GOLDEN(TensorView::of(g0.data(), {kGoldenQuarter}), kGoldenFile, "clip_grad_norm/f32/grads0");
  DETNUM_EXPECT_GOLDEN(TensorView::of(g1.data() + 1, {kGoldenQuarter - 1}), kGoldenFile, "clip_grad_norm/f32/grads1");
}

// Every row op on `in`, each output under "<op>/f32/<label>/<output>". The cross-entropy loss is
// checked twice: with dlogits and without (a path of its own).
void expect_row_ops_golden(const RowInputs& in, const std::string& label) {
  const std::int64_t rows = in.rows, cols = in.cols;
  const auto golden = [&](const std::vector<float>& v, std::vector<std::int64_t> shape, const char* op,
                          const char* output) {
    DETNUM_EXPECT_GOLDEN(TensorView::of(v.data(), std::move(shape)), kGoldenFile,
                         std::string(op) + "/f32/" + label + "/" + output);
  };
  std::vector<float> y(rows * cols), dx(rows * cols), mean(rows), rstd(rows), dgamma(cols), dbeta(cols), loss(1),
      losses(rows);
  softmax(in.x.data(), y.data(), rows, cols);
  golden(y, {rows, cols}, "softmax", "y");
  log_softmax(in.x.data(), y.data(), rows, cols);
  golden(y, {rows, cols}, "log_softmax", "y");
  softmax_backward(in.softmax_y.data(), in.dy.data(), dx.data(), rows, cols);
  golden(dx, {rows, cols}, "softmax_backward", "dx");
  log_softmax_backward(in.log_softmax_y.data(), in.dy.data(), dx.data(), rows, cols);
  golden(dx, {rows, cols}, "log_softmax_backward", "dx");
  causal_softmax(in.x.data(), y.data(), rows, cols, causal_mask(cols, false));
  golden(y, {rows, cols}, "causal_softmax", "y");
  causal_softmax_backward(in.softmax_y.data(), in.dy.data(), dx.data(), rows, cols, causal_mask(cols, true));
  golden(dx, {rows, cols}, "causal_softmax_backward", "dx");
  cross_entropy(in.x.data(), in.labels.data(), rows, cols, loss.data(), dx.data());
  golden(loss, {1}, "cross_entropy", "loss");
  golden(dx, {rows, cols}, "cross_entropy", "dlogits");
  cross_entropy(in.x.data(), in.labels.data(), rows, cols, loss.data(), nullptr);
  golden(loss, {1}, "cross_entropy", "loss");
  const CrossEntropyOptions ignore{.ignore_index = kIgnoredLabel};
  cross_entropy(in.x.data(), in.labels_ignoring.data(), rows, cols, ignore, loss.data(), dx.data());
  golden(loss, {1}, "cross_entropy_ignore", "loss");
  golden(dx, {rows, cols}, "cross_entropy_ignore", "dlogits");
  cross_entropy(in.x.data(), in.labels_ignoring.data(), rows, cols, ignore, loss.data(), nullptr);
  golden(loss, {1}, "cross_entropy_ignore", "loss");
  cross_entropy(in.x.data(), in.labels_ignoring.data(), rows, cols, kGoldenSmoothing, loss.data(), dx.data());
  golden(loss, {1}, "cross_entropy_smooth", "loss");
  golden(dx, {rows, cols}, "cross_entropy_smooth", "dlogits");
  cross_entropy(in.x.data(), in.labels_ignoring.data(), rows, cols, kGoldenPerRow, losses.data(), dx.data());
  golden(losses, {rows}, "cross_entropy_none", "loss");
  golden(dx, {rows, cols}, "cross_entropy_none", "dlogits");
  layer_norm(in.x.data(), in.gamma.data(), in.beta.data(), y.data(), mean.data(), rstd.data(), rows, cols, in.eps);
  golden(y, {rows, cols}, "layer_norm", "y");
  golden(mean, {rows}, "layer_norm", "mean");
  golden(rstd, {rows}, "layer_norm", "rstd");
  layer_norm_backward(in.x.data(), in.gamma.data(), in.mean.data(), in.rstd.data(), in.dy.data(), dx.data(),
                      dgamma.data(), dbeta.data(), rows, cols);
  golden(dx, {rows, cols}, "layer_norm_backward", "dx");
  golden(dgamma, {cols}, "layer_norm_backward", "dgamma");
  golden(dbeta, {cols}, "layer_norm_backward", "dbeta");
  rms_norm(in.x.data(), in.gamma.data(), y.data(), rstd.data(), rows, cols, in.eps);
  golden(y, {rows, cols}, "rms_norm", "y");
  golden(rstd, {rows}, "rms_norm", "rstd");
  rms_norm_backward(in.x.data(), in.gamma.data(), in.rms_rstd.data(), in.dy.data(), dx.data(), dgamma.data(), rows,
                    cols);
  golden(dx, {rows, cols}, "rms_norm_backward", "dx");
  golden(dgamma, {cols}, "rms_norm_backward", "dgamma");
  // Batch norm: the running statistics from PyTorch's initial values (0 and 1); the backward pass
  // from this forward's mean and rstd.
  std::vector<float> bn_mean(cols), bn_rstd(cols), running_mean(cols, 0.0f), running_var(cols, 1.0f);
  batch_norm(in.x.data(), in.gamma.data(), in.beta.data(), y.data(), bn_mean.data(), bn_rstd.data(), rows, cols, in.eps,
             {running_mean.data(), running_var.data(), 0.1f});
  golden(y, {rows, cols}, "batch_norm", "y");
  golden(bn_mean, {cols}, "batch_norm", "mean");
  golden(bn_rstd, {cols}, "batch_norm", "rstd");
  golden(running_mean, {cols}, "batch_norm", "running_mean");
  golden(running_var, {cols}, "batch_norm", "running_var");
  batch_norm_backward(in.x.data(), in.gamma.data(), bn_mean.data(), bn_rstd.data(), in.dy.data(), dx.data(),
                      dgamma.data(), dbeta.data(), rows, cols);
  golden(dx, {rows, cols}, "batch_norm_backward", "dx");
  golden(dgamma, {cols}, "batch_norm_backward", "dgamma");
  golden(dbeta, {cols}, "batch_norm_backward", "dbeta");
}

TEST(Golden, RowOps) {
  for (const bool specials : {false, true}) expect_row_ops_golden(golden_rows(specials), golden_rows_label(specials));
}

TEST(Golden, Attention) {
  for (const auto& [label, c] : golden_attention_cases()) {
    AttentionOutputs o = attention_buffers(c);
    scaled_dot_product_attention(c.q.data(), c.k.data(), c.v.data(), o.out.data(), o.probs.data(), c.shape, c.options);
    scaled_dot_product_attention_backward(c.q.data(), c.k.data(), c.v.data(), o.probs.data(), c.dout.data(),
                                          o.dq.data(), o.dk.data(), o.dv.data(), c.shape, c.options);
    const AttentionShape& s = c.shape;
    const auto golden = [&](const std::vector<float>& v, std::int64_t rows, std::int64_t cols, const char* output) {
      DETNUM_EXPECT_GOLDEN(TensorView::of(v.data(), {s.batch, rows, cols}), kGoldenFile,
                           "attention/f32/" + label + "/" + output);
    };
    golden(o.out, s.queries, s.value_dim, "out");
    golden(o.probs, s.queries, s.keys, "probs");
    golden(o.dq, s.queries, s.head_dim, "dq");
    golden(o.dk, s.keys, s.head_dim, "dk");
    golden(o.dv, s.keys, s.value_dim, "dv");
  }
}

TEST(Golden, Embedding) {
  const EmbeddingShape& s = kGoldenEmbedding;
  const EmbeddingInputs in = golden_embedding_inputs();
  std::vector<float> out(s.n * s.dim), dtable(s.vocab * s.dim);
  embedding_forward(in.table.data(), s.vocab, s.dim, in.ids.data(), s.n, out.data());
  DETNUM_EXPECT_GOLDEN(TensorView::of(out.data(), {s.n, s.dim}), kGoldenFile, "embedding_forward/f32/out");
  embedding_backward(in.ids.data(), s.n, in.dout.data(), s.vocab, s.dim, dtable.data());
  DETNUM_EXPECT_GOLDEN(TensorView::of(dtable.data(), {s.vocab, s.dim}), kGoldenFile, "embedding_backward/f32/dtable");
}

TEST(Golden, Init) {
  std::vector<float> x(kGoldenN);
  std::vector<bf16> xb(kGoldenN);
  init_uniform(x.data(), kGoldenN, kGoldenUniformLo, kGoldenUniformHi, kGoldenInit);
  DETNUM_EXPECT_GOLDEN(TensorView::of(x.data(), {kGoldenN}), kGoldenFile, "init_uniform/f32");
  init_uniform(xb.data(), kGoldenN, kGoldenUniformLo, kGoldenUniformHi, kGoldenInit);
  DETNUM_EXPECT_GOLDEN(TensorView::of(xb.data(), {kGoldenN}), kGoldenFile, "init_uniform/bf16");
  init_normal(x.data(), kGoldenN, kGoldenNormalMean, kGoldenNormalStd, kGoldenInit);
  DETNUM_EXPECT_GOLDEN(TensorView::of(x.data(), {kGoldenN}), kGoldenFile, "init_normal/f32");
  init_normal(xb.data(), kGoldenN, kGoldenNormalMean, kGoldenNormalStd, kGoldenInit);
  DETNUM_EXPECT_GOLDEN(TensorView::of(xb.data(), {kGoldenN}), kGoldenFile, "init_normal/bf16");
}

// split_indices has no CUDA version (it runs on the host), so golden_gpu_test checks only the shuffle.
TEST(Golden, DataOrder) {
  std::vector<std::int64_t> order(kGoldenN);
  shuffle_indices(kGoldenN, kGoldenShuffleSeed, kGoldenShuffleEpoch, order.data());
  DETNUM_EXPECT_GOLDEN(TensorView::of(order.data(), {kGoldenN}), kGoldenFile, "shuffle_indices/100003");
  const DatasetSplit split = split_indices(kGoldenN, 0.8, 0.1, kGoldenShuffleSeed);
  for (const auto& [part, name] : {std::pair{&split.train, "train"}, std::pair{&split.validation, "validation"},
                                   std::pair{&split.test, "test"}})
    DETNUM_EXPECT_GOLDEN(TensorView::of(part->data(), {std::ssize(*part)}), kGoldenFile,
                         std::string("split_indices/100003,0.8,0.1/") + name);
}

}  // namespace
}  // namespace detnum::test
