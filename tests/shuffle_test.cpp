// Data order: every (n, seed, epoch) gives a permutation of [0, n), pinned by a known answer; it
// does not change with the thread count; epochs and seeds give different orders; the split
// partitions [0, n) with the stated sizes; bad arguments get detnum::Error.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "detnum/error.hpp"
#include "detnum/shuffle.hpp"
#include "support/errors.hpp"

namespace detnum::test {
namespace {

bool is_permutation_of_range(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i] != static_cast<std::int64_t>(i)) return false;
  return true;
}

TEST(Shuffle, PermutationForEverySize) {
  for (const std::int64_t n : {1, 2, 3, 4, 5, 7, 16, 17, 1000, 65537, 1 << 20}) {
    std::vector<std::int64_t> out(static_cast<std::size_t>(n), -1);
    shuffle_indices(n, 42, 3, out.data(), {1});
    EXPECT_TRUE(is_permutation_of_range(out)) << "n = " << n;
    for (const int threads : {2, 3, 8}) {
      std::vector<std::int64_t> again(out.size(), -1);
      shuffle_indices(n, 42, 3, again.data(), {threads});
      EXPECT_EQ(out, again) << "n = " << n << ", threads " << threads;
    }
    // Every position equals shuffled_index, which computes the rounds with Philox (shuffle_indices
    // looks them up in a table of their values).
    std::int64_t differ = 0;
    for (std::int64_t p = 0; p < n; ++p) differ += out[static_cast<std::size_t>(p)] != shuffled_index(p, n, 42, 3);
    EXPECT_EQ(differ, 0) << "n = " << n;
  }
}

// The order is part of the promise: these values may change only with a new order-spec version.
TEST(Shuffle, KnownAnswer) {
  std::vector<std::int64_t> out(10);
  shuffle_indices(10, 1, 0, out.data());
  EXPECT_EQ(out, (std::vector<std::int64_t>{7, 0, 1, 9, 6, 5, 4, 2, 3, 8}));  // also computed with Random123's Philox
}

TEST(Shuffle, EpochsAndSeedsDiffer) {
  constexpr std::int64_t n = 1000;
  std::vector<std::int64_t> a(n), b(n), c(n);
  shuffle_indices(n, 7, 0, a.data());
  shuffle_indices(n, 7, 1, b.data());
  shuffle_indices(n, 8, 0, c.data());
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  // Not the identity, and no long runs of consecutive indices.
  int in_place = 0;
  for (std::int64_t i = 0; i < n; ++i) in_place += a[i] == i ? 1 : 0;
  EXPECT_LT(in_place, 10);
}

TEST(Shuffle, SplitPartitionsTheRange) {
  const DatasetSplit s = split_indices(1003, 0.8, 0.1, 5);
  EXPECT_EQ(s.train.size(), 802u);
  EXPECT_EQ(s.validation.size(), 100u);
  EXPECT_EQ(s.test.size(), 101u);
  std::vector<std::int64_t> all;
  for (const auto* part : {&s.train, &s.validation, &s.test}) {
    EXPECT_TRUE(std::is_sorted(part->begin(), part->end()));
    all.insert(all.end(), part->begin(), part->end());
  }
  EXPECT_TRUE(is_permutation_of_range(all));
  const DatasetSplit again = split_indices(1003, 0.8, 0.1, 5);
  EXPECT_EQ(s.train, again.train);
  EXPECT_EQ(s.test, again.test);
}

// The split is part of the promise too (order-spec v1: the permutation of epoch kSplitEpoch, cut
// and sorted): these values, computed once from that definition, may change only with a new
// order-spec version.
TEST(Shuffle, SplitKnownAnswer) {
  const DatasetSplit s = split_indices(20, 0.6, 0.2, 5);
  EXPECT_EQ(s.train, (std::vector<std::int64_t>{0, 2, 3, 4, 7, 10, 11, 12, 13, 14, 15, 18}));
  EXPECT_EQ(s.validation, (std::vector<std::int64_t>{1, 6, 9, 19}));
  EXPECT_EQ(s.test, (std::vector<std::int64_t>{5, 8, 16, 17}));
  // A larger domain (n = 1003: 2^10): the first and last three of each part.
  const DatasetSplit l = split_indices(1003, 0.8, 0.1, 5);
  const auto ends = [](const std::vector<std::int64_t>& v) {
    return std::vector<std::int64_t>{v[0], v[1], v[2], v[v.size() - 3], v[v.size() - 2], v[v.size() - 1]};
  };
  EXPECT_EQ(ends(l.train), (std::vector<std::int64_t>{0, 2, 3, 1000, 1001, 1002}));
  EXPECT_EQ(ends(l.validation), (std::vector<std::int64_t>{1, 17, 23, 980, 995, 998}));
  EXPECT_EQ(ends(l.test), (std::vector<std::int64_t>{15, 21, 26, 955, 989, 994}));
}

// The fractions are floor(f * n) in double, then the same cut as by counts.
TEST(Shuffle, SplitByCountIsTheSameCut) {
  const DatasetSplit f = split_indices(20, 0.6, 0.2, 5), c = split_indices_by_count(20, 12, 4, 5);
  EXPECT_EQ(f.train, c.train);
  EXPECT_EQ(f.validation, c.validation);
  EXPECT_EQ(f.test, c.test);
  // 0.29 is not a binary number: 0.29 * 100 = 28.999999999999996 in double, so 28 items; a count says 29.
  EXPECT_EQ(split_indices(100, 0.29, 0.0, 5).train.size(), 28u);
  const DatasetSplit exact = split_indices_by_count(100, 29, 0, 5);
  EXPECT_EQ(exact.train.size(), 29u);
  EXPECT_EQ(exact.test.size(), 71u);
}

TEST(ShuffleErrors, Arguments) {
  std::vector<std::int64_t> out(4);
  expect_error([&] { shuffle_indices(-1, 0, 0, out.data()); }, ErrorCode::size_out_of_range, "n must be >= 0, got -1");
  expect_error([&] { shuffle_indices(4, 0, 0, nullptr); }, ErrorCode::null_pointer, "out must not be null");
  expect_error([&] { shuffled_index(4, 4, 0, 0); }, ErrorCode::invalid_argument, "position must be in [0, n) = [0, 4), got 4");
  expect_error([&] { split_indices_by_count(10, 11, 0, 0); }, ErrorCode::invalid_argument,
               "split_indices_by_count: n_train must be in [0, n] = [0, 10], got 11");
  expect_error([&] { split_indices_by_count(10, 4, 7, 0); }, ErrorCode::invalid_argument,
               "split_indices_by_count: n_validation must be in [0, n - n_train] = [0, 6], got 7");
  expect_error([&] { split_indices_by_count(10, -1, 0, 0); }, ErrorCode::invalid_argument, "got -1");
  expect_error([&] { split_indices(10, 1.5, 0.0, 0); }, ErrorCode::invalid_argument, "train_fraction must be in [0, 1], got 1.5");
  expect_error([&] { split_indices(10, 0.8, 0.3, 0); }, ErrorCode::invalid_argument, "validation_fraction must be in [0, 1 - train_fraction]");
  // The message shows the value passed, not a rounding of it to six decimals.
  expect_error([&] { split_indices(10, -1e-7, 0.0, 0); }, ErrorCode::invalid_argument, "train_fraction must be in [0, 1], got -1e-07");
  expect_error([&] { split_indices(10, 0.5, 0.5000001, 0); }, ErrorCode::invalid_argument, "got 0.5000001");
}

}  // namespace
}  // namespace detnum::test
