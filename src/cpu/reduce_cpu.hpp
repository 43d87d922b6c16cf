// What the fast CPU reductions (reduce.cpp) lend the axis sums (axis_sums.cpp).
#pragma once

#include <cstdint>

#include "detnum/reduce.hpp"

namespace detnum::detail {

// The least work worth a thread of its own: starting a second thread costs about 3 µs on the
// 2-core EPYC of docs/PERFORMANCE.md, the time to sum 256 KiB from L2.
inline constexpr std::int64_t kThreadGrainBytes = std::int64_t{256} << 10;

// Whether the AVX2 kernels serve these options (CpuSimd::best on a CPU that has them).
bool use_reduce_avx2(CpuOptions options);

// R(n, a + w(x_i)) of ORDER.md on options.threads threads (resolved options, checked arguments),
// before canonicalization.
template <class T>
accum_t<T> canonical_sum(const T* x, std::int64_t n, CpuOptions options);

// R(n, a + w(x_i)) for 1 <= n <= kReduceChunk (one chunk) on the calling thread, before
// canonicalization: the kernel for the options, picked once, so that the row sums of short rows
// pay one call a row.
template <class T>
using ChunkSum = accum_t<T> (*)(const T* x, std::int64_t n);
template <class T>
ChunkSum<T> chunk_sum_kernel(CpuOptions options);

}  // namespace detnum::detail
