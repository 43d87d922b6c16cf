// The activations that call detnum::math (GELU in both forms, SiLU, sigmoid, tanh) and the
// gradients that do, with AVX2, four elements at a time: the float steps of pointwise_order.hpp's
// element functions as vector code, with erf, exp and tanh from src/cpu/math_avx2.hpp (the bits
// of math::erf, math::exp and math::tanh in every lane).
#include "cpu/activations_avx2.hpp"

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

// detail::gelu_tanh_inner: beta (x + kappa ((x x) x)).
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 gelu_tanh_inner4(__m128 x) {
  const __m128 cube = _mm_mul_ps(_mm_mul_ps(x, x), x);
  return _mm_mul_ps(_mm_set1_ps(kGeluTanhBeta), _mm_add_ps(x, _mm_mul_ps(_mm_set1_ps(kGeluTanhKappa), cube)));
}

// detail::gelu_tanh: (0.5 x)(1 + tanh(inner)).
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 gelu_tanh4(__m128 x) {
  const __m128 t = math::detail::tanh4(gelu_tanh_inner4(x));
  return canonicalize4(_mm_mul_ps(_mm_mul_ps(_mm_set1_ps(0.5f), x), _mm_add_ps(_mm_set1_ps(1.0f), t)));
}

// detail::gelu_tanh_grad: dy (0.5 (1 + t) + ((0.5 x)(1 - t t)) (beta (1 + 3 kappa x x))).
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 gelu_tanh_grad4(__m128 x, __m128 dy) {
  const __m128 one = _mm_set1_ps(1.0f), half = _mm_set1_ps(0.5f);
  const __m128 t = math::detail::tanh4(gelu_tanh_inner4(x));
  const __m128 x2 = _mm_mul_ps(x, x);
  const __m128 left = _mm_mul_ps(half, _mm_add_ps(one, t));
  const __m128 inner_grad =
      _mm_mul_ps(_mm_set1_ps(kGeluTanhBeta), _mm_add_ps(one, _mm_mul_ps(_mm_set1_ps(kGeluTanh3Kappa), x2)));
  const __m128 right = _mm_mul_ps(_mm_mul_ps(_mm_mul_ps(half, x), _mm_sub_ps(one, _mm_mul_ps(t, t))), inner_grad);
  return canonicalize4(_mm_mul_ps(dy, _mm_add_ps(left, right)));
}

// detail::logistic: 1 / (1 + exp(-x)). (-x is exact: a sign flip, as _mm_xor_ps makes it.)
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 negate4(__m128 x) {
  return _mm_xor_ps(x, _mm_set1_ps(-0.0f));
}
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 logistic4(__m128 x) {
  const __m128 one = _mm_set1_ps(1.0f);
  return _mm_div_ps(one, _mm_add_ps(one, math::detail::exp4(negate4(x))));
}
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 sigmoid4(__m128 x) { return canonicalize4(logistic4(x)); }

// detail::silu: x / (1 + exp(-x)).
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 silu4(__m128 x) {
  return canonicalize4(_mm_div_ps(x, _mm_add_ps(_mm_set1_ps(1.0f), math::detail::exp4(negate4(x)))));
}

// detail::silu_grad: (dy s)(1 + x (1 - s)), s = logistic(x).
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 silu_grad4(__m128 x, __m128 dy) {
  const __m128 one = _mm_set1_ps(1.0f);
  const __m128 s = logistic4(x);
  return canonicalize4(_mm_mul_ps(_mm_mul_ps(dy, s), _mm_add_ps(one, _mm_mul_ps(x, _mm_sub_ps(one, s)))));
}

// Eight elements an iteration: two independent chains of polynomial steps to overlap; the scalar
// steps for the rest.
template <__m128 (*kFour)(__m128), float (*kOne)(float)>
[[gnu::target("avx2"), gnu::always_inline]] inline void map8(const float* x, float* y, std::int64_t n) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128 a = kFour(_mm_loadu_ps(x + i)), b = kFour(_mm_loadu_ps(x + i + 4));
    _mm_storeu_ps(y + i, a);
    _mm_storeu_ps(y + i + 4, b);
  }
  for (; i < n; ++i) y[i] = kOne(x[i]);
}
template <__m128 (*kFour)(__m128, __m128), float (*kOne)(float, float)>
[[gnu::target("avx2"), gnu::always_inline]] inline void map8(const float* x, const float* dy, float* dx,
                                                           std::int64_t n) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128 a = kFour(_mm_loadu_ps(x + i), _mm_loadu_ps(dy + i));
    const __m128 b = kFour(_mm_loadu_ps(x + i + 4), _mm_loadu_ps(dy + i + 4));
    _mm_storeu_ps(dx + i, a);
    _mm_storeu_ps(dx + i + 4, b);
  }
  for (; i < n; ++i) dx[i] = kOne(x[i], dy[i]);
}

}  // namespace

[[gnu::target("avx2")]] void gelu_avx2(const float* x, float* y, std::int64_t n) { map8<gelu4, gelu>(x, y, n); }
[[gnu::target("avx2")]] void gelu_grad_avx2(const float* x, const float* dy, float* dx, std::int64_t n) {
  map8<gelu_grad4, gelu_grad>(x, dy, dx, n);
}
[[gnu::target("avx2")]] void gelu_tanh_avx2(const float* x, float* y, std::int64_t n) {
  map8<gelu_tanh4, gelu_tanh>(x, y, n);
}
[[gnu::target("avx2")]] void gelu_tanh_grad_avx2(const float* x, const float* dy, float* dx, std::int64_t n) {
  map8<gelu_tanh_grad4, gelu_tanh_grad>(x, dy, dx, n);
}
[[gnu::target("avx2")]] void silu_avx2(const float* x, float* y, std::int64_t n) { map8<silu4, silu>(x, y, n); }
[[gnu::target("avx2")]] void silu_grad_avx2(const float* x, const float* dy, float* dx, std::int64_t n) {
  map8<silu_grad4, silu_grad>(x, dy, dx, n);
}
[[gnu::target("avx2")]] void sigmoid_avx2(const float* x, float* y, std::int64_t n) {
  map8<sigmoid4, sigmoid>(x, y, n);
}
[[gnu::target("avx2")]] void tanh_avx2(const float* x, float* y, std::int64_t n) {
  map8<math::detail::tanh4, math::tanh>(x, y, n);
}

}  // namespace detnum::detail
