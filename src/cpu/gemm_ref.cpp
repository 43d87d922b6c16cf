// The scalar reference for GEMM: docs/ORDER.md's GEMM order as plain loops. Every fast path and
// kernel is tested against it, bit for bit.
#include "common/gemm_checks.hpp"
#include "detnum/detail/gemm_order.hpp"
#include "detnum/gemm.hpp"

namespace detnum::ref {

template <GemmInput T, GemmOutput C>
void gemm(Transpose trans_a, Transpose trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, float beta, C* c, std::int64_t ldc) {
  detail::check_gemm("ref::gemm", {trans_a, trans_b, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0, 1},
                     sizeof(T), sizeof(C), detail::kHostReader);
  // op(A)[i][q] and op(B)[q][j], widened exactly to float.
  const auto a_at = [&](std::int64_t i, std::int64_t q) {
    return detail::gemm_widen(trans_a == Transpose::no ? a[i * lda + q] : a[q * lda + i]);
  };
  const auto b_at = [&](std::int64_t q, std::int64_t j) {
    return detail::gemm_widen(trans_b == Transpose::no ? b[q * ldb + j] : b[j * ldb + q]);
  };
  const std::int64_t segments = alpha == 0.0f ? 0 : detail::gemm_segments(k);
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      C* out = c + i * ldc + j;
      const float c_old = beta == 0.0f ? 0.0f : detail::gemm_load(out);  // beta = 0: C is not read
      float r = detail::gemm_without_products(beta, c_old);
      for (std::int64_t s = 0; s < segments; ++s) {
        float p = detail::gemm_segment_start();
        const std::int64_t end = (s + 1) * detail::kGemmSegment < k ? (s + 1) * detail::kGemmSegment : k;
        for (std::int64_t q = s * detail::kGemmSegment; q < end; ++q) p = detail::fused(a_at(i, q), b_at(q, j), p);
        r = s == 0 ? detail::gemm_first(alpha, p, beta, c_old) : detail::gemm_next(alpha, p, r);
      }
      detail::gemm_store(r, out);
    }
}

#define DETNUM_REF_GEMM(T, C)                                                                                     \
  template void gemm<T, C>(Transpose, Transpose, std::int64_t, std::int64_t, std::int64_t, float, const T*,      \
                           std::int64_t, const T*, std::int64_t, float, C*, std::int64_t);
DETNUM_REF_GEMM(float, float)
DETNUM_REF_GEMM(float, bf16)
DETNUM_REF_GEMM(bf16, float)
DETNUM_REF_GEMM(bf16, bf16)
DETNUM_REF_GEMM(fp16, float)
DETNUM_REF_GEMM(fp16, bf16)
#undef DETNUM_REF_GEMM

}  // namespace detnum::ref
