// The binary cross-entropy of logits for AVX2, four elements at a time: the same bits as
// detail::BceWithLogitsLoss (loss_order.hpp), which loss.cpp uses for the other elements and on
// CPUs without AVX2. loss_test compares both paths; the caller needs AVX2.
#pragma once

#include <cstdint>

namespace detnum::detail {

// terms[j] = canonicalize(term(x[j], t[j])) and, when dx is not null, dx[j] =
// canonicalize(grad(x[j], t[j], d)), for j < n.
void bce_with_logits_avx2(const float* x, const float* t, std::int64_t n, float d, float* terms, float* dx);

}  // namespace detnum::detail
