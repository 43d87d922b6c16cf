// Embedding lookup and gradient on the CPU: the fast path equals the reference bit for bit at
// every thread count; each gradient row equals the canonical vector sum of its column (an
// independent route through ref::sum); a row does not depend on the other ids of the batch;
// unused ids give +0; errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "detnum/embedding.hpp"
#include "detnum/reduce.hpp"
#include "embedding_cases.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"

namespace detnum::test {
namespace {

constexpr int kThreads[] = {1, 2, 3, 5, 8};

TEST(Embedding, ForwardCopiesRows) {
  for (const EmbeddingShape& s : kEmbeddingShapes) {
    const EmbeddingInputs in(s);
    std::vector<float> want(static_cast<std::size_t>(s.n * s.dim));
    ref::embedding_forward(in.table.data(), s.vocab, s.dim, in.ids.data(), s.n, want.data());
    for (std::int64_t r = 0; r < s.n; ++r)
      for (std::int64_t d = 0; d < s.dim; ++d) {
        const float t = in.table[in.ids[r] * s.dim + d];
        ASSERT_EQ(bits_of(want[r * s.dim + d]), t != t ? kCanonicalNanF32 : bits_of(t));
      }
    for (const int t : kThreads)
      for (const CpuSimd simd : {CpuSimd::best, CpuSimd::portable}) {  // the AVX2 and the baseline loops
        std::vector<float> got(want.size(), 1.0f);
        embedding_forward(in.table.data(), s.vocab, s.dim, in.ids.data(), s.n, got.data(), CpuOptions{t, simd});
        EXPECT_TRUE(same_bits(want, got)) << s.label() << ", threads " << t;
      }
  }
}

TEST(Embedding, BackwardFastEqualsReference) {
  for (const EmbeddingShape& s : kEmbeddingShapes)
    for (const bool specials : {false, true}) {
      const EmbeddingInputs in(s, specials);
      std::vector<float> want(static_cast<std::size_t>(s.vocab * s.dim), 7.0f);
      ref::embedding_backward(in.ids.data(), s.n, in.dout.data(), s.vocab, s.dim, want.data());
      for (const int t : kThreads) {
        std::vector<float> got(want.size(), 7.0f);
        embedding_backward(in.ids.data(), s.n, in.dout.data(), s.vocab, s.dim, got.data(), CpuOptions{t});
        EXPECT_TRUE(same_bits(want, got)) << s.label() << (specials ? ", specials" : "") << ", threads " << t;
      }
    }
}

// Row v, column d is ref::sum of the column's values in the rows of v, in increasing row order;
// +0 (the sum of nothing) for an id that does not occur.
TEST(Embedding, BackwardIsTheVectorSumOfEachSegment) {
  for (const EmbeddingShape& s : kEmbeddingShapes) {
    const EmbeddingInputs in(s);
    std::vector<float> got(static_cast<std::size_t>(s.vocab * s.dim));
    ref::embedding_backward(in.ids.data(), s.n, in.dout.data(), s.vocab, s.dim, got.data());
    for (std::int64_t v = 0; v < s.vocab; ++v)
      for (std::int64_t d = 0; d < s.dim; d += 1 + s.dim / 5) {
        std::vector<float> column;
        for (std::int64_t r = 0; r < s.n; ++r)
          if (in.ids[r] == v) column.push_back(in.dout[r * s.dim + d]);
        const float want = ref::sum(column.data(), static_cast<std::int64_t>(column.size()));
        ASSERT_EQ(bits_of(got[v * s.dim + d]), bits_of(want)) << s.label() << ", id " << v << ", column " << d;
      }
  }
}

// The gradient row of an id is the same whether the batch holds other ids or not.
TEST(Embedding, BackwardRowsDoNotDependOnOtherIds) {
  const EmbeddingShape s{40, 17, 3000};
  const EmbeddingInputs in(s);
  std::vector<float> all(static_cast<std::size_t>(s.vocab * s.dim));
  embedding_backward(in.ids.data(), s.n, in.dout.data(), s.vocab, s.dim, all.data(), CpuOptions{3});
  for (const std::int32_t v : {0, 7, 39}) {
    std::vector<std::int32_t> ids;
    std::vector<float> dout;
    for (std::int64_t r = 0; r < s.n; ++r)
      if (in.ids[r] == v) {
        ids.push_back(v);
        dout.insert(dout.end(), in.dout.begin() + r * s.dim, in.dout.begin() + (r + 1) * s.dim);
      }
    std::vector<float> alone(static_cast<std::size_t>(s.vocab * s.dim));
    embedding_backward(ids.data(), static_cast<std::int64_t>(ids.size()), dout.data(), s.vocab, s.dim, alone.data());
    EXPECT_TRUE(same_bits(std::vector<float>(all.begin() + v * s.dim, all.begin() + (v + 1) * s.dim),
                          std::vector<float>(alone.begin() + v * s.dim, alone.begin() + (v + 1) * s.dim)))
        << "id " << v;
  }
}

TEST(Embedding, BadInputIsAnErrorAndWritesNothing) {
  const std::vector<std::int32_t> ids = {0, 3, 4, 1};
  const std::vector<float> table(4 * 2, 1.0f), dout(4 * 2, 1.0f);
  std::vector<float> out(8, 5.0f);
  expect_error([&] { embedding_forward(table.data(), 4, 2, ids.data(), 4, out.data()); }, ErrorCode::invalid_argument,
               "ids[2] must be in [0, vocab = 4), got 4");
  expect_error([&] { embedding_backward(ids.data(), 4, dout.data(), 4, 2, out.data()); }, ErrorCode::invalid_argument,
               "ids[2] must be in [0, vocab = 4), got 4");
  EXPECT_TRUE(same_bits(std::vector<float>(8, 5.0f), out));
  expect_error([&] { embedding_backward(nullptr, 4, dout.data(), 5, 2, out.data()); }, ErrorCode::null_pointer, "ids");
  expect_error([&] { embedding_backward(ids.data(), 4, dout.data(), 5, -2, out.data()); }, ErrorCode::size_out_of_range,
               "dim must be >= 0, got -2");
  expect_error([&] { embedding_backward(ids.data(), 4, out.data(), 4, 2, out.data()); },
               ErrorCode::unsupported_aliasing, "dout");
  // An output over the ids: the copy would overwrite ids still to be read.
  std::vector<float> shared(4, 0.0f);
  auto* shared_ids = reinterpret_cast<std::int32_t*>(shared.data());
  expect_error([&] { embedding_forward(table.data(), 4, 2, shared_ids, 2, shared.data()); },
               ErrorCode::unsupported_aliasing, "ids");
}

}  // namespace
}  // namespace detnum::test
