// The Eigen peer of gemm_bench.cpp: Eigen's sgemm on row-major maps, in a file of its own
// because Eigen picks its SIMD kernels from the compiler's target macros and its threads from
// OpenMP: this file alone is built with -mavx2 -mfma -fopenmp (see CMakeLists.txt), as Eigen is
// built for this CPU in ../shared/anchors.md, and computes nothing on a CPU without AVX2 + FMA.
#include <Eigen/Core>

#include <cstdint>

namespace detnum_bench {

using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// c = a * b (m x k times k x n, row-major, dense) on `threads` threads.
bool eigen_gemm(const float* a, const float* b, float* c, std::int64_t m, std::int64_t n, std::int64_t k, int threads) {
  if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) return false;
  Eigen::setNbThreads(threads);
  const auto M = static_cast<Eigen::Index>(m), N = static_cast<Eigen::Index>(n), K = static_cast<Eigen::Index>(k);
  Eigen::Map<RowMajorF>(c, M, N).noalias() = Eigen::Map<const RowMajorF>(a, M, K) * Eigen::Map<const RowMajorF>(b, K, N);
  return true;
}

}  // namespace detnum_bench
