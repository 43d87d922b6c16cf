// GELU and its gradient with AVX2, four elements at a time: detail::gelu and detail::gelu_grad's
// float steps as vector code, with erf and exp from src/cpu/math_avx2.hpp (the bits of math::erf
// and math::exp in every lane).
#include "cpu/gelu_avx2.hpp"

#include <immintrin.h>

#include "cpu/math_avx2.hpp"
#include "detnum/detail/pointwise_order.hpp"

namespace detnum::detail {
namespace {

[[gnu::target("avx2")]] inline __m128 canonicalize4(__m128 y) {
  return _mm_blendv_ps(y, math::detail::canonical_nan4(), _mm_cmp_ps(y, y, _CMP_UNORD_Q));
}

// detail::gelu: (0.5 x)(1 + erf(x / sqrt 2)), each float operation in its order.
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 gelu4(__m128 x) {
  const __m128 e = math::detail::erf4(_mm_mul_ps(x, _mm_set1_ps(kInvSqrt2)));
  return canonicalize4(_mm_mul_ps(_mm_mul_ps(_mm_set1_ps(0.5f), x), _mm_add_ps(_mm_set1_ps(1.0f), e)));
}

// detail::gelu_grad: dy (Phi(x) + x phi(x)).
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 gelu_grad4(__m128 x, __m128 dy) {
  const __m128 cdf =
      _mm_mul_ps(_mm_set1_ps(0.5f), _mm_add_ps(_mm_set1_ps(1.0f), math::detail::erf4(_mm_mul_ps(x, _mm_set1_ps(kInvSqrt2)))));
  const __m128 pdf = _mm_mul_ps(_mm_set1_ps(kInvSqrt2Pi), math::detail::exp4(_mm_mul_ps(_mm_set1_ps(-0.5f), _mm_mul_ps(x, x))));
  return canonicalize4(_mm_mul_ps(dy, _mm_add_ps(cdf, _mm_mul_ps(x, pdf))));
}

}  // namespace

// Eight elements an iteration: two independent chains of polynomial steps to overlap.
[[gnu::target("avx2")]] void gelu_avx2(const float* x, float* y, std::int64_t n) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128 a = gelu4(_mm_loadu_ps(x + i)), b = gelu4(_mm_loadu_ps(x + i + 4));
    _mm_storeu_ps(y + i, a);
    _mm_storeu_ps(y + i + 4, b);
  }
  for (; i < n; ++i) y[i] = gelu(x[i]);
}

[[gnu::target("avx2")]] void gelu_grad_avx2(const float* x, const float* dy, float* dx, std::int64_t n) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128 a = gelu_grad4(_mm_loadu_ps(x + i), _mm_loadu_ps(dy + i));
    const __m128 b = gelu_grad4(_mm_loadu_ps(x + i + 4), _mm_loadu_ps(dy + i + 4));
    _mm_storeu_ps(dx + i, a);
    _mm_storeu_ps(dx + i + 4, b);
  }
  for (; i < n; ++i) dx[i] = gelu_grad(x[i], dy[i]);
}

}  // namespace detnum::detail
