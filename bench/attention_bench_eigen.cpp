// The conventional peer of attention_bench.cpp: scaled dot-product attention as a framework's
// CPU math path computes it, Eigen's sgemm for the products and plain loops with std::exp for the
// softmax (running sums in loop order), the attentions spread over OpenMP threads. Built with
// -mavx2 -mfma -fopenmp, as gemm_bench_eigen.cpp; computes nothing on a CPU without AVX2 + FMA.
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace detnum_bench {
namespace {

using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Map = Eigen::Map<RowMajorF>;
using ConstMap = Eigen::Map<const RowMajorF>;

std::int64_t kept(std::int64_t i, std::int64_t s, bool causal) { return causal ? std::min(s, i + 1) : s; }

}  // namespace

bool eigen_attention(const float* q, const float* k, const float* v, float* out, float* p, std::int64_t batch,
                     std::int64_t l, std::int64_t s, std::int64_t e, float scale, bool causal, int threads) {
  if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) return false;
  Eigen::setNbThreads(1);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (std::int64_t b = 0; b < batch; ++b) {
    float* pb = p + b * l * s;
    Map P(pb, l, s);
    P.noalias() = scale * (ConstMap(q + b * l * e, l, e) * ConstMap(k + b * s * e, s, e).transpose());
    for (std::int64_t i = 0; i < l; ++i) {
      float* row = pb + i * s;
      const std::int64_t n = kept(i, s, causal);
      const float m = *std::max_element(row, row + n);
      float sum = 0.0f;
      for (std::int64_t j = 0; j < n; ++j) sum += row[j] = std::exp(row[j] - m);
      for (std::int64_t j = 0; j < n; ++j) row[j] /= sum;
      std::fill(row + n, row + s, 0.0f);
    }
    Map(out + b * l * e, l, e).noalias() = P * ConstMap(v + b * s * e, s, e);
  }
  return true;
}

bool eigen_attention_backward(const float* q, const float* k, const float* v, const float* p, const float* dout,
                              float* dq, float* dk, float* dv, float* ds, std::int64_t batch, std::int64_t l,
                              std::int64_t s, std::int64_t e, float scale, bool causal, int threads) {
  if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) return false;
  Eigen::setNbThreads(1);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (std::int64_t b = 0; b < batch; ++b) {
    const ConstMap P(p + b * l * s, l, s), dO(dout + b * l * e, l, e);
    Map(dv + b * s * e, s, e).noalias() = P.transpose() * dO;
    float* dsb = ds + b * l * s;
    Map dS(dsb, l, s);
    dS.noalias() = dO * ConstMap(v + b * s * e, s, e).transpose();
    for (std::int64_t i = 0; i < l; ++i) {
      const float* prow = p + (b * l + i) * s;
      float* row = dsb + i * s;
      const std::int64_t n = kept(i, s, causal);
      float dot = 0.0f;
      for (std::int64_t j = 0; j < n; ++j) dot += prow[j] * row[j];
      for (std::int64_t j = 0; j < n; ++j) row[j] = prow[j] * (row[j] - dot);
      std::fill(row + n, row + s, 0.0f);
    }
    Map(dq + b * l * e, l, e).noalias() = scale * (dS * ConstMap(k + b * s * e, s, e));
    Map(dk + b * s * e, s, e).noalias() = scale * (dS.transpose() * ConstMap(q + b * l * e, l, e));
  }
  return true;
}

}  // namespace detnum_bench
