// GEMM on CUDA against the scalar reference (ref::gemm on the host), bit for bit: shapes around
// every tile and segment boundary, padded leading dimensions, misaligned pointers, all four
// transpose combinations, alpha and beta with their special values (beta = 0 over a C full of
// NaNs, which must not propagate), every GemmTile, split_k 1, 3 and automatic, the caller's
// workspace (filled with a sentinel, guard bytes after it) and Workspace{}. The whole C buffer,
// the gaps between rows and a tail past the last row included, is compared, so a write outside
// m x n shows. Then batch invariance on the device, strided batches, and the errors only a GPU
// machine can produce. Without a CUDA device every test skips.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "detnum/cuda/gemm.hpp"
#include "detnum/error.hpp"
#include "detnum/gemm.hpp"
#include "reduce_cases.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"
#include "support/gpu.hpp"

namespace detnum {
namespace {

using cuda::GemmConfig;
using cuda::GemmTile;
using test::DeviceBuffer;
using test::kGuardBytes;
using test::kSentinel;
using test::untouched;

constexpr std::int64_t kTail = 16;  // elements of C past the last row, compared like the rest

template <class T> const char* type_name();
template <> const char* type_name<float>() { return "float"; }
template <> const char* type_name<bf16>() { return "bf16"; }
template <> const char* type_name<fp16>() { return "fp16"; }

const char* tile_name(GemmTile t) {
  switch (t) {
    case GemmTile::automatic: return "automatic";
    case GemmTile::m128n128: return "m128n128";
    case GemmTile::m64n64: return "m64n64";
  }
  return "?";
}

std::vector<GemmConfig> all_configs() {
  std::vector<GemmConfig> v;
  for (const GemmTile t : {GemmTile::automatic, GemmTile::m128n128, GemmTile::m64n64})
    for (const int s : {1, 3, 0}) v.push_back({t, s});
  return v;
}

// --- Inputs ---------------------------------------------------------------------------------------

// float and bf16: reduce_cases.hpp's finite family (magnitudes 2^-20 .. 2^20, zeros of both signs,
// subnormals). fp16: finite values of every binade from subnormals to 2^4 with random fractions
// (reduce_input<fp16>'s random bit patterns, mostly huge or tiny, would overflow or vanish in
// most outputs).
template <class T>
std::vector<T> gemm_input(std::int64_t n, std::uint64_t seed) {
  if constexpr (std::is_same_v<T, fp16>) {
    const std::vector<float> f = test::reduce_input_f32(n, seed, test::Family::finite);
    std::vector<fp16> v(f.size());
    for (std::size_t i = 0; i < f.size(); ++i) {
      const std::uint32_t w = bits_of(f[i]);
      const std::uint32_t exponent = (w >> 10) % 20;  // 0: subnormal; 19: [2^4, 2^5)
      v[i] = fp16{static_cast<std::uint16_t>((w >> 16 & 0x8000u) | exponent << 10 | (w & 0x3FFu))};
    }
    return v;
  } else {
    return test::reduce_input<T>(n, seed, test::Family::finite);
  }
}

template <class C>
C nan_of() {
  if constexpr (std::is_same_v<C, float>) return float_from_bits(0x7FC01234u);
  else return bf16{0xFFC1u};
}

// --- One problem: host data, the reference, device runs -----------------------------------------

struct Problem {
  Transpose ta = Transpose::no, tb = Transpose::no;
  std::int64_t m = 0, n = 0, k = 0;
  std::int64_t pad_a = 0, pad_b = 0, pad_c = 0;  // leading dimensions beyond the least
  std::int64_t offset = 0;                         // elements the device pointers are moved by
  float alpha = 1.0f, beta = 0.0f;

  std::int64_t lda() const { return std::max<std::int64_t>(1, ta == Transpose::no ? k : m) + pad_a; }
  std::int64_t ldb() const { return std::max<std::int64_t>(1, tb == Transpose::no ? n : k) + pad_b; }
  std::int64_t ldc() const { return std::max<std::int64_t>(1, n) + pad_c; }
  std::int64_t a_rows() const { return ta == Transpose::no ? m : k; }
  std::int64_t b_rows() const { return tb == Transpose::no ? k : n; }
  std::int64_t a_size() const { return std::max<std::int64_t>(1, a_rows() * lda()); }
  std::int64_t b_size() const { return std::max<std::int64_t>(1, b_rows() * ldb()); }
  std::int64_t c_size() const { return m * ldc() + kTail; }

