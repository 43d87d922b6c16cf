// Data order on the CPU: detail/shuffle_order.hpp's permutation, positions cut into thread ranges
// (each position's index is computed on its own, so threads change nothing but speed). For n up
// to 2^32 the Feistel rounds' values come from a table of every value they can take.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "common/memory_space.hpp"
#include "common/validate.hpp"
#include "cpu/parallel.hpp"
#include "detnum/detail/shuffle_order.hpp"
#include "detnum/shuffle.hpp"

namespace detnum {
namespace {

// Halves of at most 16 bits (n <= 2^32): the rounds' F values fit a table of 4 x 2^16 words.
constexpr int kTableMaxHalfBits = 16;

// F of round `round` for half r, from the table: entry round * 2^h + r (detail::shuffle_round's value).
struct TableRounds {
  const std::uint32_t* table;
  int half_bits;
  std::uint64_t operator()(std::uint64_t r, int round) const {
    return table[(static_cast<std::size_t>(round) << half_bits) + static_cast<std::size_t>(r)];
  }
};

}  // namespace

std::int64_t shuffled_index(std::int64_t position, std::int64_t n, std::uint64_t seed, std::uint64_t epoch) {
  detail::check_size("shuffled_index", "n", n, 1);
  if (position < 0 || position >= n)
    detail::fail(ErrorCode::invalid_argument, "shuffled_index",
                 "position must be in [0, n) = [0, " + std::to_string(n) + "), got " + std::to_string(position));
  return detail::shuffled_index(position, n, detail::shuffle_key(n, seed, epoch));
}

void shuffle_indices(std::int64_t n, std::uint64_t seed, std::uint64_t epoch, std::int64_t* out, CpuOptions options) {
  constexpr const char* fn = "shuffle_indices";
  options = detail::resolve_cpu_options(fn, options);
  detail::check_size(fn, "n", n, sizeof(std::int64_t));
  detail::check_not_null(fn, "out", out, n);
  if (n > 0) detail::check_host_accessible(fn, "out", out);
  if (n == 0) return;
  const detail::ShuffleKey key = detail::shuffle_key(n, seed, epoch);
  if (key.half_bits > kTableMaxHalfBits) {
    detail::parallel_ranges(n, 4096, options.threads, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t p = begin; p < end; ++p) out[p] = detail::shuffled_index(p, n, key);
    });
    return;
  }
  // Each round's F takes at most 2^h values: all of them first (4 * 2^h <= 8 sqrt(n) Philox
  // blocks), then every position's walk looks them up instead of computing 4 blocks per step.
  const std::int64_t halves = std::int64_t{1} << key.half_bits;
  std::vector<std::uint32_t> table(static_cast<std::size_t>(detail::kShuffleRounds * halves));
  detail::parallel_ranges(detail::kShuffleRounds * halves, 4096, options.threads, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t e = begin; e < end; ++e)
      table[static_cast<std::size_t>(e)] =
          static_cast<std::uint32_t>(detail::shuffle_round(static_cast<std::uint64_t>(e % halves), static_cast<int>(e / halves), key));
  });
  const TableRounds rounds{table.data(), key.half_bits};
  detail::parallel_ranges(n, 4096, options.threads, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t p = begin; p < end; ++p) out[p] = detail::shuffled_index(p, n, key, rounds);
  });
}

DatasetSplit split_indices(std::int64_t n, double train_fraction, double validation_fraction, std::uint64_t seed) {
  constexpr const char* fn = "split_indices";
  detail::check_size(fn, "n", n, sizeof(std::int64_t));
  const auto fraction_ok = [](double f) { return f >= 0.0 && f <= 1.0; };
  if (!fraction_ok(train_fraction))
    detail::fail(ErrorCode::invalid_argument, fn, "train_fraction must be in [0, 1], got " + detail::format_value(train_fraction));
  if (!fraction_ok(validation_fraction) || train_fraction + validation_fraction > 1.0)
    detail::fail(ErrorCode::invalid_argument, fn,
                 "validation_fraction must be in [0, 1 - train_fraction], got " + detail::format_value(validation_fraction));
  // floor(f * n) in double; above 2^53 it may round past n, hence the min.
  const auto n_train = std::min(n, static_cast<std::int64_t>(std::floor(train_fraction * static_cast<double>(n))));
  const auto n_val =
      std::min(n - n_train, static_cast<std::int64_t>(std::floor(validation_fraction * static_cast<double>(n))));
  return split_indices_by_count(n, n_train, n_val, seed);
}

DatasetSplit split_indices_by_count(std::int64_t n, std::int64_t n_train, std::int64_t n_validation,
                                    std::uint64_t seed) {
  constexpr const char* fn = "split_indices_by_count";
  detail::check_size(fn, "n", n, sizeof(std::int64_t));
  if (n_train < 0 || n_train > n)
    detail::fail(ErrorCode::invalid_argument, fn,
                 "n_train must be in [0, n] = [0, " + std::to_string(n) + "], got " + std::to_string(n_train));
  if (n_validation < 0 || n_validation > n - n_train)
    detail::fail(ErrorCode::invalid_argument, fn,
                 "n_validation must be in [0, n - n_train] = [0, " + std::to_string(n - n_train) + "], got " +
                     std::to_string(n_validation));
  const std::int64_t n_val = n_validation;
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  shuffle_indices(n, seed, kSplitEpoch, order.data());
  DatasetSplit s;
  s.train.assign(order.begin(), order.begin() + n_train);
  s.validation.assign(order.begin() + n_train, order.begin() + n_train + n_val);
  s.test.assign(order.begin() + n_train + n_val, order.end());
  for (auto* part : {&s.train, &s.validation, &s.test}) std::sort(part->begin(), part->end());
  return s;
}

}  // namespace detnum
