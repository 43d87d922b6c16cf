// Deterministic data order: the permutation of n dataset indices for (seed, epoch), and a
// train/validation/test split, as pure functions of their arguments. Not of the thread count or
// the device: detnum/cuda/shuffle.hpp gives the same permutation on a GPU. Reshuffling with
// std::shuffle and a std::mt19937 whose seed differs per rank, or sampling on the GPU with the
// launch shape's RNG layout, is a common reason runs drift apart; this order is fixed by
// docs/DETERMINISM.md ("Data order").
#pragma once

#include <cstdint>
#include <vector>

#include "detnum/threads.hpp"

namespace detnum {

// The index of the dataset item at `position` (0 <= position < n) of epoch `epoch`: a
// permutation of [0, n) for each (n, seed, epoch).
std::int64_t shuffled_index(std::int64_t position, std::int64_t n, std::uint64_t seed, std::uint64_t epoch);

// out[p] = shuffled_index(p, n, seed, epoch) for every p < n.
void shuffle_indices(std::int64_t n, std::uint64_t seed, std::uint64_t epoch, std::int64_t* out,
                     CpuOptions options = {});

// A split of [0, n): train gets floor(train_fraction * n) items, validation
// floor(validation_fraction * n), test the rest; which ones is the permutation of epoch
// 2^64 - 1 (kSplitEpoch) cut in that order; each list is sorted. Fractions in [0, 1], their sum
// at most 1.
struct DatasetSplit {
  std::vector<std::int64_t> train, validation, test;
};
inline constexpr std::uint64_t kSplitEpoch = ~std::uint64_t{0};
DatasetSplit split_indices(std::int64_t n, double train_fraction, double validation_fraction, std::uint64_t seed);
// The same cut with the sizes as counts: n_train items, then n_validation, then the rest
// (0 <= n_train, 0 <= n_validation, n_train + n_validation <= n). split_indices is this with
// floor(f * n) computed in double, where a fraction that is not a binary number can land just
// below an integer: 0.29 * 100 is 28.999999999999996, so 28 items; counts say exactly.
DatasetSplit split_indices_by_count(std::int64_t n, std::int64_t n_train, std::int64_t n_validation,
                                    std::uint64_t seed);

}  // namespace detnum
