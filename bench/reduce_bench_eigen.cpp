// The Eigen peers of reduce_bench.cpp and reduce_ops_bench.cpp, in a file of their own because
// Eigen picks its SIMD width from the compiler's target macros: this file alone is compiled with
// -mavx2 -mfma (see CMakeLists.txt), as Eigen is built for this CPU in ../shared/anchors.md, and
// the functions compute nothing on a CPU without AVX2 and FMA. Eigen's own sum, dot and other
// reductions of a vector, and the column and row sums of a row-major matrix, single-threaded.
#include <Eigen/Core>

#include <algorithm>
#include <cstdint>

namespace detnum_bench {

namespace {
bool cpu_ok() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
}
}  // namespace

// Gradient clipping in Eigen: each tensor's norm() (float squares summed in float), the norm of
// those, then every tensor scaled (the peer of detnum::clip_grad_norm, training_ops_bench.cpp).
bool eigen_clip_grad_norm(float* const* data, const std::int64_t* n, int count, float max_norm, float& total) {
  if (!cpu_ok()) return false;
  Eigen::VectorXf norms(count);
  for (int t = 0; t < count; ++t)
    norms[t] = Eigen::Map<const Eigen::VectorXf>(data[t], static_cast<Eigen::Index>(n[t])).norm();
  total = norms.norm();
  const float c = std::min(max_norm / (total + 1e-6f), 1.0f);
  for (int t = 0; t < count; ++t) Eigen::Map<Eigen::VectorXf>(data[t], static_cast<Eigen::Index>(n[t])) *= c;
  return true;
}

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

// The peers of reduce_ops_bench.cpp.
namespace {
Eigen::Map<const Eigen::VectorXf> vec(const float* x, std::int64_t n) {
  return Eigen::Map<const Eigen::VectorXf>(x, static_cast<Eigen::Index>(n));
}
}  // namespace

bool eigen_asum(const float* x, std::int64_t n, float& result) {
  if (!cpu_ok()) return false;
  result = vec(x, n).lpNorm<1>();
  return true;
}

bool eigen_nrm2(const float* x, std::int64_t n, float& result) {
  if (!cpu_ok()) return false;
  result = vec(x, n).norm();
  return true;
}

bool eigen_nrm2_stable(const float* x, std::int64_t n, float& result) {
  if (!cpu_ok()) return false;
  result = vec(x, n).stableNorm();
  return true;
}

bool eigen_amax(const float* x, std::int64_t n, float& result) {
  if (!cpu_ok()) return false;
  result = vec(x, n).cwiseAbs().maxCoeff();
  return true;
}

bool eigen_argmax(const float* x, std::int64_t n, std::int64_t& result) {
  if (!cpu_ok()) return false;
  Eigen::Index i = 0;
  vec(x, n).maxCoeff(&i);
  result = static_cast<std::int64_t>(i);
  return true;
}

bool eigen_variance(const float* x, std::int64_t n, float& result) {
  if (!cpu_ok()) return false;
  const auto v = vec(x, n);
  result = (v.array() - v.mean()).matrix().squaredNorm() / static_cast<float>(n);
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
