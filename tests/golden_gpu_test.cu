// The CUDA kernels' outputs against the same golden file as the CPU's (golden_cases.hpp): the
// fingerprints of device tensors (detnum::cuda::fingerprint) must equal the pinned ones.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "detnum/cuda/adamw.hpp"
#include "detnum/cuda/clip.hpp"
#include "detnum/cuda/dropout.hpp"
#include "detnum/cuda/embedding.hpp"
#include "detnum/cuda/fingerprint.hpp"
#include "detnum/cuda/gemm.hpp"
#include "detnum/cuda/init.hpp"
#include "detnum/cuda/loss.hpp"
#include "detnum/cuda/norm.hpp"
#include "detnum/cuda/pointwise.hpp"
#include "detnum/cuda/reduce.hpp"
#include "detnum/cuda/attention.hpp"
#include "detnum/cuda/sgd.hpp"
#include "detnum/cuda/shuffle.hpp"
#include "detnum/cuda/softmax.hpp"
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
  cuda::variance(x.get(), kGoldenN, Ddof{1}, r.get() + 3);
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
  cuda::silu(x.get(), y.get(), kGoldenN);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(y, {kGoldenN}), kGoldenFile, "silu/f32");
  cuda::silu_backward(x.get(), x.get() + 1, dx.get(), kGoldenN - 1);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(dx, {kGoldenN - 1}), kGoldenFile, "silu_backward/f32");
  cuda::gelu_tanh(x.get(), y.get(), kGoldenN);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(y, {kGoldenN}), kGoldenFile, "gelu_tanh/f32");
  cuda::gelu_tanh_backward(x.get(), x.get() + 1, dx.get(), kGoldenN - 1);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(dx, {kGoldenN - 1}), kGoldenFile, "gelu_tanh_backward/f32");
  cuda::sigmoid(x.get(), y.get(), kGoldenN);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(y, {kGoldenN}), kGoldenFile, "sigmoid/f32");
  cuda::sigmoid_backward(x.get(), x.get() + 1, dx.get(), kGoldenN - 1);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(dx, {kGoldenN - 1}), kGoldenFile, "sigmoid_backward/f32");
  cuda::tanh(x.get(), y.get(), kGoldenN);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(y, {kGoldenN}), kGoldenFile, "tanh/f32");
  cuda::tanh_backward(x.get(), x.get() + 1, dx.get(), kGoldenN - 1);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(dx, {kGoldenN - 1}), kGoldenFile, "tanh_backward/f32");
  DeviceBuffer<float> loss(1);
  cuda::mse_loss(x.get(), x.get() + 1, kGoldenN - 1, LossReduction::mean, loss.get(), dx.get());
  DETNUM_EXPECT_GOLDEN(device_fingerprint(loss, {1}), kGoldenFile, "mse_loss/f32/mean/loss");
  DETNUM_EXPECT_GOLDEN(device_fingerprint(dx, {kGoldenN - 1}), kGoldenFile, "mse_loss/f32/mean/dx");
  cuda::binary_cross_entropy_with_logits(x.get(), x.get() + 1, kGoldenN - 1, LossReduction::sum, loss.get(), dx.get());
  DETNUM_EXPECT_GOLDEN(device_fingerprint(loss, {1}), kGoldenFile, "binary_cross_entropy_with_logits/f32/sum/loss");
  DETNUM_EXPECT_GOLDEN(device_fingerprint(dx, {kGoldenN - 1}), kGoldenFile, "binary_cross_entropy_with_logits/f32/sum/dx");
  DeviceBuffer<float> b(kGoldenRows * kGoldenCols);
  cuda::bias_add(x.get(), x.get() + 50000, b.get(), kGoldenRows, kGoldenCols);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(b, {kGoldenRows, kGoldenCols}), kGoldenFile, "bias_add/f32/300x37");
  const auto xs = upload(golden_x_specials());
  cuda::relu(xs.get(), y.get(), kGoldenN);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(y, {kGoldenN}), kGoldenFile, "relu/f32");
  cuda::relu_backward(xs.get(), xs.get() + 1, dx.get(), kGoldenN - 1);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(dx, {kGoldenN - 1}), kGoldenFile, "relu_backward/f32");
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
  auto sgd_param = upload(golden_quarter(0)), buffer = upload(golden_quarter(2));
  for (std::int64_t step = 1; step <= 3; ++step) {
    SgdParams p = kGoldenSgd;
    p.step = step;
    cuda::sgd_step(sgd_param.get(), grad.get(), buffer.get(), kGoldenQuarter, p);
  }
  DETNUM_EXPECT_GOLDEN(device_fingerprint(sgd_param, {kGoldenQuarter}), kGoldenFile, "sgd/f32/param");
  DETNUM_EXPECT_GOLDEN(device_fingerprint(buffer, {kGoldenQuarter}), kGoldenFile, "sgd/f32/momentum_buffer");
  auto g0 = upload(golden_quarter(0)), g1 = upload(golden_quarter(1));
  DeviceBuffer<float> norm(1);
  cuda::clip_grad_norm(golden_clip_list(g0.get(), g1.get()), kGoldenMaxNorm, norm.get());
  DETNUM_EXPECT_GOLDEN(device_fingerprint(norm, {1}), kGoldenFile, "clip_grad_norm/f32/norm");
  DETNUM_EXPECT_GOLDEN(device_fingerprint(g0, {kGoldenQuarter}), kGoldenFile, "clip_grad_norm/f32/grads0");
  DETNUM_EXPECT_GOLDEN(cuda::fingerprint(TensorView::of(static_cast<const float*>(g1.get()) + 1, {kGoldenQuarter - 1})),
                       kGoldenFile, "clip_grad_norm/f32/grads1");
}

