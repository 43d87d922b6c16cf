// The demo's model on a DemoBackend: its parameters, a batch's activations, the forward pass and
// one training step (forward, cross-entropy, backward, gradient clipping, AdamW). Used by `detnum demo`'s training
// loop and by the training-step benchmark (bench/training_step_bench.cpp).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "demo_backend.hpp"
#include "demo_data.hpp"
#include "demo_train.hpp"

namespace detnum::cli {

constexpr std::int64_t kIn = Digits::kFeatures, kOut = Digits::kClasses;

// A parameter with its gradient and AdamW moments, all on the backend.
struct Param {
  std::string name;
  std::vector<std::int64_t> shape;
  float *value, *grad, *m, *v;
  std::int64_t size() const {
    std::int64_t n = 1;
    for (const std::int64_t d : shape) n *= d;
    return n;
  }
};

// Activations of a batch of `rows` (sized for the largest batch used).
struct Activations {
  float *x, *h1, *ln, *mean, *rstd, *act, *drop, *logits;
  std::uint8_t* mask;
  std::int32_t* labels;
  Activations(DemoBackend& b, std::int64_t rows, std::int64_t hidden)
      : x(b.floats(rows * kIn)), h1(b.floats(rows * hidden)), ln(b.floats(rows * hidden)), mean(b.floats(rows)),
        rstd(b.floats(rows)), act(b.floats(rows * hidden)), drop(b.floats(rows * hidden)),
        logits(b.floats(rows * kOut)), mask(b.bytes(dropout_mask_bytes(rows * hidden))), labels(b.ints(rows)) {}
};

// The rows `indices[first, first + rows)` of the dataset, uploaded as a batch.
inline void load_batch(DemoBackend& b, const Digits& data, const std::vector<std::int64_t>& indices, std::int64_t first,
                std::int64_t rows, Activations& a) {
  std::vector<float> x(static_cast<std::size_t>(rows * kIn));
  std::vector<std::int32_t> y(static_cast<std::size_t>(rows));
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t item = indices[static_cast<std::size_t>(first + r)];
    for (std::int64_t f = 0; f < kIn; ++f) x[r * kIn + f] = data.features[item * kIn + f];
    y[r] = data.labels[item];
  }
  b.upload(a.x, x.data(), rows * kIn);
  b.upload(a.labels, y.data(), rows);
}

class Mlp {
 public:
  Mlp(DemoBackend& b, const TrainConfig& c) : b_(b), c_(c), h_(c.hidden) {
    w1_ = add("fc1.weight", {h_, kIn});
    b1_ = add("fc1.bias", {h_});
    gamma_ = add("ln.weight", {h_});
    beta_ = add("ln.bias", {h_});
    w2_ = add("fc2.weight", {kOut, h_});
    b2_ = add("fc2.bias", {kOut});
    // PyTorch's Linear default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), from the seed; LayerNorm: 1, 0.
    const float bound1 = 1.0f / std::sqrt(static_cast<float>(kIn)), bound2 = 1.0f / std::sqrt(static_cast<float>(h_));
    b.init_uniform(params_[w1_].value, h_ * kIn, -bound1, bound1, {c.seed, 0});
    b.init_uniform(params_[w2_].value, kOut * h_, -bound2, bound2, {c.seed, std::uint64_t{1} << 40});
    const std::vector<float> ones(static_cast<std::size_t>(h_), 1.0f);
    b.upload(params_[gamma_].value, ones.data(), h_);
    dh_ = b.floats(c.batch * h_);
    dact_ = b.floats(c.batch * h_);
    dlogits_ = b.floats(c.batch * kOut);
    for (const Param& p : params_) {
      grads_.push_back({p.grad, p.size()});
      adamw_list_.push_back({p.value, p.grad, p.m, p.v, p.size()});
    }
  }

  const std::vector<Param>& params() const { return params_; }
  // The global norm of the last step's gradients, before clipping.
  float grad_norm() const { return grad_norm_; }