  std::string describe() const {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s%s m %lld n %lld k %lld lda %lld ldb %lld ldc %lld offset %lld alpha %g beta %g",
                  ta == Transpose::no ? "N" : "T", tb == Transpose::no ? "N" : "T", static_cast<long long>(m),
                  static_cast<long long>(n), static_cast<long long>(k), static_cast<long long>(lda()),
                  static_cast<long long>(ldb()), static_cast<long long>(ldc()), static_cast<long long>(offset),
                  static_cast<double>(alpha), static_cast<double>(beta));
    return buf;
  }
};

template <class T>
void upload(DeviceBuffer<T>& d, std::int64_t offset, const std::vector<T>& h) {
  ASSERT_EQ(cudaMemcpy(d.get() + offset, h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
}

template <class T>
std::vector<T> download(const T* d, std::size_t n) {
  std::vector<T> h(n);
  EXPECT_EQ(cudaMemcpy(h.data(), d, n * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
  return h;
}

// The problem on the device for every config and workspace mode, each compared with the reference.
template <class T, class C>
void expect_matches_reference(const Problem& p, const std::vector<GemmConfig>& configs,
                              std::initializer_list<bool> workspace_modes, std::uint64_t seed) {
  const std::vector<T> a = gemm_input<T>(p.a_size(), seed);
  const std::vector<T> b = gemm_input<T>(p.b_size(), seed + 1);
  std::vector<C> c0 = test::reduce_input<C>(p.c_size(), seed + 2, test::Family::finite);
  if (p.beta == 0.0f) std::fill(c0.begin(), c0.end(), nan_of<C>());  // must not propagate
  std::vector<C> want = c0;
  ref::gemm(p.ta, p.tb, p.m, p.n, p.k, p.alpha, a.data(), p.lda(), b.data(), p.ldb(), p.beta, want.data(), p.ldc());

  DeviceBuffer<T> da(static_cast<std::size_t>(p.a_size() + p.offset)), db(static_cast<std::size_t>(p.b_size() + p.offset));
  DeviceBuffer<C> dc(static_cast<std::size_t>(p.c_size() + p.offset));
  upload(da, p.offset, a);
  upload(db, p.offset, b);
  const std::size_t ws_bytes = std::max<std::size_t>(cuda::gemm_workspace_bytes(p.m, p.n, p.k), 256);
  DeviceBuffer<unsigned char> ws(ws_bytes + kGuardBytes);

  for (const GemmConfig& config : configs)
    for (const bool caller_ws : workspace_modes) {
      const std::string where = std::string(type_name<T>()) + " -> " + type_name<C>() + ", " + p.describe() +
                                ", tile " + tile_name(config.tile) + ", split_k " + std::to_string(config.split_k) +
                                (caller_ws ? ", caller's workspace" : ", Workspace{}");
      upload(dc, p.offset, c0);
      cuda::Workspace w{};
      if (caller_ws) {
        ASSERT_EQ(cudaMemset(ws.get(), kSentinel, ws_bytes + kGuardBytes), cudaSuccess);
        w = {ws.get(), ws_bytes};
      }
      cuda::gemm(p.ta, p.tb, p.m, p.n, p.k, p.alpha, da.get() + p.offset, p.lda(), db.get() + p.offset, p.ldb(),
                 p.beta, dc.get() + p.offset, p.ldc(), nullptr, w, config);
      ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess) << where;
      const std::vector<C> got = download(dc.get() + p.offset, static_cast<std::size_t>(p.c_size()));
      ASSERT_TRUE(test::same_bits(want, got)) << where;
      if (caller_ws) ASSERT_EQ(untouched(ws.get(), ws_bytes, ws_bytes + kGuardBytes), "") << where << ": past the workspace";
    }
}

struct Shape {
  std::int64_t m, n, k, pad_a = 0, pad_b = 0, pad_c = 0, offset = 0;
};

// Tiles are 128 and 64 (k-tiles 8 and 16), segments 256: shapes on both sides of each, primes,
// k = 0, several segments, skinny matrices, padded and odd leading dimensions, pointers off the
// 16-byte grid.
const Shape kShapes[] = {
    {1, 1, 1},        {37, 53, 97},     {130, 70, 9},   {65, 129, 33, 3, 5, 1}, {5, 7, 0},
    {33, 40, 256},    {20, 19, 257, 1, 0, 2}, {45, 71, 1000}, {2000, 3, 700},  {3, 2000, 700},
    {64, 64, 8},      {128, 128, 16},   {129, 127, 300, 4, 8, 4, 1},
};

constexpr Transpose kTransposes[] = {Transpose::no, Transpose::yes};

TEST(GemmGpu, FloatMatchesReferenceEverywhere) {
  DETNUM_REQUIRE_GPU();
  const std::vector<GemmConfig> configs = all_configs();
  std::uint64_t seed = 1;
  for (const Shape& s : kShapes)
    for (const Transpose ta : kTransposes)
      for (const Transpose tb : kTransposes)
        for (const float alpha : {1.0f, -0.5f, 0.0f})
          for (const float beta : {0.0f, 1.0f, 0.25f}) {
            const Problem p{ta, tb, s.m, s.n, s.k, s.pad_a, s.pad_b, s.pad_c, s.offset, alpha, beta};
            expect_matches_reference<float, float>(p, configs, {true, false}, seed += 3);
            if (HasFatalFailure()) return;
          }
}

// The other type pairs: fewer shapes and (alpha, beta) pairs, every transpose and config.
template <class T, class C>
void expect_pair_matches_reference() {
  const std::vector<GemmConfig> configs = all_configs();
  const Shape shapes[] = {{1, 1, 1}, {37, 53, 97, 1, 3, 2}, {130, 70, 513}, {3, 300, 1000}, {200, 9, 260, 0, 0, 0, 1}};
  std::uint64_t seed = 1000;
  for (const Shape& s : shapes)
    for (const Transpose ta : kTransposes)
      for (const Transpose tb : kTransposes)
        for (const auto& [alpha, beta] : {std::pair{1.0f, 0.0f}, std::pair{-0.5f, 0.25f}}) {
          const Problem p{ta, tb, s.m, s.n, s.k, s.pad_a, s.pad_b, s.pad_c, s.offset, alpha, beta};
          expect_matches_reference<T, C>(p, configs, {true}, seed += 3);
          if (::testing::Test::HasFatalFailure()) return;
        }
}

TEST(GemmGpu, FloatToBf16MatchesReference) {
  DETNUM_REQUIRE_GPU();
  expect_pair_matches_reference<float, bf16>();
}
TEST(GemmGpu, Bf16ToFloatMatchesReference) {
  DETNUM_REQUIRE_GPU();
  expect_pair_matches_reference<bf16, float>();
}
TEST(GemmGpu, Bf16ToBf16MatchesReference) {
  DETNUM_REQUIRE_GPU();
  expect_pair_matches_reference<bf16, bf16>();
}
TEST(GemmGpu, Fp16ToFloatMatchesReference) {
  DETNUM_REQUIRE_GPU();
  expect_pair_matches_reference<fp16, float>();
}
TEST(GemmGpu, Fp16ToBf16MatchesReference) {
  DETNUM_REQUIRE_GPU();
  expect_pair_matches_reference<fp16, bf16>();
}

// Long k: many segments, so the automatic rule splits; explicit splits of 2, 3, 7 and more parts
// than segments.
TEST(GemmGpu, LongKSplitsMatchReference) {
  DETNUM_REQUIRE_GPU();
  std::vector<GemmConfig> configs = all_configs();
  for (const int s : {2, 7, 100000}) configs.push_back({GemmTile::automatic, s});
  const Shape shapes[] = {{64, 64, 8192}, {150, 90, 4100, 0, 0, 0, 1}, {1, 1, 3000}};
  std::uint64_t seed = 5000;
  for (const Shape& s : shapes)
    for (const Transpose ta : kTransposes)
      for (const auto& [alpha, beta] : {std::pair{1.0f, 0.0f}, std::pair{-0.5f, 0.25f}}) {
        const Problem p{ta, Transpose::no, s.m, s.n, s.k, s.pad_a, s.pad_b, s.pad_c, s.offset, alpha, beta};
        expect_matches_reference<float, float>(p, configs, {true, false}, seed += 3);
        expect_matches_reference<bf16, bf16>(p, configs, {true}, seed += 3);
        if (HasFatalFailure()) return;
      }
}

// A = -0, B = 1: every chain stays -0 (fma(-0, 1, -0) = -0) and so does C. A kernel that fed the
// zero padding of a partial k-tile into a chain (fma(0, 0, -0) = +0) would write +0.
TEST(GemmGpu, NegativeZeroChainsStayNegative) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t m = 5, n = 6;
  for (const std::int64_t k : {1, 13, 257, 1000}) {
    const std::vector<float> a(static_cast<std::size_t>(m * k), -0.0f), b(static_cast<std::size_t>(k * n), 1.0f);
    std::vector<float> want(static_cast<std::size_t>(m * n), 7.0f);
    ref::gemm(Transpose::no, Transpose::no, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, want.data(), n);
    ASSERT_EQ(bits_of(want[0]), 0x80000000u);
    DeviceBuffer<float> da(a.size()), db(b.size()), dc(want.size());
    upload(da, 0, a);
    upload(db, 0, b);
    for (const GemmConfig& config : all_configs()) {
      cuda::gemm(Transpose::no, Transpose::no, m, n, k, 1.0f, da.get(), k, db.get(), n, 0.0f, dc.get(), n, nullptr, {},
                 config);
      ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
      EXPECT_TRUE(test::same_bits(want, download(dc.get(), want.size())))
          << "k " << k << ", tile " << tile_name(config.tile) << ", split_k " << config.split_k;
    }
  }
}

// --- Batch invariance ------------------------------------------------------------------------------

// Row i of C computed with the first M rows of one A has the same bits for every M (and column j
// for every N): the tile, the split and the grid change with the shape, the bits do not.
TEST(GemmGpu, RowsAndColumnsAreBatchInvariant) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t kMax = 1000, K = 2000, N = 50, M = 40;
  const std::vector<float> a = gemm_input<float>(kMax * K, 71), b = gemm_input<float>(K * kMax, 72);
  DeviceBuffer<float> da(a.size()), db(b.size()), dc(static_cast<std::size_t>(kMax * kMax));
  upload(da, 0, a);
  upload(db, 0, b);

  // Rows: A is kMax x K (lda K), B is K x N; C is M x N for M in 1, 7, 64, 1000.
  std::vector<float> rows_want(static_cast<std::size_t>(kMax * N));
  ref::gemm(Transpose::no, Transpose::no, kMax, N, K, 1.0f, a.data(), K, b.data(), N, 0.0f, rows_want.data(), N);
  for (const std::int64_t m : {1, 7, 64, 1000})
    for (const GemmConfig& config : {GemmConfig{}, GemmConfig{GemmTile::m128n128, 1}, GemmConfig{GemmTile::m64n64, 3}}) {
      cuda::gemm(Transpose::no, Transpose::no, m, N, K, 1.0f, da.get(), K, db.get(), N, 0.0f, dc.get(), N, nullptr, {},
                 config);
      ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
      const std::vector<float> got = download(dc.get(), static_cast<std::size_t>(m * N));
      const std::vector<float> want(rows_want.begin(), rows_want.begin() + m * N);
      EXPECT_TRUE(test::same_bits(want, got)) << "M " << m << ", tile " << tile_name(config.tile) << ", split_k "
                                              << config.split_k;
    }

  // Columns: A is M x K, B is K x kMax (ldb kMax) of which the first n columns are used.
  std::vector<float> cols_want(static_cast<std::size_t>(M * kMax));
  ref::gemm(Transpose::no, Transpose::no, M, kMax, K, 1.0f, a.data(), K, b.data(), kMax, 0.0f, cols_want.data(), kMax);
  for (const std::int64_t n : {1, 7, 64, 1000})
    for (const GemmConfig& config : {GemmConfig{}, GemmConfig{GemmTile::m128n128, 1}, GemmConfig{GemmTile::m64n64, 3}}) {
      cuda::gemm(Transpose::no, Transpose::no, M, n, K, 1.0f, da.get(), K, db.get(), kMax, 0.0f, dc.get(), n, nullptr,
                 {}, config);
      ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
      const std::vector<float> got = download(dc.get(), static_cast<std::size_t>(M * n));
      std::vector<float> want;
      for (std::int64_t i = 0; i < M; ++i)
        want.insert(want.end(), cols_want.begin() + i * kMax, cols_want.begin() + i * kMax + n);
      EXPECT_TRUE(test::same_bits(want, got)) << "N " << n << ", tile " << tile_name(config.tile) << ", split_k "
                                              << config.split_k;
    }
}

// --- Strided batches -------------------------------------------------------------------------------

// Every matrix of a strided batch has the bits of its own gemm (on the device and in the
// reference); A repeated with stride 0 too.
template <class T, class C>
void expect_batch_matches_single(Transpose ta, Transpose tb, std::int64_t stride_a_extra, bool repeat_b,
                                 std::int64_t k) {
  constexpr std::int64_t kBatch = 5, m = 33, n = 47;
  const std::int64_t lda = (ta == Transpose::no ? k : m) + 1, ldb = (tb == Transpose::no ? n : k) + 2, ldc = n + 3;
  const std::int64_t stride_a = (ta == Transpose::no ? m : k) * lda + stride_a_extra;
  const std::int64_t stride_b = repeat_b ? 0 : (tb == Transpose::no ? k : n) * ldb + 5;
  const std::int64_t stride_c = m * ldc + 7;
  const std::vector<T> a = gemm_input<T>(kBatch * stride_a, 81);
  const std::vector<T> b = gemm_input<T>(kBatch * ((tb == Transpose::no ? k : n) * ldb + 5), 82);
  const std::vector<C> c0 = test::reduce_input<C>(kBatch * stride_c, 83, test::Family::finite);
  DeviceBuffer<T> da(a.size()), db(b.size());
  DeviceBuffer<C> dc(c0.size()), dsingle(c0.size());
  upload(da, 0, a);
  upload(db, 0, b);
  for (const GemmConfig& config : {GemmConfig{}, GemmConfig{GemmTile::m128n128, 3}, GemmConfig{GemmTile::m64n64, 1}}) {
    const std::string where = std::string(type_name<T>()) + " -> " + type_name<C>() + ", " +
                              (ta == Transpose::no ? "N" : "T") + (tb == Transpose::no ? "N" : "T") + ", k " +
                              std::to_string(k) + (repeat_b ? ", B repeated" : "") + ", tile " +
                              tile_name(config.tile) + ", split_k " + std::to_string(config.split_k);
    upload(dc, 0, c0);
    upload(dsingle, 0, c0);
    cuda::gemm_strided_batched(ta, tb, m, n, k, 0.75f, da.get(), lda, stride_a, db.get(), ldb, stride_b, 0.5f,
                               dc.get(), ldc, stride_c, kBatch, nullptr, {}, config);
    for (std::int64_t q = 0; q < kBatch; ++q)
      cuda::gemm(ta, tb, m, n, k, 0.75f, da.get() + q * stride_a, lda, db.get() + q * stride_b, ldb, 0.5f,
                 dsingle.get() + q * stride_c, ldc, nullptr, {}, config);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess) << where;
    std::vector<C> want = c0;
    for (std::int64_t q = 0; q < kBatch; ++q)
      ref::gemm(ta, tb, m, n, k, 0.75f, a.data() + q * stride_a, lda, b.data() + q * stride_b, ldb, 0.5f,
                want.data() + q * stride_c, ldc);
    EXPECT_TRUE(test::same_bits(want, download(dc.get(), c0.size()))) << where << ": batched vs reference";
    EXPECT_TRUE(test::same_bits(want, download(dsingle.get(), c0.size()))) << where << ": single vs reference";
  }
}

TEST(GemmGpu, StridedBatchedEqualsEachGemm) {
  DETNUM_REQUIRE_GPU();
  for (const Transpose ta : kTransposes)
    for (const Transpose tb : kTransposes) {
      expect_batch_matches_single<float, float>(ta, tb, 3, false, 300);
      expect_batch_matches_single<float, float>(ta, tb, 0, true, 1000);
      expect_batch_matches_single<bf16, bf16>(ta, tb, 4, false, 600);
      expect_batch_matches_single<fp16, float>(ta, tb, 0, true, 64);
    }
}

// A batch whose matrices fit the vector loads (strides and leading dimensions multiples of 4),
// split over k, with the caller's workspace.
TEST(GemmGpu, AlignedBatchWithSplit) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t kBatch = 3, m = 64, n = 64, k = 1024;
  const std::vector<float> a = gemm_input<float>(kBatch * m * k, 91), b = gemm_input<float>(kBatch * k * n, 92);
  DeviceBuffer<float> da(a.size()), db(b.size()), dc(static_cast<std::size_t>(kBatch * m * n));
  upload(da, 0, a);
  upload(db, 0, b);
  const std::size_t ws_bytes = cuda::gemm_workspace_bytes(m, n, k, kBatch);
  ASSERT_EQ(ws_bytes, static_cast<std::size_t>(4 * kBatch * m * n * 4));  // 4 segments of partials
  DeviceBuffer<unsigned char> ws(ws_bytes + kGuardBytes);
  std::vector<float> want(static_cast<std::size_t>(kBatch * m * n));
  for (std::int64_t q = 0; q < kBatch; ++q)
    ref::gemm(Transpose::no, Transpose::no, m, n, k, 1.0f, a.data() + q * m * k, k, b.data() + q * k * n, n, 0.0f,
              want.data() + q * m * n, n);
  for (const int split : {0, 1, 2, 4}) {
    ASSERT_EQ(cudaMemset(ws.get(), kSentinel, ws_bytes + kGuardBytes), cudaSuccess);
    ASSERT_EQ(cudaMemset(dc.get(), 0xFF, want.size() * sizeof(float)), cudaSuccess);
    cuda::gemm_strided_batched(Transpose::no, Transpose::no, m, n, k, 1.0f, da.get(), k, m * k, db.get(), n, k * n,
                               0.0f, dc.get(), n, m * n, kBatch, nullptr, {ws.get(), ws_bytes},
                               {GemmTile::m64n64, split});
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_TRUE(test::same_bits(want, download(dc.get(), want.size()))) << "split_k " << split;
    EXPECT_EQ(untouched(ws.get(), ws_bytes, ws_bytes + kGuardBytes), "") << "split_k " << split;
  }
}

