// Turns a Backend call with dtypes as values (reduce, gemm) into a call of the typed detnum
// function: the callback receives the element types' null pointers (to pick T) and returns
// through put().
#pragma once

#include <cstring>
#include <stdexcept>

#include "backend.hpp"
#include "check.hpp"

namespace detnum::cli {

// f(static_cast<const T*>(nullptr)) with T the element type of dtype.
template <class F>
void with_element_type(Dtype dtype, F&& f) {
  switch (dtype) {
    case Dtype::f32: return f(static_cast<const float*>(nullptr));
    case Dtype::f64: return f(static_cast<const double*>(nullptr));
    case Dtype::bf16: return f(static_cast<const bf16*>(nullptr));
    case Dtype::fp16: return f(static_cast<const fp16*>(nullptr));
    case Dtype::i64: break;
  }
  throw std::invalid_argument("reduce: no reductions of this dtype");
}

// f(in, out) with the null pointers of the input and output element types of a GEMM.
template <class F>
void with_gemm_types(Dtype in, Dtype out, F&& f) {
  const auto with_out = [&](auto in_type) {
    if (out == Dtype::f32) return f(in_type, static_cast<float*>(nullptr));
    if (out == Dtype::bf16) return f(in_type, static_cast<bf16*>(nullptr));
    throw std::invalid_argument("gemm: no output of this dtype");
  };
  switch (in) {
    case Dtype::f32: return with_out(static_cast<const float*>(nullptr));
    case Dtype::bf16: return with_out(static_cast<const bf16*>(nullptr));
    case Dtype::fp16: return with_out(static_cast<const fp16*>(nullptr));
    default: break;
  }
  throw std::invalid_argument("gemm: no input of this dtype");
}

template <class V>
void put(void* result, V v) {
  std::memcpy(result, &v, sizeof v);
}

}  // namespace detnum::cli