// Every row op on `in`, under golden_test's keys "<op>/f32/<label>/<output>"; the cross-entropy
// loss with dlogits and without.
void expect_row_ops_golden(const RowInputs& in, const std::string& label) {
  const std::int64_t rows = in.rows, cols = in.cols;
  const auto golden = [&](const DeviceBuffer<float>& d, std::vector<std::int64_t> shape, const char* op,
                          const char* output) {
    DETNUM_EXPECT_GOLDEN(device_fingerprint(d, std::move(shape)), kGoldenFile,
                         std::string(op) + "/f32/" + label + "/" + output);
  };
  const auto x = upload(in.x), dy = upload(in.dy), gamma = upload(in.gamma), beta = upload(in.beta),
             softmax_y = upload(in.softmax_y), log_softmax_y = upload(in.log_softmax_y), saved_mean = upload(in.mean),
             saved_rstd = upload(in.rstd), saved_rms_rstd = upload(in.rms_rstd);
  const auto labels = upload(in.labels);
  DeviceBuffer<float> y(rows * cols), dx(rows * cols), mean(rows), rstd(rows), dgamma(cols), dbeta(cols), loss(1),
      losses(rows);
  cuda::softmax(x.get(), y.get(), rows, cols);
  golden(y, {rows, cols}, "softmax", "y");
  cuda::log_softmax(x.get(), y.get(), rows, cols);
  golden(y, {rows, cols}, "log_softmax", "y");
  cuda::softmax_backward(softmax_y.get(), dy.get(), dx.get(), rows, cols);
  golden(dx, {rows, cols}, "softmax_backward", "dx");
  cuda::log_softmax_backward(log_softmax_y.get(), dy.get(), dx.get(), rows, cols);
  golden(dx, {rows, cols}, "log_softmax_backward", "dx");
  cuda::causal_softmax(x.get(), y.get(), rows, cols, causal_mask(cols, false));
  golden(y, {rows, cols}, "causal_softmax", "y");
  cuda::causal_softmax_backward(softmax_y.get(), dy.get(), dx.get(), rows, cols, causal_mask(cols, true));
  golden(dx, {rows, cols}, "causal_softmax_backward", "dx");
  cuda::cross_entropy(x.get(), labels.get(), rows, cols, loss.get(), dx.get());
  golden(loss, {1}, "cross_entropy", "loss");
  golden(dx, {rows, cols}, "cross_entropy", "dlogits");
  cuda::cross_entropy(x.get(), labels.get(), rows, cols, loss.get(), nullptr);
  golden(loss, {1}, "cross_entropy", "loss");
  const auto labels_ignoring = upload(in.labels_ignoring);
  const CrossEntropyOptions ignore{.ignore_index = kIgnoredLabel};
  cuda::cross_entropy(x.get(), labels_ignoring.get(), rows, cols, ignore, loss.get(), dx.get());
  golden(loss, {1}, "cross_entropy_ignore", "loss");
  golden(dx, {rows, cols}, "cross_entropy_ignore", "dlogits");
  cuda::cross_entropy(x.get(), labels_ignoring.get(), rows, cols, ignore, loss.get(), nullptr);
  golden(loss, {1}, "cross_entropy_ignore", "loss");
  cuda::cross_entropy(x.get(), labels_ignoring.get(), rows, cols, kGoldenSmoothing, loss.get(), dx.get());
  golden(loss, {1}, "cross_entropy_smooth", "loss");
  golden(dx, {rows, cols}, "cross_entropy_smooth", "dlogits");
  cuda::cross_entropy(x.get(), labels_ignoring.get(), rows, cols, kGoldenPerRow, losses.get(), dx.get());
  golden(losses, {rows}, "cross_entropy_none", "loss");
  golden(dx, {rows, cols}, "cross_entropy_none", "dlogits");
  cuda::layer_norm(x.get(), gamma.get(), beta.get(), y.get(), mean.get(), rstd.get(), rows, cols, in.eps);
  golden(y, {rows, cols}, "layer_norm", "y");
  golden(mean, {rows}, "layer_norm", "mean");
  golden(rstd, {rows}, "layer_norm", "rstd");
  cuda::layer_norm_backward(x.get(), gamma.get(), saved_mean.get(), saved_rstd.get(), dy.get(), dx.get(), dgamma.get(),
                            dbeta.get(), rows, cols);
  golden(dx, {rows, cols}, "layer_norm_backward", "dx");
  golden(dgamma, {cols}, "layer_norm_backward", "dgamma");
  golden(dbeta, {cols}, "layer_norm_backward", "dbeta");
  cuda::rms_norm(x.get(), gamma.get(), y.get(), rstd.get(), rows, cols, in.eps);
  golden(y, {rows, cols}, "rms_norm", "y");
  golden(rstd, {rows}, "rms_norm", "rstd");
  cuda::rms_norm_backward(x.get(), gamma.get(), saved_rms_rstd.get(), dy.get(), dx.get(), dgamma.get(), rows, cols);
  golden(dx, {rows, cols}, "rms_norm_backward", "dx");
  golden(dgamma, {cols}, "rms_norm_backward", "dgamma");
  DeviceBuffer<float> bn_mean(cols), bn_rstd(cols);
  const auto running_mean = upload(std::vector<float>(cols, 0.0f)), running_var = upload(std::vector<float>(cols, 1.0f));
  cuda::batch_norm(x.get(), gamma.get(), beta.get(), y.get(), bn_mean.get(), bn_rstd.get(), rows, cols, in.eps,
                   {running_mean.get(), running_var.get(), 0.1f});
  golden(y, {rows, cols}, "batch_norm", "y");
  golden(bn_mean, {cols}, "batch_norm", "mean");
  golden(bn_rstd, {cols}, "batch_norm", "rstd");
  golden(running_mean, {cols}, "batch_norm", "running_mean");
  golden(running_var, {cols}, "batch_norm", "running_var");
  cuda::batch_norm_backward(x.get(), gamma.get(), bn_mean.get(), bn_rstd.get(), dy.get(), dx.get(), dgamma.get(),
                            dbeta.get(), rows, cols);
  golden(dx, {rows, cols}, "batch_norm_backward", "dx");
  golden(dgamma, {cols}, "batch_norm_backward", "dgamma");
  golden(dbeta, {cols}, "batch_norm_backward", "dbeta");
}

