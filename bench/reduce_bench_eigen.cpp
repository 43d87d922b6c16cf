// The Eigen peers of reduce_bench.cpp, in a file of their own because Eigen picks its SIMD width
// from the compiler's target macros: this file alone is compiled with -mavx2 -mfma (see
// CMakeLists.txt), as Eigen is built for this CPU in ../shared/anchors.md, and the functions
// compute nothing on a CPU without AVX2 and FMA. Eigen's own sum and dot, and the column and
// row sums of a row-major matrix, single-threaded.
#include <Eigen/Core>

#include <cstdint>

namespace detnum_bench {

namespace {
bool cpu_ok() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
}
}  // namespace

bool eigen_sum(const float* x, std::int64_t n, float& result) {
  if (!cpu_ok()) return false;
  result = Eigen::Map<const Eigen::VectorXf>(x, static_cast<Eigen::Index>(n)).sum();
  return true;
}

bool eigen_dot(const float* x, const float* y, std::int64_t n, float& result) {
  if (!cpu_ok()) return false;
  const Eigen::Index m = static_cast<Eigen::Index>(n);
  result = Eigen::Map<const Eigen::VectorXf>(x, m).dot(Eigen::Map<const Eigen::VectorXf>(y, m));
  return true;
}

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

bool eigen_column_sums(const float* x, std::int64_t rows, std::int64_t cols, float* out) {
  if (!cpu_ok()) return false;
  Eigen::Map<Eigen::RowVectorXf>(out, static_cast<Eigen::Index>(cols)) =
      Eigen::Map<const RowMajor>(x, static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols)).colwise().sum();
  return true;
}

bool eigen_row_sums(const float* x, std::int64_t rows, std::int64_t cols, float* out) {
  if (!cpu_ok()) return false;
  Eigen::Map<Eigen::VectorXf>(out, static_cast<Eigen::Index>(rows)) =
      Eigen::Map<const RowMajor>(x, static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols)).rowwise().sum();
  return true;
}

}  // namespace detnum_bench
