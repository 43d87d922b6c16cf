// The binary cross-entropy of logits with AVX2: BceWithLogitsLoss's float steps as vector code,
// with exp and log from src/cpu/math_avx2.hpp (math::exp's and math::log's bits in every lane;
// log's argument 1 + exp(-|x|) is a positive normal float in [1, 2], the domain of log_normal4,
// unless x is NaN, when the term is NaN whatever the log gives).
#include "cpu/loss_avx2.hpp"

#include <immintrin.h>

#include "cpu/math_avx2.hpp"
#include "detnum/detail/loss_order.hpp"

namespace detnum::detail {
namespace {

[[gnu::target("avx2")]] inline __m128 canonical4(__m128 y) {
  return _mm_blendv_ps(y, math::detail::canonical_nan4(), _mm_cmp_ps(y, y, _CMP_UNORD_Q));
}

// (1 - t) x - (m - log(1 + exp(-a))), m = x < 0 ? x : +0, a = |x|.
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 term4(__m128 x, __m128 t) {
  const __m128 one = _mm_set1_ps(1.0f), zero = _mm_setzero_ps();
  const __m128 m = _mm_blendv_ps(zero, x, _mm_cmp_ps(x, zero, _CMP_LT_OQ));
  const __m128 a = _mm_andnot_ps(_mm_set1_ps(-0.0f), x);  // |x|, exact
  const __m128 e = math::detail::exp4(_mm_xor_ps(a, _mm_set1_ps(-0.0f)));
  const __m128 g = _mm_sub_ps(m, math::detail::log_normal4(_mm_add_ps(one, e)));
  return _mm_sub_ps(_mm_mul_ps(_mm_sub_ps(one, t), x), g);
}

// (1 / (1 + exp(-x)) - t) / d.
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 grad4(__m128 x, __m128 t, __m128 d) {
  const __m128 one = _mm_set1_ps(1.0f);
  const __m128 s = _mm_div_ps(one, _mm_add_ps(one, math::detail::exp4(_mm_xor_ps(x, _mm_set1_ps(-0.0f)))));
  return _mm_div_ps(_mm_sub_ps(s, t), d);
}

}  // namespace

[[gnu::target("avx2")]] void bce_with_logits_avx2(const float* x, const float* t, std::int64_t n, float d, float* terms,
                                                  float* dx) {
  const __m128 dv = _mm_set1_ps(d);
  std::int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const __m128 xv = _mm_loadu_ps(x + j), tv = _mm_loadu_ps(t + j);
    _mm_storeu_ps(terms + j, canonical4(term4(xv, tv)));
    if (dx) _mm_storeu_ps(dx + j, canonical4(grad4(xv, tv, dv)));
  }
  for (; j < n; ++j) {
    terms[j] = canonicalize(BceWithLogitsLoss::term(x[j], t[j]));
    if (dx) dx[j] = canonicalize(BceWithLogitsLoss::grad(x[j], t[j], d));
  }
}

}  // namespace detnum::detail