TEST(GoldenGpu, RowOps) {
  DETNUM_REQUIRE_GPU();
  for (const bool specials : {false, true}) expect_row_ops_golden(golden_rows(specials), golden_rows_label(specials));
}

TEST(GoldenGpu, Attention) {
  DETNUM_REQUIRE_GPU();
  for (const auto& [label, c] : golden_attention_cases()) {
    const AttentionShape& s = c.shape;
    const auto q = upload(c.q), k = upload(c.k), v = upload(c.v), dout = upload(c.dout);
    DeviceBuffer<float> out(s.batch * s.queries * s.value_dim), probs(s.batch * s.queries * s.keys),
        dq(s.batch * s.queries * s.head_dim), dk(s.batch * s.keys * s.head_dim), dv(s.batch * s.keys * s.value_dim);
    cuda::scaled_dot_product_attention(q.get(), k.get(), v.get(), out.get(), probs.get(), s, c.options);
    cuda::scaled_dot_product_attention_backward(q.get(), k.get(), v.get(), probs.get(), dout.get(), dq.get(), dk.get(),
                                                dv.get(), s, c.options);
    const auto golden = [&](const DeviceBuffer<float>& d, std::int64_t rows, std::int64_t cols, const char* output) {
      DETNUM_EXPECT_GOLDEN(device_fingerprint(d, {s.batch, rows, cols}), kGoldenFile,
                           "attention/f32/" + label + "/" + output);
    };
    golden(out, s.queries, s.value_dim, "out");
    golden(probs, s.queries, s.keys, "probs");
    golden(dq, s.queries, s.head_dim, "dq");
    golden(dk, s.keys, s.head_dim, "dk");
    golden(dv, s.keys, s.value_dim, "dv");
  }
}

