// The other reductions of a float vector on the CPU, each beside Eigen's one-thread equivalent:
//
//   asum/det_cpu/N/threads       detnum::asum           asum/eigen/N/1       x.lpNorm<1>()
//   nrm2/det_cpu/N/threads       detnum::nrm2           nrm2/eigen/N/1       x.norm(): squares summed in
//                                                                            float, no scaling (it overflows
//                                                                            past 1.8e19, which nrm2 does not)
//                                                       nrm2/eigen_stable/N/1  x.stableNorm(): scaled, the
//                                                                            peer with nrm2's guarantee
//   amax/det_cpu/N/threads       detnum::amax           amax/eigen/N/1       x.cwiseAbs().maxCoeff()
//   argmax/det_cpu/N/threads     detnum::argmax         argmax/eigen/N/1     x.maxCoeff(&i)
//   variance/det_cpu/N/threads   detnum::variance       variance/eigen/N/1   (x - x.mean()).squaredNorm() / N
//
// Sizes and threads as reduce_bench.cpp's sum (2^16, 2^20, 2^26; 1 and all threads for det_cpu);
// bytes_per_second counts 4N bytes read (variance reads x twice, but the figure counts it once,
// as for its peer). Before timing, det_cpu's result is compared bit for bit with detnum::ref's.
// NaN handling differs (detnum's rules are in reduce.hpp; Eigen leaves a NaN's effect on
// maxCoeff unspecified); the data here has none.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "detnum/reduce.hpp"
#include "detnum/threads.hpp"
#include "reduce_bench_common.hpp"

namespace detnum_bench {
// reduce_bench_eigen.cpp; false where the CPU lacks AVX2 or FMA (nothing is computed then).
bool eigen_asum(const float* x, std::int64_t n, float& result);
bool eigen_nrm2(const float* x, std::int64_t n, float& result);
bool eigen_nrm2_stable(const float* x, std::int64_t n, float& result);
bool eigen_amax(const float* x, std::int64_t n, float& result);
bool eigen_argmax(const float* x, std::int64_t n, std::int64_t& result);
bool eigen_variance(const float* x, std::int64_t n, float& result);
}  // namespace detnum_bench

namespace {

using detnum_bench::det_cpu;
using detnum_bench::eigen;

// detnum's functions with the argument lists det_cpu calls (variance: ddof 0, as the peer).
float det_asum(const float* x, std::int64_t n, detnum::CpuOptions o) { return detnum::asum(x, n, o); }
float ref_asum(const float* x, std::int64_t n) { return detnum::ref::asum(x, n); }
float det_nrm2(const float* x, std::int64_t n, detnum::CpuOptions o) { return detnum::nrm2(x, n, o); }
float ref_nrm2(const float* x, std::int64_t n) { return detnum::ref::nrm2(x, n); }
float det_amax(const float* x, std::int64_t n, detnum::CpuOptions o) { return detnum::amax(x, n, o); }
float ref_amax(const float* x, std::int64_t n) { return detnum::ref::amax(x, n); }
std::int64_t det_argmax(const float* x, std::int64_t n, detnum::CpuOptions o) { return detnum::argmax(x, n, o); }
std::int64_t ref_argmax(const float* x, std::int64_t n) { return detnum::ref::argmax(x, n); }
float det_variance(const float* x, std::int64_t n, detnum::CpuOptions o) { return detnum::variance(x, n, detnum::Ddof{0}, o); }
float ref_variance(const float* x, std::int64_t n) { return detnum::ref::variance(x, n, detnum::Ddof{0}); }

using detnum_bench::cpu_benchmark;
using detnum_bench::sizes_and_threads;
using detnum_bench::sizes_one_thread;

BENCHMARK(det_cpu<det_asum, ref_asum>)->Name("asum/det_cpu")->Apply(sizes_and_threads)->Apply(cpu_benchmark);
BENCHMARK(eigen<float, detnum_bench::eigen_asum>)->Name("asum/eigen")->Apply(sizes_one_thread)->Apply(cpu_benchmark);
BENCHMARK(det_cpu<det_nrm2, ref_nrm2>)->Name("nrm2/det_cpu")->Apply(sizes_and_threads)->Apply(cpu_benchmark);
BENCHMARK(eigen<float, detnum_bench::eigen_nrm2>)->Name("nrm2/eigen")->Apply(sizes_one_thread)->Apply(cpu_benchmark);
BENCHMARK(eigen<float, detnum_bench::eigen_nrm2_stable>)
    ->Name("nrm2/eigen_stable")
    ->Apply(sizes_one_thread)
    ->Apply(cpu_benchmark);
BENCHMARK(det_cpu<det_amax, ref_amax>)->Name("amax/det_cpu")->Apply(sizes_and_threads)->Apply(cpu_benchmark);
BENCHMARK(eigen<float, detnum_bench::eigen_amax>)->Name("amax/eigen")->Apply(sizes_one_thread)->Apply(cpu_benchmark);
BENCHMARK(det_cpu<det_argmax, ref_argmax>)->Name("argmax/det_cpu")->Apply(sizes_and_threads)->Apply(cpu_benchmark);
BENCHMARK(eigen<std::int64_t, detnum_bench::eigen_argmax>)
    ->Name("argmax/eigen")
    ->Apply(sizes_one_thread)
    ->Apply(cpu_benchmark);
BENCHMARK(det_cpu<det_variance, ref_variance>)
    ->Name("variance/det_cpu")
    ->Apply(sizes_and_threads)
    ->Apply(cpu_benchmark);
BENCHMARK(eigen<float, detnum_bench::eigen_variance>)
    ->Name("variance/eigen")
    ->Apply(sizes_one_thread)
    ->Apply(cpu_benchmark);

}  // namespace
