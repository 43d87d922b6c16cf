// Turns a Backend::reduce call (op and dtype as values) into a call of the typed detnum function:
// `call` receives the element type's null pointer (to pick T) and returns through put().
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

template <class V>
void put(void* result, V v) {
  std::memcpy(result, &v, sizeof v);
}

}  // namespace detnum::cli