TEST(GoldenGpu, Embedding) {
  DETNUM_REQUIRE_GPU();
  const EmbeddingShape& s = kGoldenEmbedding;
  const EmbeddingInputs in = golden_embedding_inputs();
  const auto table = upload(in.table), dout = upload(in.dout);
  const auto ids = upload(in.ids);
  DeviceBuffer<float> out(s.n * s.dim), dtable(s.vocab * s.dim);
  cuda::embedding_forward(table.get(), s.vocab, s.dim, ids.get(), s.n, out.get());
  DETNUM_EXPECT_GOLDEN(device_fingerprint(out, {s.n, s.dim}), kGoldenFile, "embedding_forward/f32/out");
  cuda::embedding_backward(ids.get(), s.n, dout.get(), s.vocab, s.dim, dtable.get());
  DETNUM_EXPECT_GOLDEN(device_fingerprint(dtable, {s.vocab, s.dim}), kGoldenFile, "embedding_backward/f32/dtable");
}

TEST(GoldenGpu, Init) {
  DETNUM_REQUIRE_GPU();
  DeviceBuffer<float> x(kGoldenN);
  DeviceBuffer<bf16> xb(kGoldenN);
  cuda::init_uniform(x.get(), kGoldenN, kGoldenUniformLo, kGoldenUniformHi, kGoldenInit);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(x, {kGoldenN}), kGoldenFile, "init_uniform/f32");
  cuda::init_uniform(xb.get(), kGoldenN, kGoldenUniformLo, kGoldenUniformHi, kGoldenInit);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(xb, {kGoldenN}), kGoldenFile, "init_uniform/bf16");
  cuda::init_normal(x.get(), kGoldenN, kGoldenNormalMean, kGoldenNormalStd, kGoldenInit);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(x, {kGoldenN}), kGoldenFile, "init_normal/f32");
  cuda::init_normal(xb.get(), kGoldenN, kGoldenNormalMean, kGoldenNormalStd, kGoldenInit);
  DETNUM_EXPECT_GOLDEN(device_fingerprint(xb, {kGoldenN}), kGoldenFile, "init_normal/bf16");
}

// The shuffle only: split_indices runs on the host (golden_test pins it).
TEST(GoldenGpu, DataOrder) {
  DETNUM_REQUIRE_GPU();
  DeviceBuffer<std::int64_t> order(kGoldenN);
  cuda::shuffle_indices(kGoldenN, kGoldenShuffleSeed, kGoldenShuffleEpoch, order.get());
  DETNUM_EXPECT_GOLDEN(device_fingerprint(order, {kGoldenN}), kGoldenFile, "shuffle_indices/100003");
}

}  // namespace
}  // namespace detnum::test
