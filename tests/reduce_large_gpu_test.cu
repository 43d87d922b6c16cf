// Every float reduction on CUDA past 2^31 elements (8.6 GB on the device), bit for bit against
// the reference: chunk indices, grids and the partials' levels stay 64-bit. Labelled `large`.
//
// The reference of n > 2^31 elements is built from ORDER.md's own structure: the result is the
// reduction of the chunk partials (step 5: R over them with a + p_c), and each chunk's partial is
// the reference of that chunk alone. So the host computes each chunk's partials with detnum::ref
// on its 8192 elements (in parallel) and reduces them with ref::sum. The extremes need no order:
// the extreme of the chunks' extremes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <thread>
#include <vector>

#include "detnum/cuda/reduce.hpp"
#include "detnum/reduce.hpp"
#include "reduce_cases.hpp"
#include "support/gpu.hpp"
#include "support/large_fill.cuh"

namespace detnum {
namespace {

using test::DeviceBuffer;

constexpr std::int64_t kN = (std::int64_t{1} << 31) + 12345;
// A unique largest element past 2^31 and a unique smallest one below it.
constexpr std::int64_t kHi = kN - 7, kLo = (std::int64_t{1} << 31) - 3;
constexpr float kBig = 100.0f, kSmall = -100.0f;

float value(std::int64_t i) { return i == kHi ? kBig : i == kLo ? kSmall : test::large_value(i); }

// What one chunk contributes to each op (d: the chunk's deviations from the mean, when known).
struct Partials {
  float sum = 0, asum = 0, dot = 0, squares_of_deviations = 0, max = 0, min = 0, amax = 0, amin = 0;
  double squares = 0;  // float nrm2 accumulates in double
};

// Each chunk's partials, on every host thread: of every op but the variance, or (given the
// vector's mean) the variance's sum of squared deviations.
std::vector<Partials> chunk_partials(std::optional<float> mean) {
  const std::int64_t chunks = detail::reduce_chunks(kN);
  std::vector<Partials> out(static_cast<std::size_t>(chunks));
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < threads; ++w)
    pool.emplace_back([&, w] {
      std::vector<float> x(static_cast<std::size_t>(detail::kReduceChunk)), d(x.size());
      std::vector<double> wide(x.size());
      for (std::int64_t c = w; c < chunks; c += threads) {
        const std::int64_t base = c * detail::kReduceChunk, len = std::min(detail::kReduceChunk, kN - base);
        for (std::int64_t i = 0; i < len; ++i) x[static_cast<std::size_t>(i)] = value(base + i);
        Partials& p = out[static_cast<std::size_t>(c)];
        if (mean) {
          for (std::int64_t i = 0; i < len; ++i) d[static_cast<std::size_t>(i)] = x[static_cast<std::size_t>(i)] - *mean;
          p.squares_of_deviations = ref::dot(d.data(), d.data(), len);
          continue;
        }
        for (std::int64_t i = 0; i < len; ++i) wide[static_cast<std::size_t>(i)] = x[static_cast<std::size_t>(i)];
        p.sum = ref::sum(x.data(), len);
        p.asum = ref::asum(x.data(), len);
        p.dot = ref::dot(x.data(), x.data(), len);
        p.squares = ref::dot(wide.data(), wide.data(), len);  // R(len, fma(t, t, a)) in double
        p.max = ref::max(x.data(), len);
        p.min = ref::min(x.data(), len);
        p.amax = ref::amax(x.data(), len);
        p.amin = ref::amin(x.data(), len);
      }
    });
  for (std::thread& t : pool) t.join();
  return out;
}

// One field of every chunk's partials, in chunk order.
template <class A>
std::vector<A> field(const std::vector<Partials>& parts, A Partials::*f) {
  std::vector<A> v;
  v.reserve(parts.size());
  for (const Partials& p : parts) v.push_back(p.*f);
  return v;
}

TEST(ReduceLargeGpu, EveryFloatOpPastTwoToThe31MatchesTheReference) {
  DETNUM_REQUIRE_GPU();
  DeviceBuffer<float> dx(static_cast<std::size_t>(kN));
  test::fill_large<<<1024, 256>>>(dx.get(), kN, 0);
  DETNUM_TEST_CUDA(cudaGetLastError());
  DETNUM_TEST_CUDA(cudaMemcpy(dx.get() + kHi, &kBig, sizeof kBig, cudaMemcpyHostToDevice));
  DETNUM_TEST_CUDA(cudaMemcpy(dx.get() + kLo, &kSmall, sizeof kSmall, cudaMemcpyHostToDevice));
  enum { kSum, kAsum, kDot, kNrm2, kMean, kVariance, kMax, kMin, kAmax, kAmin, kResults };
  DeviceBuffer<float> r(kResults);
  DeviceBuffer<std::int64_t> ri(2);
  const float* x = dx.get();
  cuda::sum(x, kN, r.get() + kSum);
  cuda::asum(x, kN, r.get() + kAsum);
  cuda::dot(x, x, kN, r.get() + kDot);
  cuda::nrm2(x, kN, r.get() + kNrm2);
  cuda::mean(x, kN, r.get() + kMean);
  cuda::variance(x, kN, Ddof{1}, r.get() + kVariance);
  cuda::max(x, kN, r.get() + kMax);
  cuda::min(x, kN, r.get() + kMin);
  cuda::amax(x, kN, r.get() + kAmax);
  cuda::amin(x, kN, r.get() + kAmin);
  cuda::argmax(x, kN, ri.get());
  cuda::argmin(x, kN, ri.get() + 1);
  float got[kResults];
  std::int64_t got_index[2];
  DETNUM_TEST_CUDA(cudaMemcpy(got, r.get(), sizeof got, cudaMemcpyDeviceToHost));
  DETNUM_TEST_CUDA(cudaMemcpy(got_index, ri.get(), sizeof got_index, cudaMemcpyDeviceToHost));

  const std::vector<Partials> parts = chunk_partials(std::nullopt);
  const auto reduced = [&](float Partials::*f) {  // step 5: R over the partials with a + p_c
    const std::vector<float> v = field(parts, f);
    return ref::sum(v.data(), std::ssize(v));
  };
  float want[kResults];
  want[kSum] = reduced(&Partials::sum);
  want[kAsum] = reduced(&Partials::asum);
  want[kDot] = reduced(&Partials::dot);
  const std::vector<double> squares = field(parts, &Partials::squares);
  want[kNrm2] = static_cast<float>(std::sqrt(ref::sum(squares.data(), std::ssize(squares))));
  want[kMean] = want[kSum] / static_cast<float>(kN);  // ORDER.md: sum / A(n), one division
  const std::vector<float> deviations = field(chunk_partials(want[kMean]), &Partials::squares_of_deviations);
  want[kVariance] = ref::sum(deviations.data(), std::ssize(deviations)) / static_cast<float>(kN - 1);
  const std::vector<float> maxes = field(parts, &Partials::max), mins = field(parts, &Partials::min),
                           amaxes = field(parts, &Partials::amax), amins = field(parts, &Partials::amin);
  want[kMax] = ref::max(maxes.data(), std::ssize(maxes));
  want[kMin] = ref::min(mins.data(), std::ssize(mins));
  want[kAmax] = ref::amax(amaxes.data(), std::ssize(amaxes));
  want[kAmin] = ref::amin(amins.data(), std::ssize(amins));
  EXPECT_EQ(want[kMax], kBig);
  EXPECT_EQ(want[kMin], kSmall);

  const char* const names[kResults] = {"sum", "asum", "dot", "nrm2", "mean", "variance", "max", "min", "amax", "amin"};
  for (int k = 0; k < kResults; ++k) EXPECT_TRUE(test::same_value(want[k], got[k])) << names[k];
  EXPECT_EQ(got_index[0], kHi);
  EXPECT_EQ(got_index[1], kLo);
}

}  // namespace
}  // namespace detnum