// Repeated calls on a stream of the caller's give the same bits each time.
TEST(GemmGpu, OnAStreamRepeatedly) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t m = 100, n = 80, k = 3000;
  const std::vector<float> a = gemm_input<float>(m * k, 101), b = gemm_input<float>(k * n, 102);
  std::vector<float> want(static_cast<std::size_t>(m * n));
  ref::gemm(Transpose::no, Transpose::yes, m, n, k, 1.0f, a.data(), k, b.data(), k, 0.0f, want.data(), n);
  cudaStream_t stream;
  ASSERT_EQ(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), cudaSuccess);
  DeviceBuffer<float> da(a.size()), db(b.size()), dc(4 * want.size());
  upload(da, 0, a);
  upload(db, 0, b);
  const std::size_t ws_bytes = cuda::gemm_workspace_bytes(m, n, k);
  DeviceBuffer<unsigned char> ws(ws_bytes);
  for (int r = 0; r < 4; ++r) {
    const cuda::Workspace w = r % 2 ? cuda::Workspace{ws.get(), ws_bytes} : cuda::Workspace{};
    cuda::gemm(Transpose::no, Transpose::yes, m, n, k, 1.0f, da.get(), k, db.get(), k, 0.0f,
               dc.get() + r * static_cast<std::int64_t>(want.size()), n, stream, w);
  }
  std::vector<float> got(4 * want.size());
  ASSERT_EQ(cudaMemcpyAsync(got.data(), dc.get(), got.size() * sizeof(float), cudaMemcpyDeviceToHost, stream),
            cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  ASSERT_EQ(cudaStreamDestroy(stream), cudaSuccess);
  for (int r = 0; r < 4; ++r)
    EXPECT_TRUE(test::same_bits(want, std::vector<float>(got.begin() + r * static_cast<std::ptrdiff_t>(want.size()),
                                                         got.begin() + (r + 1) * static_cast<std::ptrdiff_t>(want.size()))))
        << "call " << r;
}

