// The attention cases every backend runs, shared by attention_test.cpp (the fast CPU path) and
// attention_gpu_test.cu (CUDA): shapes with every size at 0 and 1, keys, queries and head_dim past
// a GEMM segment (256), causal masks aligned top-left, bottom-right and past the last key, the
// scale given and zero; each backend's forward and backward outputs against the reference's.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "detnum/attention.hpp"
#include "detnum/random.hpp"
#include "support/bits.hpp"
#include "support/data.hpp"

namespace detnum::test {

struct AttentionCase {
  AttentionShape shape;
  AttentionOptions options;
  bool specials = false;
  std::vector<float> q, k, v, dout;
  AttentionCase(AttentionShape s, AttentionOptions o, bool with_specials = false, std::uint64_t seed = 41)
      : shape(s), options(o), specials(with_specials) {
    const auto fill = [&](std::int64_t rows, std::int64_t cols, std::uint64_t sd) {
      const std::int64_t n = s.batch * rows * cols;
      return with_specials ? random_floats(n, sd) : small_floats(n, sd);  // specials: most outputs NaN
    };
    q = fill(s.queries, s.head_dim, seed);
    k = fill(s.keys, s.head_dim, seed + 1);
    v = fill(s.keys, s.value_dim, seed + 2);
    dout = fill(s.queries, s.value_dim, seed + 3);
  }
  std::string describe() const {
    const AttentionShape& s = shape;
    return "batch " + std::to_string(s.batch) + ", queries " + std::to_string(s.queries) + ", keys " +
           std::to_string(s.keys) + ", head_dim " + std::to_string(s.head_dim) + ", value_dim " +
           std::to_string(s.value_dim) + (options.scale ? ", scale " + test::describe(*options.scale) : "") +
           (options.is_causal ? ", causal offset " + std::to_string(options.causal_offset) : "") +
           (specials ? ", specials" : "");
  }
};

inline std::vector<AttentionCase> attention_cases() {
  const AttentionOptions plain{}, causal{.is_causal = true};
  const auto causal_at = [](std::int64_t offset) {
    return AttentionOptions{.is_causal = true, .causal_offset = offset};
  };
  return {
      {{0, 4, 4, 4, 4}, plain},
      {{1, 1, 1, 1, 1}, plain},
      {{2, 5, 7, 3, 4}, plain},
      {{3, 17, 17, 8, 8}, causal},
      {{2, 9, 5, 4, 6}, causal},        // more queries than keys: the last rows keep every key
      {{2, 5, 9, 4, 4}, causal_at(4)},  // bottom-right
      {{1, 3, 4, 2, 2}, causal_at(100)},
      {{2, 3, 300, 16, 16}, plain},     // keys past a segment: P V and dS K take two
      {{1, 4, 1000, 8, 8}, plain},      // four segments and few tiles: CUDA's automatic split of k
      {{1, 33, 33, 300, 16}, {.scale = 0.125f}},  // head_dim past a segment
      {{2, 260, 20, 4, 4}, causal},     // queries past a segment: dV and dK take two
      {{4, 64, 64, 64, 64}, causal},
      {{2, 4, 0, 4, 4}, plain},         // no keys: out is +0
      {{2, 0, 4, 4, 4}, causal},
      {{2, 4, 4, 0, 3}, plain},         // head_dim 0: every score +0
      {{2, 4, 4, 3, 0}, plain},
      {{2, 6, 6, 4, 4}, {.scale = 0.0f}},
      {{2, 7, 7, 5, 5}, causal, true},
  };
}

inline constexpr std::uint32_t kAttentionSentinelBits = 0x7FBADBADu;

struct AttentionOutputs {
  std::vector<float> out, probs, dq, dk, dv;
};
// Every output filled with a sentinel (a NaN's bits that no output has), so that an element left
// unwritten shows.
inline AttentionOutputs attention_buffers(const AttentionCase& c) {
  const AttentionShape& s = c.shape;
  const auto make = [&](std::int64_t rows, std::int64_t cols) {
    return std::vector<float>(static_cast<std::size_t>(s.batch * rows * cols), float_from_bits(kAttentionSentinelBits));
  };
  return {make(s.queries, s.value_dim), make(s.queries, s.keys), make(s.queries, s.head_dim), make(s.keys, s.head_dim),
          make(s.keys, s.value_dim)};
}

// The forward pass and then the backward pass from its probs, through F (detnum::, detnum::ref::
// or detnum::cuda:: with its options bound): an object with forward and backward members on
// pointers it reads.
template <class F>
void call_attention(const F& f, const AttentionCase& c, const float* q, const float* k, const float* v,
                    const float* dout, float* out, float* probs, float* dq, float* dk, float* dv) {
  f.forward(q, k, v, out, probs, c.shape, c.options);
  f.backward(q, k, v, probs, dout, dq, dk, dv, c.shape, c.options);
}

struct RefAttentionCalls {
  void forward(const float* q, const float* k, const float* v, float* out, float* p, const AttentionShape& s,
               const AttentionOptions& o) const {
    ref::scaled_dot_product_attention(q, k, v, out, p, s, o);
  }
  void backward(const float* q, const float* k, const float* v, const float* p, const float* dout, float* dq,
                float* dk, float* dv, const AttentionShape& s, const AttentionOptions& o) const {
    ref::scaled_dot_product_attention_backward(q, k, v, p, dout, dq, dk, dv, s, o);
  }
};

// The reference's outputs, every element written (else a test failure: a slot the shared steps
// left alone would hold the sentinel on every backend, and pass every comparison).
inline AttentionOutputs reference_attention(const AttentionCase& c) {
  AttentionOutputs o = attention_buffers(c);
  call_attention(RefAttentionCalls{}, c, c.q.data(), c.k.data(), c.v.data(), c.dout.data(), o.out.data(),
                 o.probs.data(), o.dq.data(), o.dk.data(), o.dv.data());
  for (const std::vector<float>* part : {&o.out, &o.probs, &o.dq, &o.dk, &o.dv})
    if (holds_bits(*part, kAttentionSentinelBits))
      ADD_FAILURE() << "the reference left an output unwritten: " << c.describe();
  return o;
}

inline ::testing::AssertionResult same_outputs(const AttentionOutputs& want, const AttentionOutputs& got) {
  return same_outputs({{"out", &want.out, &got.out},
                       {"probs", &want.probs, &got.probs},
                       {"dq", &want.dq, &got.dq},
                       {"dk", &want.dk, &got.dk},
                       {"dv", &want.dv, &got.dv}});
}

// f(case, the reference's outputs) for every case.
template <class F>
void for_each_attention_case(F f) {
  for (const AttentionCase& c : attention_cases()) {
    SCOPED_TRACE(c.describe());
    f(c, reference_attention(c));
  }
}

}  // namespace detnum::test
