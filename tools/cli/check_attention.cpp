// The attention entries of `detnum check` (detnum/attention.hpp): both passes, all five outputs.
// For input size N: two attentions of r queries and r + 5 keys (r = floor(cbrt(N / 4)), at most
// 40), head_dim 16 and value_dim 8, without a mask, with a bottom-right causal mask, and on inputs
// with specials; one causal attention of 3 queries against min(N, 600) keys (past a GEMM
// segment); and two batch-invariance rows (r at least 2): query 1 alone == row 1 of the whole
// pass, and query r/2 decoding against the keys it sees == its row of the causal pass (out and
// probs).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "check.hpp"

namespace detnum::cli {
namespace {

std::int64_t side(std::int64_t n) {
  return std::min<std::int64_t>(40, static_cast<std::int64_t>(std::cbrt(static_cast<double>(n) / 4)));
}
// No keys when there are no inputs to draw them from (N = 0).
std::int64_t keys(std::int64_t n, std::int64_t k) { return n > 0 ? k : 0; }
AttentionShape small(std::int64_t n) { return {2, side(n), keys(n, side(n) + 5), 16, 8}; }
AttentionShape long_keys(std::int64_t n) { return {1, n > 0 ? 3 : 0, std::min<std::int64_t>(n, 600), 8, 8}; }
AttentionOptions bottom_right(const AttentionShape& s) {
  return {.is_causal = true, .causal_offset = std::max<std::int64_t>(s.keys - s.queries, 0)};
}

// Which outputs a row compares: all five, or out and probs of the forward (the invariance rows:
// the backward pass sums over every query).
enum class Parts { all, forward };

struct Inputs {
  std::vector<float> q, k, v, dout;
};
Inputs inputs(const CheckInputs& in, const AttentionShape& s, bool finite) {
  const auto m = [&](std::int64_t rows, std::int64_t cols, std::int64_t start) {
    return in.n == 0 ? std::vector<float>{} : f32_operand(in, s.batch * rows * cols, start, finite);
  };
  return {m(s.queries, s.head_dim, 0), m(s.keys, s.head_dim, 11), m(s.keys, s.value_dim, 23),
          m(s.queries, s.value_dim, 37)};
}

// Runs both passes on `x` (rows [row0, row0 + shape.queries) of a larger q and dout, when the
// shape is one query of it).
CheckOutputs run(Backend& b, const AttentionShape& s, const AttentionOptions& o, const Inputs& x, Parts parts,
                 std::int64_t row0 = 0) {
  const auto sentinels = [&](std::int64_t rows, std::int64_t cols) { return sentinel_floats(s.batch * rows * cols); };
  std::vector<float> out = sentinels(s.queries, s.value_dim), probs = sentinels(s.queries, s.keys),
                     dq = sentinels(s.queries, s.head_dim), dk = sentinels(s.keys, s.head_dim),
                     dv = sentinels(s.keys, s.value_dim);
  b.attention({s, o, x.q.data() + row0 * s.head_dim, x.k.data(), x.v.data(), x.dout.data() + row0 * s.value_dim,
                 out.data(), probs.data(), dq.data(), dk.data(), dv.data()});
  return {parts == Parts::all ? float_bytes({&out, &probs, &dq, &dk, &dv}) : float_bytes({&out, &probs}), {}};
}

// Row `row` of out and probs of a whole forward pass (batch 1), as run(Parts::forward) writes them.
CheckOutputs row_of(const CheckOutputs& whole, const AttentionShape& s, std::int64_t row) {
  const std::size_t f = sizeof(float), out_bytes = static_cast<std::size_t>(s.queries * s.value_dim) * f;
  const auto at = [&](std::size_t from, std::size_t count) {
    return std::vector<std::uint8_t>(whole.y.begin() + from, whole.y.begin() + from + count);
  };
  std::vector<std::uint8_t> y = at(static_cast<std::size_t>(row * s.value_dim) * f, s.value_dim * f);
  const std::vector<std::uint8_t> p = at(out_bytes + static_cast<std::size_t>(row * s.keys) * f, s.keys * f);
  y.insert(y.end(), p.begin(), p.end());
  return {y, {}};
}

}  // namespace

std::vector<CheckOp> attention_check_ops() {
  std::vector<CheckOp> ops;
  const auto add = [&](const std::string& params, AttentionShape (*shape)(std::int64_t), bool causal, bool finite) {
    ops.push_back({"attention", Dtype::f32, false, params,
                   [=](Backend& b, const CheckInputs& in) {
                     const AttentionShape s = shape(in.n);
                     return run(b, s, causal ? bottom_right(s) : AttentionOptions{}, inputs(in, s, finite), Parts::all);
                   },
                   {}, Dtype::f32});
  };
  add("2 x r queries x (r+5) keys, head_dim 16, value_dim 8, finite inputs", small, false, true);
  add("2 x r queries x (r+5) keys, causal bottom-right, finite inputs", small, true, true);
  add("2 x r queries x (r+5) keys, inputs with specials", small, false, false);
  add("3 queries x min(N, 600) keys, causal bottom-right, finite inputs", long_keys, true, true);
  // Batch invariance (r at least 2, so that there is a row 1 and a masked key): query 1 alone has
  // row 1 of the whole pass's out and probs ...
  const auto r2 = [](std::int64_t n) { return n > 0 ? std::max<std::int64_t>(side(n), 2) : 0; };
  const auto one = [=](std::int64_t n) { return AttentionShape{1, r2(n), keys(n, r2(n) + 5), 16, 8}; };
  ops.push_back({"attention", Dtype::f32, false, "query 1 of r x (r+5) alone == its row of the whole (out, probs)",
                 [=](Backend& b, const CheckInputs& in) {
                   AttentionShape s = one(in.n);
                   const Inputs x = inputs(in, s, true);
                   s.queries = std::min<std::int64_t>(s.queries, 1);
                   return run(b, s, {}, x, Parts::forward, s.queries);  // row 1, when there is one
                 },
                 [=](Backend& ref, const CheckInputs& in) {
                   const AttentionShape s = one(in.n);
                   if (s.queries == 0) return CheckOutputs{};
                   return row_of(run(ref, s, {}, inputs(in, s, true), Parts::forward), s, 1);
                 },
                 Dtype::f32});
  // ... and query i = r / 2 of a causal r x r pass, decoding against the i + 1 keys it sees, its
  // row (out: the full pass adds the masked keys' +0 * v, which the finite inputs do not show;
  // probs: the step's i + 1).
  const auto decode = [=](std::int64_t n) { return AttentionShape{1, r2(n), r2(n), 16, 8}; };
  ops.push_back({"attention", Dtype::f32, false,
                 "query r/2 of a causal r x r pass alone, against the keys it sees == its row (out, probs)",
                 [=](Backend& b, const CheckInputs& in) {
                   const AttentionShape all = decode(in.n);
                   const Inputs x = inputs(in, all, true);
                   const std::int64_t i = all.queries / 2;
                   const AttentionShape step{1, std::min<std::int64_t>(all.queries, 1), all.queries ? i + 1 : 0, 16, 8};
                   return run(b, step, {.is_causal = true, .causal_offset = i}, x, Parts::forward, i);
                 },
                 [=](Backend& ref, const CheckInputs& in) {
                   const AttentionShape all = decode(in.n);
                   if (all.queries == 0) return CheckOutputs{};
                   const std::int64_t i = all.queries / 2;
                   CheckOutputs row = row_of(run(ref, all, {.is_causal = true}, inputs(in, all, true), Parts::forward),
                                             all, i);
                   row.y.resize(static_cast<std::size_t>(all.value_dim + i + 1) * sizeof(float));  // P's kept i + 1
                   return row;
                 },
                 Dtype::f32});
  return ops;
}

}  // namespace detnum::cli