// --- Errors only a GPU machine can produce ---------------------------------------------------------

using test::expect_error;

TEST(GemmGpu, Errors) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t m = 64, n = 64, k = 1024;
  std::vector<float> host(static_cast<std::size_t>(m * k), 1.0f);
  DeviceBuffer<float> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(k * n)),
      c(static_cast<std::size_t>(m * n));
  const std::size_t need = cuda::gemm_workspace_bytes(m, n, k);
  ASSERT_GT(need, 0u);
  DeviceBuffer<unsigned char> ws(need + 256);
  const auto call = [&](const float* pa, const float* pb, float* pc, cuda::Workspace w, GemmConfig config) {
    cuda::gemm(Transpose::no, Transpose::no, m, n, k, 1.0f, pa, k, pb, n, 0.0f, pc, n, nullptr, w, config);
  };
  const GemmConfig split{GemmTile::automatic, 3};
  expect_error([&] { call(host.data(), b.get(), c.get(), {}, {}); }, ErrorCode::wrong_memory_space,
               "cuda::gemm: a must be device, managed or mapped memory");
  expect_error([&] { call(a.get(), b.get(), host.data(), {}, {}); }, ErrorCode::wrong_memory_space,
               "cuda::gemm: c must be device");
  expect_error([&] { call(a.get(), b.get(), c.get(), {ws.get(), 256}, split); }, ErrorCode::invalid_argument,
               "cuda::gemm: ws.bytes must be at least gemm_workspace_bytes(m, n, k, batch) = " + std::to_string(need));
  expect_error([&] { call(a.get(), b.get(), c.get(), {ws.get() + 8, need}, split); }, ErrorCode::invalid_argument,
               "cuda::gemm: ws.ptr must be 256-byte aligned");
  expect_error([&] { call(a.get(), b.get(), c.get(), {host.data(), need}, split); }, ErrorCode::wrong_memory_space,
               "cuda::gemm: ws.ptr must be device");
  expect_error([&] { call(a.get(), b.get(), c.get(), {}, {GemmTile::automatic, -1}); }, ErrorCode::invalid_argument,
               "cuda::gemm: config.split_k must be >= 0");
  expect_error([&] { call(a.get(), b.get(), c.get(), {}, {static_cast<GemmTile>(9), 0}); },
               ErrorCode::invalid_argument, "cuda::gemm: config.tile must be");
  expect_error(
      [&] {
        cuda::gemm_strided_batched(Transpose::no, Transpose::no, 8, 8, 8, 1.0f, a.get(), 8, 64, b.get(), 8, 64, 0.0f,
                                   c.get(), 8, 10, 3);
      },
      ErrorCode::unsupported_aliasing, "cuda::gemm_strided_batched: stride_c must be >=");
  // The checks the CPU entry points share (tests/gemm_test.cpp), reached through the CUDA one.
  const auto sized = [&](std::int64_t mm, std::int64_t kk, std::int64_t lda, std::int64_t ldb, std::int64_t ldc) {
    return [=, &a, &b, &c] {
      cuda::gemm(Transpose::no, Transpose::no, mm, 8, kk, 1.0f, a.get(), lda, b.get(), ldb, 0.0f, c.get(), ldc);
    };
  };
  expect_error(sized(-1, 8, 8, 8, 8), ErrorCode::size_out_of_range, "cuda::gemm: m must be >= 0, got -1");
  expect_error(sized(8, -3, 8, 8, 8), ErrorCode::size_out_of_range, "cuda::gemm: k must be >= 0, got -3");
  expect_error(sized(8, 9, 8, 8, 8), ErrorCode::invalid_argument, "cuda::gemm: lda must be >= max(1, k) = 9, got 8");
  expect_error(sized(8, 8, 8, 7, 8), ErrorCode::invalid_argument, "cuda::gemm: ldb must be >= max(1, n) = 8, got 7");
  expect_error(sized(8, 8, 8, 8, 4), ErrorCode::invalid_argument, "cuda::gemm: ldc must be >= max(1, n) = 8, got 4");
  expect_error([&] { call(nullptr, b.get(), c.get(), {}, {}); }, ErrorCode::null_pointer,
               "cuda::gemm: a must not be null");
  expect_error(
      [&] { cuda::gemm(Transpose::no, Transpose::no, 8, 8, 8, 1.0f, a.get(), 8, b.get(), 8, 0.0f, a.get() + 16, 8); },
      ErrorCode::unsupported_aliasing, "cuda::gemm: c and a must not overlap");
  expect_error(
      [&] { cuda::gemm(Transpose::no, Transpose::no, 8, 8, 8, 1.0f, a.get(), 8, b.get(), 8, 0.0f, b.get(), 8); },
      ErrorCode::unsupported_aliasing, "cuda::gemm: c and b must not overlap");
  expect_error([&] { (void)cuda::gemm_workspace_bytes(-1, 4, 4); }, ErrorCode::size_out_of_range,
               "cuda::gemm_workspace_bytes: m must be >= 0");
  // A call that does not split needs no workspace, so a small one is not an error.
  call(a.get(), b.get(), c.get(), {ws.get(), 256}, {GemmTile::automatic, 1});
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_EQ(cuda::gemm_workspace_bytes(1000, 1000, 256), 0u);
  EXPECT_EQ(cuda::gemm_workspace_bytes(10, 10, 257), 1024u);  // 2 segments x 100 floats, rounded up to 256
}

}  // namespace
}  // namespace detnum
