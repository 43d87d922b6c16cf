// CurandPhilox4x32_10 (host) against cuRAND's own device generator, for many
// (seed, subsequence, offset) triples: offsets of every residue mod 4, counters that carry out
// of 32 and 64 bits, subsequences near 2^64, and skipahead after a few draws.
#include <curand_kernel.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "detnum/curand_compat.hpp"
#include "support/gpu.hpp"

namespace detnum {
namespace {

struct Triple {
  unsigned long long seed, subsequence, offset, skip;
};

__global__ void draw(const Triple* t, int count, std::uint32_t* words, float* uniforms) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= count) return;
  curandStatePhilox4_32_10_t s;
  curand_init(t[i].seed, t[i].subsequence, t[i].offset, &s);
  for (int k = 0; k < 9; ++k) words[i * 9 + k] = curand(&s);
  skipahead(t[i].skip, &s);
  for (int k = 0; k < 3; ++k) uniforms[i * 3 + k] = curand_uniform(&s);
}

TEST(CurandCompatGpu, MatchesCurandDeviceApi) {
  DETNUM_REQUIRE_GPU();
  std::vector<Triple> triples;
  const unsigned long long edges[] = {0, 1, 2, 3, 5, 0xFFFFFFFFull, 0x100000000ull, 4 * 0xFFFFFFFFull + 1,
                                      0x3FFFFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFF0ull, 0xFFFFFFFFFFFFFFFFull};
  for (auto seed : {0ull, 1ull, 0xFFFFFFFFFFFFFFFFull})
    for (auto sub : edges)
      for (auto off : edges) triples.push_back({seed, sub, off, off ^ 0x5555ull});
  std::mt19937_64 gen(3);
  for (int t = 0; t < 20000; ++t) triples.push_back({gen(), gen() >> (gen() % 64), gen() >> (gen() % 64), gen() % 1000});

  const int count = static_cast<int>(triples.size());
  test::DeviceBuffer<Triple> d_t(triples.size());
  test::DeviceBuffer<std::uint32_t> d_w(triples.size() * 9);
  test::DeviceBuffer<float> d_u(triples.size() * 3);
  DETNUM_TEST_CUDA(cudaMemcpy(d_t.get(), triples.data(), triples.size() * sizeof(Triple), cudaMemcpyHostToDevice));
  draw<<<(count + 127) / 128, 128>>>(d_t.get(), count, d_w.get(), d_u.get());
  DETNUM_TEST_CUDA(cudaGetLastError());
  std::vector<std::uint32_t> words(triples.size() * 9);
  std::vector<float> uniforms(triples.size() * 3);
  DETNUM_TEST_CUDA(cudaMemcpy(words.data(), d_w.get(), words.size() * 4, cudaMemcpyDeviceToHost));
  DETNUM_TEST_CUDA(cudaMemcpy(uniforms.data(), d_u.get(), uniforms.size() * 4, cudaMemcpyDeviceToHost));

  for (int i = 0; i < count; ++i) {
    const Triple& t = triples[i];
    CurandPhilox4x32_10 host(t.seed, t.subsequence, t.offset);
    for (int k = 0; k < 9; ++k)
      ASSERT_EQ(host.next(), words[i * 9 + k]) << "seed " << t.seed << " subsequence " << t.subsequence << " offset "
                                               << t.offset << " draw " << k;
    host.skip(t.skip);
    for (int k = 0; k < 3; ++k)
      ASSERT_EQ(bits_of(host.uniform()), bits_of(uniforms[i * 3 + k])) << "triple " << i << " uniform " << k;
  }
}

}  // namespace
}  // namespace detnum