  // Logits of a.x (rows of them); dropout only when training (the mask of `step`).
  void forward(Activations& a, std::int64_t rows, bool training, std::int64_t step) {
    b_.gemm(Transpose::no, Transpose::yes, rows, h_, kIn, a.x, kIn, params_[w1_].value, kIn, a.h1, h_);
    b_.bias_add(a.h1, params_[b1_].value, rows, h_);
    b_.layer_norm(a.h1, params_[gamma_].value, params_[beta_].value, a.ln, a.mean, a.rstd, rows, h_, c_.ln_eps);
    b_.gelu(a.ln, a.act, rows * h_);
    const float* hidden = a.act;
    if (training && c_.dropout > 0.0f) {
      const DropoutParams p{c_.dropout, c_.seed, static_cast<std::uint64_t>(step * c_.batch * h_)};
      b_.dropout_forward(a.act, a.drop, rows * h_, p, a.mask);
      hidden = a.drop;
    }
    b_.gemm(Transpose::no, Transpose::yes, rows, kOut, h_, hidden, h_, params_[w2_].value, h_, a.logits, kOut);
    b_.bias_add(a.logits, params_[b2_].value, rows, kOut);
  }

  // One training step on the batch in `a`: forward, loss, backward, clipping, AdamW. Returns the
  // loss.
  float step(Activations& a, std::int64_t step) {
    const std::int64_t n = c_.batch;
    forward(a, n, true, step);
    const float loss = b_.cross_entropy(a.logits, a.labels, n, kOut, dlogits_);
    const float* hidden = c_.dropout > 0.0f ? a.drop : a.act;
    b_.gemm(Transpose::yes, Transpose::no, kOut, h_, n, dlogits_, kOut, hidden, h_, params_[w2_].grad, h_);
    b_.column_sums(dlogits_, n, kOut, params_[b2_].grad);
    b_.gemm(Transpose::no, Transpose::no, n, h_, kOut, dlogits_, kOut, params_[w2_].value, h_, dact_, h_);
    if (c_.dropout > 0.0f) b_.dropout_backward(dact_, a.mask, dact_, n * h_, c_.dropout);
    b_.gelu_backward(a.ln, dact_, dact_, n * h_);
    b_.layer_norm_backward(a.h1, params_[gamma_].value, a.mean, a.rstd, dact_, dh_, params_[gamma_].grad,
                           params_[beta_].grad, n, h_);
    b_.gemm(Transpose::yes, Transpose::no, h_, kIn, n, dh_, h_, a.x, kIn, params_[w1_].grad, kIn);
    b_.column_sums(dh_, n, h_, params_[b1_].grad);
    grad_norm_ = b_.clip_grad_norm(grads_, c_.max_grad_norm);
    const AdamWParams adamw{c_.lr, 0.9f, 0.999f, 1e-8f, c_.weight_decay, step + 1};
    b_.adamw_step(adamw_list_, adamw);
    return loss;
  }

 private:
  std::size_t add(std::string name, std::vector<std::int64_t> shape) {
    Param p{std::move(name), std::move(shape), nullptr, nullptr, nullptr, nullptr};
    const std::int64_t n = p.size();
    p.value = b_.floats(n);
    p.grad = b_.floats(n);
    p.m = b_.floats(n);
    p.v = b_.floats(n);
    params_.push_back(std::move(p));
    return params_.size() - 1;
  }

  DemoBackend& b_;
  const TrainConfig& c_;
  std::int64_t h_;
  std::vector<Param> params_;
  std::vector<GradTensor> grads_;         // every parameter's gradient, in the order of params_
  std::vector<AdamWTensor> adamw_list_;  // every parameter with its gradient and moments
  float grad_norm_ = 0.0f;
  std::size_t w1_, b1_, gamma_, beta_, w2_, b2_;
  float *dh_, *dact_, *dlogits_;
};

}  // namespace detnum::cli
