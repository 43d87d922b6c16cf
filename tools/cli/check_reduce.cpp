// The reduction entries of `detnum check`: every op of detnum/reduce.hpp for float, double,
// bf16 and fp16 inputs. Most rows use the inputs with their specials replaced by finite values,
// so that the result is a finite number whose every rounding counts; a few rows keep the
// specials, to check the NaN and infinity rules (canonical NaN, first NaN's index).
#include <cmath>
#include <cstring>

#include "check.hpp"
#include "detnum/reduce.hpp"

namespace detnum::cli {
namespace {

const char* name_of(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum: return "sum";
    case ReduceOp::asum: return "asum";
    case ReduceOp::dot: return "dot";
    case ReduceOp::nrm2: return "nrm2";
    case ReduceOp::mean: return "mean";
    case ReduceOp::variance: return "variance";
    case ReduceOp::max: return "max";
    case ReduceOp::min: return "min";
    case ReduceOp::amax: return "amax";
    case ReduceOp::amin: return "amin";
    case ReduceOp::argmax: return "argmax";
    case ReduceOp::argmin: return "argmin";
  }
  return "?";
}

bool is_index(ReduceOp op) { return op == ReduceOp::argmax || op == ReduceOp::argmin; }
bool needs_elements(ReduceOp op) {
  return op == ReduceOp::max || op == ReduceOp::min || op == ReduceOp::amax || op == ReduceOp::amin || is_index(op);
}

// A finite stand-in for specials and for magnitudes that would overflow a sum.
float tame(float v) { return std::isfinite(v) && std::fabs(v) < 1e30f ? v : 1.5f; }
double tame(double v) { return std::isfinite(v) && std::fabs(v) < 1e30 ? v : 1.5; }
bf16 tame(bf16 v) { return std::isfinite(to_float(v)) && std::fabs(to_float(v)) < 1e30f ? v : bf16{0x3FC0}; }
fp16 tame(fp16 v) { return std::isfinite(to_float(v)) ? v : fp16{0x3E00}; }

template <class T>
CheckOutputs run(Backend& b, const CheckInputs& in, ReduceOp op, Dtype dtype, bool specials) {
  std::vector<T> x = inputs_of<T>(in);
  if (!specials)
    for (T& v : x) v = tame(v);
  std::vector<T> y(x.rbegin(), x.rend());  // dot's second operand: x reversed
  const std::size_t bytes = is_index(op) ? sizeof(std::int64_t) : sizeof(accum_t<T>);
  CheckOutputs out{std::vector<std::uint8_t>(bytes, kSentinel), {}};
  // The extremes of nothing are an error on every backend; there is nothing to compare.
  if (in.n == 0 && needs_elements(op)) return out;
  b.reduce(op, dtype, x.data(), y.data(), in.n, out.y.data());
  return out;
}

template <class T>
void add_dtype(std::vector<CheckOp>& ops, Dtype dtype) {
  const Dtype result = std::is_same_v<T, double> ? Dtype::f64 : Dtype::f32;
  for (const ReduceOp op : {ReduceOp::sum, ReduceOp::asum, ReduceOp::dot, ReduceOp::nrm2, ReduceOp::mean,
                            ReduceOp::variance, ReduceOp::max, ReduceOp::min, ReduceOp::amax, ReduceOp::amin,
                            ReduceOp::argmax, ReduceOp::argmin}) {
    const Dtype r = is_index(op) ? Dtype::i64 : result;
    ops.push_back({name_of(op), dtype, false, op == ReduceOp::variance ? "finite inputs, ddof=1" : "finite inputs",
                   [op, dtype](Backend& b, const CheckInputs& in) { return run<T>(b, in, op, dtype, false); }, {}, r});
  }
  for (const ReduceOp op : {ReduceOp::sum, ReduceOp::nrm2, ReduceOp::argmax, ReduceOp::amin})
    ops.push_back({name_of(op), dtype, false, "inputs with specials",
                   [op, dtype](Backend& b, const CheckInputs& in) { return run<T>(b, in, op, dtype, true); }, {},
                   is_index(op) ? Dtype::i64 : result});
}

}  // namespace

std::vector<CheckOp> reduce_check_ops() {
  std::vector<CheckOp> ops;
  add_dtype<float>(ops, Dtype::f32);
  add_dtype<double>(ops, Dtype::f64);
  add_dtype<bf16>(ops, Dtype::bf16);
  add_dtype<fp16>(ops, Dtype::fp16);
  return ops;
}

}  // namespace detnum::cli
