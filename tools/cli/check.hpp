// `detnum check`: the op registry it walks. Each CheckOp is one row family of the table (one op,
// one dtype, one parameter set), run for every size on every backend and compared byte for byte
// with the reference. A new op family (reductions, GEMM) adds a check_<family>.cpp that returns
// its entries, and a line in all_check_ops() (check.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "backend.hpp"
#include "detnum/bf16.hpp"
#include "detnum/fp16.hpp"

namespace detnum::cli {

enum class Dtype { f32, f64, bf16, fp16, i64 };
const char* dtype_name(Dtype d);
std::size_t dtype_size(Dtype d);

// The seeded inputs for one size n, the same on every machine (check_inputs.cpp says how they
// are drawn from detnum's Philox streams). Changing them changes every fingerprint.
struct CheckInputs {
  std::int64_t n = 0;
  std::vector<float> f32;          // n values: mostly in [-4, 4), some +-0, +-Inf, NaNs, subnormals, +-max
  std::vector<bf16> bf16s;         // n values drawn the same way, as bf16
  std::vector<double> f64;         // n values drawn the same way, as double
  std::vector<fp16> fp16s;         // n values drawn the same way, as fp16
  std::vector<std::uint8_t> mask;  // ceil(n / 8) random bytes, unused high bits of the last byte random too
};
CheckInputs make_check_inputs(std::int64_t n);

template <class T>
const std::vector<T>& inputs_of(const CheckInputs& in);
template <>
inline const std::vector<float>& inputs_of<float>(const CheckInputs& in) { return in.f32; }
template <>
inline const std::vector<bf16>& inputs_of<bf16>(const CheckInputs& in) { return in.bf16s; }
template <>
inline const std::vector<double>& inputs_of<double>(const CheckInputs& in) { return in.f64; }
template <>
inline const std::vector<fp16>& inputs_of<fp16>(const CheckInputs& in) { return in.fp16s; }

// count f32 inputs taken cyclically from element `start` on (none when n = 0). With `finite`,
// specials and magnitudes of 1e15 or more become 1.5, so that sums and squares over a row stay
// finite and every rounding counts.
std::vector<float> f32_operand(const CheckInputs& in, std::int64_t count, std::int64_t start, bool finite);
// count floats whose every byte is kSentinel.
std::vector<float> sentinel_floats(std::int64_t count);
// An op's float outputs one after another, as the bytes of one y.
std::vector<std::uint8_t> float_bytes(std::initializer_list<const std::vector<float>*> parts);
// count labels or ids in [0, 2 * ceil(limit / 2)) that are even (so the odd values never occur),
// from the bits of the f32 inputs (limit > 0 when count > 0).
std::vector<std::int32_t> even_ids(const CheckInputs& in, std::int64_t count, std::int64_t limit);

// What an op wrote, as bytes: y (or dx), and the mask for ops that write one.
struct CheckOutputs {
  std::vector<std::uint8_t> y;
  std::vector<std::uint8_t> mask;
};

// Output buffers start as this byte, so an element no backend wrote shows as a difference.
inline constexpr std::uint8_t kSentinel = 0xA5;

struct CheckOp {
  std::string op;      // "dropout_forward"
  Dtype dtype;         // of the inputs
  bool has_mask;       // the op writes a mask (compared and fingerprinted too)
  std::string params;  // the fixed parameters, for the JSON: "p=0.25 seed=0x... offset=0"
  // Runs the op on one backend.
  std::function<CheckOutputs(Backend&, const CheckInputs&)> run;
  // The answer, computed with the reference backend. When empty, the answer is run(ref) and
  // ref is not compared with itself; when set, run is compared on every backend, ref included
  // (e.g. a split call, whose answer is one unsplit call).
  std::function<CheckOutputs(Backend& ref, const CheckInputs&)> expected;
  // Of what the op writes to y, when not the input dtype (a reduction of bf16 writes a float).
  std::optional<Dtype> result;
  Dtype result_dtype() const { return result.value_or(dtype); }
};

std::vector<CheckOp> dropout_check_ops();  // check_dropout.cpp
std::vector<CheckOp> reduce_check_ops();   // check_reduce.cpp
std::vector<CheckOp> gemm_check_ops();     // check_gemm.cpp
std::vector<CheckOp> row_check_ops();        // check_rows.cpp
std::vector<CheckOp> pointwise_check_ops();  // check_pointwise.cpp (with AdamW)
std::vector<CheckOp> embedding_check_ops();  // check_embedding.cpp
std::vector<CheckOp> attention_check_ops();  // check_attention.cpp
std::vector<CheckOp> batch_norm_check_ops();  // check_batch_norm.cpp

}  // namespace detnum::cli
