// The embedding gradient on CUDA, with the bits of src/cpu/embedding.cpp: each row of the table
// the sum, in ORDER.md's order, of the rows of dout whose id names it (+0 where none does). Its
// ids are checked as embedding_ids.cuh says, while they are ordered.
//
// The gradient. (1) One memset zeroes the call's counters, the bad-row word and end[] (end[id] =
// 0: id does not occur). (2) Each id's rows in increasing order (the stable order of the sums),
// its range [start, end) of them, and its place in a list by its number of rows: at most 16, up
// to 8192 (one chunk of the order), more:
//   - up to 8192 rows, rank_kernel in one launch: each row's position by counting the ids below
//     its id and equal to it before it (n^2 comparisons across every SM; a radix sort of so few
//     pairs waits on latency: 31-35 us in cub's four launches, 25 in one block, on an H200);
//   - more, cub's stable DeviceRadixSort of the (id, row) pairs, then segments_kernel.
// (3) sums_and_zeros_kernel, one launch for all the rest but the longest ids, a warp per item:
//   - ids of 17 to 8192 rows (sum_one_chunk_id): a warp takes one id and 4 columns and holds the
//     chunk's 128 lanes across its threads, 4 per thread and column, then folds them in
//     registers and by shuffles;
//   - ids of at most 16 rows (sum_short_id): a warp takes one id and 128 columns; thread t sums
//     columns t, t + 32, t + 64, t + 96 by detail::sum_of_few (ORDER.md's order for at most one
//     step, without the lanes of -0), the row numbers coming from the lanes that loaded them.
//     Its trees for up to 16 rows are 37 KB of code. Up to 128 rows they were 600 KB, and the
//     kernel took 144 us for GPT-2's shape on an H200, 37% of its warps active (waiting on
//     instruction fetch, it seems);
//   - +0 in the rows of the ids that do not occur (zero_absent_rows), claimed from an integer
//     counter: a quarter of every block's warps start there (the stores come from every SM),
//     the others join when their ids are done.
//     The zeros are bound by the memory's bandwidth, the sums by their loads' latency, so in
//     one launch each hides the other; a memset of the whole table before the sums had taken
//     about half the time of the call.
// (4) long_segments_kernel, ids of more than 8192 rows: a block takes one id and 32 adjacent
// columns and reduces the id's rows exactly as column_sums reduces a column (axis_sums.cu):
// thread t of warp w owns column j0 + t and the lanes w + kWarps k of each chunk of 8192 rows,
// folds them in registers and then through shared memory. Its chunks recurse (ORDER.md step 5)
// inside the block: warp 0 streams each chunk partial into the next level's lanes in shared
// memory, in chunk order; with n < 2^31 rows there are at most three levels. (It had taken the
// ids of 17 to 8192 rows too: 294 us for 32000 x 1024 x 65536 on an H200, 65% of the call.)
// (5) The wait, or nothing with an IdCheck.
//
// A block per (id, 32 columns) for every id, occurring or not, had been 27-39x the time of a
// float-atomics scatter on an H200: most tiles only wrote zeros, each behind two dependent loads.
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cub/device/device_radix_sort.cuh>
#include <string>

#include "common/embedding_checks.hpp"
#include "common/memory_space.hpp"
#include "cuda/check.hpp"
#include "cuda/chunk_warp.cuh"
#include "cuda/embedding_ids.cuh"
#include "cuda/launch.hpp"
#include "cuda/stream_workspace.hpp"
#include "detnum/cuda/embedding.hpp"
#include "detnum/detail/reduce_order.hpp"

namespace detnum::cuda {
namespace {

using detail::kReduceChunk;
using detail::kReduceLanes;
constexpr int kWarp = 32;

// The sort's values 0 .. n - 1, and the check of the ids.
__global__ void iota_and_check_kernel(const std::int32_t* __restrict__ ids, std::int64_t n, std::int64_t vocab,
                                      std::int32_t* __restrict__ out, unsigned long long* bad) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    out[i] = static_cast<std::int32_t>(i);
    note_if_bad(ids[i], i, n, vocab, bad);
  }
}

// An id's rows are listed by their number: at most kShortRows at list[0 .. listed[0]), up to one
// chunk (8192) at list[n - listed[1] .. n), more at longs[0 .. listed[2]). (The slots come from
// integer atomics, so their order varies; each id's sums do not depend on it.)
constexpr int kShortRows = 16;

// ---- Up to 8192 rows: positions by counting, one launch ----------------------------------------
// Row r of id v goes to position #{j : ids[j] < v} + #{j < r : ids[j] == v}, the place a stable
// sort by id gives it. A block takes 32 rows, a lane each, and each of its 16 warps counts over a
// sixteenth of the ids, read from shared memory 4 at a time (the same for the whole warp); warp 0
// adds the counts up. n^2 comparisons, but in one launch on every SM: a radix sort of 8192 pairs
// took 31-35 us on an H200 in four launches (cub), and 25 in one block (cub's BlockRadixSort),
// both waiting on latency. The first row of each id also writes start[v] and end[v] and lists v;
// a bad id is noted (its row still gets a position: they remain a permutation of 0 .. n - 1).
constexpr int kRankWarps = 16;
constexpr std::int64_t kRankRows = 8192;
static_assert(kRankRows <= kReduceChunk, "an id of the counting path never has more than one chunk of rows");

struct IdCounts {
  int less = 0, equal = 0;  // ids below v, ids equal to v
};

// Over ids[a .. b) in shared memory; a is a multiple of 4.
__device__ __forceinline__ IdCounts count_ids(const std::int32_t* ids, int a, int b, std::int32_t v) {
  IdCounts c;
  int j = a;
#pragma unroll 4
  for (; j + 4 <= b; j += 4) {
    const int4 x = *reinterpret_cast<const int4*>(ids + j);
    c.less += (x.x < v) + (x.y < v) + (x.z < v) + (x.w < v);
    c.equal += (x.x == v) + (x.y == v) + (x.z == v) + (x.w == v);
  }
  for (; j < b; ++j) {
    c.less += ids[j] < v;
    c.equal += ids[j] == v;
  }
  return c;
}

__global__ void __launch_bounds__(kRankWarps * kWarp)
    rank_kernel(const std::int32_t* __restrict__ ids, int n, std::int64_t vocab, std::int32_t* __restrict__ rows,
                std::int32_t* __restrict__ start, std::int32_t* __restrict__ end, std::int32_t* __restrict__ list,
                unsigned* __restrict__ listed, unsigned long long* bad) {
  __shared__ __align__(16) std::int32_t shared_ids[kRankRows];
  __shared__ int counted[3][kRankWarps][kWarp];  // ids below v; equal to v before row r; after it
  for (int i = static_cast<int>(threadIdx.x); i < n; i += kRankWarps * kWarp) shared_ids[i] = ids[i];
  __syncthreads();
  const int t = static_cast<int>(threadIdx.x) % kWarp, w = static_cast<int>(threadIdx.x) / kWarp;
  const int r0 = static_cast<int>(blockIdx.x) * kWarp, r = r0 + t;
  const std::int32_t v = shared_ids[r < n ? r : 0];
  // Warp w's ids: [lo, hi), split at multiples of 32 so that the block's rows lie in one split:
  // before them every j < r, after them every j > r, and within them j is compared with r.
  const int per = (n + kRankWarps * kWarp - 1) / (kRankWarps * kWarp) * kWarp;
  const int lo = ::min(n, w * per), hi = ::min(n, lo + per);
  const int m0 = ::max(lo, ::min(r0, hi)), m1 = ::max(lo, ::min(r0 + kWarp, hi));
  const IdCounts before = count_ids(shared_ids, lo, m0, v), after = count_ids(shared_ids, m1, hi, v);
  int less = before.less + after.less, equal_before = before.equal, equal_after = after.equal;
  for (int j = m0; j < m1; ++j) {
    const std::int32_t x = shared_ids[j];
    less += x < v;
    equal_before += x == v && j < r;
    equal_after += x == v && j > r;
  }
  counted[0][w][t] = less;
  counted[1][w][t] = equal_before;
  counted[2][w][t] = equal_after;
  __syncthreads();
  if (w != 0 || r >= n) return;
  for (int k = 1; k < kRankWarps; ++k) {
    less += counted[0][k][t];
    equal_before += counted[1][k][t];
    equal_after += counted[2][k][t];
  }
  const int p = less + equal_before;
  rows[p] = r;
  if (v < 0 || v >= vocab) {
    note_if_bad(v, r, n, vocab, bad);
  } else if (equal_before == 0) {  // the id's first row
    const int count = 1 + equal_after;
    start[v] = p;
    end[v] = p + count;
    if (count <= kShortRows) list[atomicAdd(&listed[0], 1u)] = v;
    else list[n - 1 - atomicAdd(&listed[1], 1u)] = v;
  }
}

// ---- More rows: cub's radix sort, then the segments ---------------------------------------------
// start[id] and end[id] of each id present in the sorted keys, and the id in its list. Nothing
// when iota_and_check_kernel noted a bad id: the sort compared only the keys' low bits, so a bad
// id may split the run of a valid one, whose pieces would overfill the lists.
__global__ void segments_kernel(const std::int32_t* __restrict__ keys, std::int64_t n, const unsigned long long* bad,
                                std::int32_t* __restrict__ start, std::int32_t* __restrict__ end,
                                std::int32_t* __restrict__ list, std::int32_t* __restrict__ longs,
                                unsigned* __restrict__ listed) {
  if (*bad != 0) return;
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t p = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; p < n; p += stride) {
    const std::int32_t k = keys[p];
    if (p == 0 || keys[p - 1] != k) {
      start[k] = static_cast<std::int32_t>(p);
      const auto more_than = [&](std::int64_t rows) { return p + rows < n && keys[p + rows] == k; };
      if (!more_than(kShortRows)) list[atomicAdd(&listed[0], 1u)] = k;
      else if (!more_than(kReduceChunk)) list[n - 1 - atomicAdd(&listed[1], 1u)] = k;
      else longs[atomicAdd(&listed[2], 1u)] = k;
    }
    if (p == n - 1 || keys[p + 1] != k) end[k] = static_cast<std::int32_t>(p + 1);
  }
}

// Four columns of one row, added column by column: detail::sum_of_few then sums four columns at
// once, with their loads in flight together.
struct Four {
  float v[4];
};
__device__ __forceinline__ Four operator+(const Four& a, const Four& b) {
  Four r;
#pragma unroll
  for (int q = 0; q < 4; ++q) r.v[q] = a.v[q] + b.v[q];
  return r;
}

// An id's items: groups of 128 columns for ids of at most 16 rows, of 4 for longer ones (up to
// 8192 rows), a warp each.
constexpr int kChunkCols = 4;
__host__ __device__ constexpr std::int64_t short_groups(std::int64_t dim) { return (dim + 4 * kWarp - 1) / (4 * kWarp); }
__host__ __device__ constexpr std::int64_t chunk_groups(std::int64_t dim) {
  return (dim + kChunkCols - 1) / kChunkCols;
}

// One short id and 128 of its columns (item = id's place in the list x column groups + group):
// thread t sums columns j0 + t + 32 q, q = 0 .. 3. Lane l of the warp holds the id's row l and
// hands it round by shuffles.
__device__ __forceinline__ void sum_short_id(std::int64_t item, const float* __restrict__ dout, std::int64_t dim,
                                             const std::int32_t* __restrict__ rows,
                                             const std::int32_t* __restrict__ start,
                                             const std::int32_t* __restrict__ end,
                                             const std::int32_t* __restrict__ list, float* __restrict__ dtable) {
  const int t = static_cast<int>(threadIdx.x) % kWarp;
  const std::int64_t groups = short_groups(dim);
  const std::int32_t v = list[item / groups], s = start[v];
  const int c = end[v] - s;
  const std::int32_t mine = t < c ? rows[s + t] : 0;
  const std::int64_t j0 = item % groups * (4 * kWarp);
  std::int64_t j[4];  // past the last column: read column 0, discard
#pragma unroll
  for (int q = 0; q < 4; ++q) j[q] = j0 + kWarp * q + t < dim ? j0 + kWarp * q + t : 0;
  const Four sum = detail::sum_of_few<Four, kShortRows>(c, [&](int l) {
    const float* row = dout + static_cast<std::int64_t>(__shfl_sync(0xFFFFFFFFu, mine, l)) * dim;
    return Four{{row[j[0]], row[j[1]], row[j[2]], row[j[3]]}};
  });
#pragma unroll
  for (int q = 0; q < 4; ++q)
    if (j0 + kWarp * q + t < dim) dtable[static_cast<std::int64_t>(v) * dim + j0 + kWarp * q + t] = canonicalize(sum.v[q]);
}

// Four columns of a row from column j0 (one 16-byte load when `vec`: dout aligned and dim a
// multiple of 4); columns past the end read as 0 and are never stored.
__device__ __forceinline__ void load4(const float* __restrict__ row, std::int64_t j0, std::int64_t dim, bool vec,
                                      float (&x)[kChunkCols]) {
  if (vec && j0 + 4 <= dim) {
    const float4 u = __ldg(reinterpret_cast<const float4*>(row + j0));
    x[0] = u.x, x[1] = u.y, x[2] = u.z, x[3] = u.w;
  } else {
#pragma unroll
    for (int q = 0; q < 4; ++q) x[q] = j0 + q < dim ? __ldg(row + j0 + q) : 0.0f;
  }
}

// One id of 17 to 8192 rows and 4 of its columns (item = id's place in its list x column groups +
// group). The id's rows are one chunk of the order: lane l (l < 128) takes rows l, l + 128, ...
// in increasing order from -0, and lane l lives in slot l / 32 of thread l % 32, for each of the
// 4 columns. Each step loads its four slots' rows before adding any (a load beside its add had
// left one slot's load in flight at a time). The fold then pairs lane l with l + 64 (slots k and
// k + 2 of a thread), l + 32 (slots 0 and 1), and l + 16 .. l + 1 (across threads, by shuffles):
// ORDER.md step 4 exactly, so each column's sum has the reference's bits.
__device__ __forceinline__ void sum_one_chunk_id(std::int64_t item, const float* __restrict__ dout, std::int64_t dim,
                                                 std::int64_t n, bool vec, const std::int32_t* __restrict__ rows,
                                                 const std::int32_t* __restrict__ start,
                                                 const std::int32_t* __restrict__ end,
                                                 const std::int32_t* __restrict__ list, float* __restrict__ dtable) {
  constexpr int kSlots = kReduceLanes / kWarp;
  const int t = static_cast<int>(threadIdx.x) % kWarp;
  const std::int64_t groups = chunk_groups(dim);
  const std::int32_t v = list[n - 1 - item / groups], s = start[v];
  const int c = end[v] - s;
  const std::int64_t j0 = item % groups * kChunkCols;
  float a[kSlots][kChunkCols];
#pragma unroll
  for (int k = 0; k < kSlots; ++k)
#pragma unroll
    for (int q = 0; q < kChunkCols; ++q) a[k][q] = detail::lane_identity<float>();
#pragma unroll 1
  for (int step = 0; step < c; step += kReduceLanes) {
    bool has[kSlots];  // a lane with no row left stays as it is (its load reads row 0, unused)
    float x[kSlots][kChunkCols];
#pragma unroll
    for (int k = 0; k < kSlots; ++k) {
      has[k] = step + k * kWarp + t < c;
      const std::int32_t row = has[k] ? rows[s + step + k * kWarp + t] : 0;
      load4(dout + static_cast<std::int64_t>(row) * dim, j0, dim, vec, x[k]);
    }
#pragma unroll
    for (int k = 0; k < kSlots; ++k)
      if (has[k])
#pragma unroll
        for (int q = 0; q < kChunkCols; ++q) a[k][q] = a[k][q] + x[k][q];
  }
#pragma unroll
  for (int q = 0; q < kChunkCols; ++q) {
    a[0][q] = a[0][q] + a[2][q];  // h = 64
    a[1][q] = a[1][q] + a[3][q];
    a[0][q] = a[0][q] + a[1][q];  // h = 32
#pragma unroll
    for (int h = kWarp / 2; h >= 1; h /= 2) a[0][q] = a[0][q] + __shfl_down_sync(0xFFFFFFFFu, a[0][q], h);
  }
  if (t == 0)
#pragma unroll
    for (int q = 0; q < kChunkCols; ++q)
      if (j0 + q < dim) dtable[static_cast<std::int64_t>(v) * dim + j0 + q] = canonicalize(a[0][q]);
}

// +0 in every row of the ids that do not occur (end[id] still 0): what a memset of the whole
// table did before the sums, now beside them. A warp claims `rows_per_claim` rows at a time from
// an integer counter, about 64 KB of the table, so that the claims are few whatever dim is (a
// look at the counter first spares the atomic once all are taken), and reads their end[] 32 at
// a time, so that a short row does not cost a load's latency.
constexpr std::int64_t kZeroFloatsPerClaim = 16384;
__host__ __device__ constexpr std::int64_t zero_claims(std::int64_t vocab, std::int64_t rows_per_claim) {
  return (vocab + rows_per_claim - 1) / rows_per_claim;
}

__device__ __forceinline__ void zero_absent_rows(std::int64_t vocab, std::int64_t dim, std::int64_t rows_per_claim,
                                                 bool vec, const std::int32_t* __restrict__ end,
                                                 unsigned long long* __restrict__ claims, float* __restrict__ dtable) {
  const int t = static_cast<int>(threadIdx.x) % kWarp;
  const auto total = static_cast<unsigned long long>(zero_claims(vocab, rows_per_claim));
  for (;;) {
    unsigned long long claim = total;
    if (t == 0 && *static_cast<volatile unsigned long long*>(claims) < total) claim = atomicAdd(claims, 1ull);
    claim = __shfl_sync(0xFFFFFFFFu, claim, 0);
    if (claim >= total) return;
    const std::int64_t r0 = static_cast<std::int64_t>(claim) * rows_per_claim;
    const std::int64_t r1 = r0 + rows_per_claim < vocab ? r0 + rows_per_claim : vocab;
    for (std::int64_t base = r0; base < r1; base += kWarp) {
      unsigned absent = __ballot_sync(0xFFFFFFFFu, base + t < r1 && end[base + t] == 0);
      for (; absent != 0; absent &= absent - 1) {
        float* const row = dtable + (base + __ffs(absent) - 1) * dim;
        if (vec) {
          for (std::int64_t j = t; j < dim / 4; j += kWarp)
            reinterpret_cast<float4*>(row)[j] = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        } else {
          for (std::int64_t j = t; j < dim; j += kWarp) row[j] = 0.0f;
        }
      }
    }
  }
}

// Every id of at most 8192 rows, and the zeros of the ids that do not occur, in one launch: the
// sums wait on their loads, the zeros on the memory's bandwidth, so each covers the other. In
// every block, the last zero_warps warps start zeroing at once (so that the stores come from every
// SM); the others first take the items of the ids, a warp each, grid-stride (the longer ids
// first: their warps finish last), then join the zeros.
__global__ void __launch_bounds__(1024)
    sums_and_zeros_kernel(const float* __restrict__ dout, std::int64_t dim, std::int64_t n, std::int64_t vocab,
                          bool vec_dout, bool vec_dtable, const std::int32_t* __restrict__ rows,
                          const std::int32_t* __restrict__ start, const std::int32_t* __restrict__ end,
                          const std::int32_t* __restrict__ list, const unsigned* __restrict__ listed,
                          unsigned long long* __restrict__ claims, std::int64_t rows_per_claim, int zero_warps,
                          const std::int32_t* __restrict__ ids, const unsigned long long* bad,
                          IdCheckRecord* record, float* __restrict__ dtable) {
  if (stop_for_bad_id(bad, ids, n, vocab, detail::kCallGradient, record)) return;
  const int summing_per_block = static_cast<int>(blockDim.x) / kWarp - zero_warps;
  const int summing = static_cast<int>(threadIdx.x) / kWarp;
  if (summing < summing_per_block) {
    const std::int64_t warps = static_cast<std::int64_t>(gridDim.x) * summing_per_block;
    const std::int64_t chunk_items = static_cast<std::int64_t>(listed[1]) * chunk_groups(dim);
    const std::int64_t items = chunk_items + static_cast<std::int64_t>(listed[0]) * short_groups(dim);
    for (std::int64_t item = static_cast<std::int64_t>(blockIdx.x) * summing_per_block + summing; item < items;
         item += warps) {
      if (item < chunk_items) sum_one_chunk_id(item, dout, dim, n, vec_dout, rows, start, end, list, dtable);
      else sum_short_id(item - chunk_items, dout, dim, rows, start, end, list, dtable);
    }
  }
  zero_absent_rows(vocab, dim, rows_per_claim, vec_dtable, end, claims, dtable);
}

// ORDER.md step 4 on 128 lanes kept in shared memory, one column per thread.
__device__ float fold_column(float (*lanes)[kWarp], int t) {
  for (int h = kReduceLanes / 2; h >= 1; h /= 2)
    for (int l = 0; l < h; ++l) lanes[l][t] = lanes[l][t] + lanes[l + h][t];
  return lanes[0][t];
}

// The recursion above the first level, for one column (warp 0's thread t): level 0 here holds the
// partials of the segment's chunks, level 1 the partials of level 0's chunks.
struct UpperLevels {
  float (*lanes)[kReduceLanes][kWarp];  // [2][128][32] in shared memory
  std::int64_t pushed[2] = {0, 0};

  // Entry e of a level goes to lane e mod 128 of its chunk e / 8192 (lanes start at -0 with each
  // chunk); a full chunk is folded and its partial becomes the next level's next entry.
  __device__ void push(int level, float p, int t) {
    for (;; ++level) {  // level 1 never fills a chunk (n < 2^31), so this ends there
      const std::int64_t pos = pushed[level]++ % kReduceChunk;
      if (pos == 0)
        for (int l = 0; l < kReduceLanes; ++l) lanes[level][l][t] = detail::lane_identity<float>();
      lanes[level][pos % kReduceLanes][t] = lanes[level][pos % kReduceLanes][t] + p;
      if (pos != kReduceChunk - 1) return;
      p = fold_column(lanes[level], t);
    }
  }

  // The result once every chunk partial is in: level 0's last chunk folded into level 1, whose
  // entries (at most 32) form one chunk. (A single entry folds to itself: -0 + p = p.)
  __device__ float finish(int t) {
    if (pushed[0] % kReduceChunk != 0) push(1, fold_column(lanes[0], t), t);
    return fold_column(lanes[1], t);
  }
};

template <int kWarps>
__global__ void __launch_bounds__(kWarps * kWarp)
    long_segments_kernel(const float* __restrict__ dout, std::int64_t dim, const std::int32_t* __restrict__ rows,
                         const std::int32_t* __restrict__ start, const std::int32_t* __restrict__ end,
                         const std::int32_t* __restrict__ longs, const unsigned* __restrict__ listed,
                         const unsigned long long* bad, float* __restrict__ dtable) {
  if (*bad != 0) return;  // (sums_and_zeros_kernel, earlier on the stream, kept it in an IdCheck)
  constexpr int K = kReduceLanes / kWarps;  // lanes per thread
  __shared__ float lane_of_warp[kWarps][kWarp];
  __shared__ float upper_lanes[2][kReduceLanes][kWarp];
  const int t = static_cast<int>(threadIdx.x) % kWarp, w = static_cast<int>(threadIdx.x) / kWarp;
  const std::int64_t column_tiles = (dim + kWarp - 1) / kWarp, tiles = static_cast<std::int64_t>(listed[2]) * column_tiles;
  for (std::int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    const std::int64_t v = longs[tile / column_tiles], j = tile % column_tiles * kWarp + t;
    const bool owns_column = j < dim;
    const float* column = dout + (owns_column ? j : dim - 1);  // past the last column: read it, discard
    const std::int32_t* segment = rows + start[v];
    const std::int64_t count = end[v] - start[v], chunks = detail::reduce_chunks(count);
    UpperLevels upper{upper_lanes};
    float result = 0.0f;
    for (std::int64_t c = 0; c < chunks; ++c) {
      const std::int64_t left = count - c * kReduceChunk;
      const int valid = static_cast<int>(left < kReduceChunk ? left : kReduceChunk);
      const std::int32_t* chunk = segment + c * kReduceChunk;
      float a[K];
#pragma unroll
      for (int k = 0; k < K; ++k) a[k] = detail::lane_identity<float>();
      // Each step's rows, then their values, then the adds: every lane reads (past the end: the
      // chunk's last row) and adds (past the end: -0, warp::unless_past), so that no predicate
      // keeps nvcc from issuing the step's loads together.
#pragma unroll 1
      for (int s = 0; s * kReduceLanes < valid; ++s) {
        std::int32_t row[K];
        float x[K];
#pragma unroll
        for (int k = 0; k < K; ++k) row[k] = chunk[::min(s * kReduceLanes + w + kWarps * k, valid - 1)];
#pragma unroll
        for (int k = 0; k < K; ++k) x[k] = column[static_cast<std::int64_t>(row[k]) * dim];
#pragma unroll
        for (int k = 0; k < K; ++k) a[k] = a[k] + warp::unless_past(x[k], s * kReduceLanes + w + kWarps * k, valid);
      }
      warp::fold_own_lanes(a);
      lane_of_warp[w][t] = a[0];  // lane w
      __syncthreads();
      if (w == 0) {
        float lane[kWarps];
#pragma unroll
        for (int l = 0; l < kWarps; ++l) lane[l] = lane_of_warp[l][t];
        warp::fold_first_lanes<kWarps>(lane);
        if (chunks == 1) result = lane[0];
        else upper.push(0, lane[0], t);
      }
      __syncthreads();  // lane_of_warp is free for the next chunk
    }
    if (w == 0) {
      if (chunks > 1) result = upper.finish(t);
      if (owns_column) dtable[v * dim + j] = canonicalize(result);
    }
  }
}

// Ids of more than 8192 rows: fewer than n / 8192 of them.
std::int64_t max_long_ids(std::int64_t n) { return n / kReduceChunk + 1; }

// The pieces of the workspace, each 256-byte aligned; the list of ids of at most 8192 rows
// reuses the sort's values (dead once sorted, and unused by the counting path).
struct Layout {
  // listed (3 unsigned), claims (the zero pass's counter), bad (the first bad row) and end[vocab]
  // are one region, which one memset zeroes per call: so end[id] = 0 marks an id that does not occur.
  static constexpr std::size_t kClaimsAt = 16, kBadAt = 24, kEndAt = 32;
  std::size_t keys, iota, rows, start, listed, claims, bad, end, longs, sort, total, sort_bytes;
  std::size_t zeroed_bytes;  // from listed to the end of end[]
  Layout(std::int64_t n, std::int64_t vocab, std::size_t sort_temp) {
    const std::size_t ids = workspace_round(static_cast<std::size_t>(n) * 4);
    const std::size_t per_id = static_cast<std::size_t>(vocab) * 4;
    keys = 0;
    iota = keys + ids;
    rows = iota + ids;
    start = rows + ids;
    listed = start + workspace_round(per_id);
    claims = listed + kClaimsAt;
    bad = listed + kBadAt;
    end = listed + kEndAt;
    zeroed_bytes = kEndAt + per_id;
    longs = listed + workspace_round(zeroed_bytes);
    sort = longs + workspace_round(static_cast<std::size_t>(max_long_ids(n)) * 4);
    sort_bytes = sort_temp;
    total = sort + workspace_round(sort_temp);
  }
};

int key_bits(std::int64_t vocab) {
  int bits = 1;
  while (bits < 31 && (std::int64_t{1} << bits) < vocab) ++bits;
  return bits;
}

std::size_t sort_temp_bytes(const char* fn, std::int64_t n, std::int64_t vocab) {
  std::size_t bytes = 0;
  DETNUM_CUDA_CHECK(fn, cub::DeviceRadixSort::SortPairs(nullptr, bytes, static_cast<const std::int32_t*>(nullptr),
                                                        static_cast<std::int32_t*>(nullptr),
                                                        static_cast<const std::int32_t*>(nullptr),
                                                        static_cast<std::int32_t*>(nullptr), static_cast<int>(n), 0,
                                                        key_bits(vocab)));
  return bytes;
}

void check_rows_limit(const char* fn, std::int64_t n) {
  if (n > INT_MAX)
    detail::fail(ErrorCode::size_out_of_range, fn,
                 "n must be at most 2^31 - 1 on the device, got " + std::to_string(n));
}

struct LongSegments {
  const float* dout;
  std::int64_t dim, n;
  const std::int32_t *rows, *start, *end, *longs;
  const unsigned* listed;
  const unsigned long long* bad;
  float* dtable;
};

template <int kWarps>
void launch_long_segments(const char* fn, const LongSegments& a, cudaStream_t stream, LaunchConfig launch) {
  const auto kernel = long_segments_kernel<kWarps>;
  const std::int64_t tiles = max_long_ids(a.n) * ((a.dim + kWarp - 1) / kWarp);
  const int grid = grid_of(fn, reinterpret_cast<const void*>(kernel), kWarps * kWarp, tiles, launch);
  kernel<<<grid, kWarps * kWarp, 0, stream>>>(a.dout, a.dim, a.rows, a.start, a.end, a.longs, a.listed, a.bad,
                                               a.dtable);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

void backward(const std::int32_t* ids, std::int64_t n, const float* dout, std::int64_t vocab, std::int64_t dim,
              float* dtable, IdCheckRecord* record, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  constexpr const char* fn = "cuda::embedding_backward";
  detail::check_embedding(fn, vocab, dim, ids, n, dout, "dout", dtable, "dtable");
  detail::check_launch(fn, launch);
  check_rows_limit(fn, n);
  if (n > 0) detail::check_device_accessible(fn, "ids", ids, stream);
  if (n * dim > 0) detail::check_device_accessible(fn, "dout", dout, stream);
  if (vocab * dim == 0) {
    if (n == 0) return;
  } else {
    detail::check_device_accessible(fn, "dtable", dtable, stream);
  }
  const Layout at(n, vocab, sort_temp_bytes(fn, n, vocab));
  StreamWorkspace w(fn, ws, at.total, "embedding_backward_workspace_bytes(n, vocab)", stream,
                    {{"ids", ids, n * std::int64_t{sizeof(std::int32_t)}},
                     {"dout", dout, n * dim * std::int64_t{sizeof(float)}},
                     {"dtable", dtable, vocab * dim * std::int64_t{sizeof(float)}}});
  auto* base = static_cast<unsigned char*>(w.get());
  auto* bad = reinterpret_cast<unsigned long long*>(base + at.bad);
  if (vocab * dim == 0) {  // nothing to write
    check_ids(fn, ids, n, vocab, bad, stream);
    return settle_ids(fn, ids, n, vocab, bad, detail::kCallGradient, record, false, stream);
  }
  if (n == 0) {  // the sum of nothing, in every row
    DETNUM_CUDA_CHECK(fn, cudaMemsetAsync(dtable, 0, static_cast<std::size_t>(vocab * dim) * sizeof(float), stream));
    return;
  }
  auto* keys = reinterpret_cast<std::int32_t*>(base + at.keys);
  auto* iota = reinterpret_cast<std::int32_t*>(base + at.iota);
  auto* rows = reinterpret_cast<std::int32_t*>(base + at.rows);
  auto* start = reinterpret_cast<std::int32_t*>(base + at.start);
  auto* end = reinterpret_cast<std::int32_t*>(base + at.end);
  auto* listed = reinterpret_cast<unsigned*>(base + at.listed);
  auto* claims = reinterpret_cast<unsigned long long*>(base + at.claims);
  auto* longs = reinterpret_cast<std::int32_t*>(base + at.longs);
  std::int32_t* list = iota;
  DETNUM_CUDA_CHECK(fn, cudaMemsetAsync(base + at.listed, 0, at.zeroed_bytes, stream));
  // Each id's rows in order, its segment and its list; the ids checked on the way (these write
  // only the workspace; the kernels after them write nothing of the table if an id was bad).
  if (n <= kRankRows) {
    rank_kernel<<<static_cast<int>((n + kWarp - 1) / kWarp), kRankWarps * kWarp, 0, stream>>>(
        ids, static_cast<int>(n), vocab, rows, start, end, list, listed, bad);
    DETNUM_CUDA_CHECK(fn, cudaGetLastError());
  } else {
    const int small_grid = static_cast<int>(std::min<std::int64_t>(4096, (n + 255) / 256));
    iota_and_check_kernel<<<small_grid, 256, 0, stream>>>(ids, n, vocab, iota, bad);
    DETNUM_CUDA_CHECK(fn, cudaGetLastError());
    std::size_t sort_bytes = at.sort_bytes;
    DETNUM_CUDA_CHECK(fn, cub::DeviceRadixSort::SortPairs(base + at.sort, sort_bytes, ids, keys, iota, rows,
                                                          static_cast<int>(n), 0, key_bits(vocab), stream));
    segments_kernel<<<small_grid, 256, 0, stream>>>(keys, n, bad, start, end, list, longs, listed);
    DETNUM_CUDA_CHECK(fn, cudaGetLastError());
  }

  // Ids of at most 8192 rows (at most n / 16 of 17 rows or more, a warp per 4 columns of each; at
  // most n of fewer, a warp per 128 columns) and the rows of the ids that do not occur, a claim
  // of rows a warp.
  const int threads = launch.block_threads, warps_per_block = threads / kWarp;
  const std::int64_t rows_per_claim = std::max<std::int64_t>(1, kZeroFloatsPerClaim / dim);
  const std::int64_t claims_in_all = zero_claims(vocab, rows_per_claim);
  const std::int64_t warp_items = (n / kShortRows + 1) * chunk_groups(dim) + n * short_groups(dim) + claims_in_all;
  const int grid = grid_of(fn, reinterpret_cast<const void*>(sums_and_zeros_kernel), threads,
                           (warp_items + warps_per_block - 1) / warps_per_block, launch);
  // Zeroing from the start: a quarter of each block's warps (rounded up; one at least is left to
  // the sums), but no more than have about 2 claims each (a small vocabulary's zeros would leave
  // the rest of them idle while the sums go on). GPT-2's table is about 2400 claims: 2 warps of
  // each of 528 blocks on 132 SMs.
  const int zero_warps = static_cast<int>(std::min<std::int64_t>(
      {(warps_per_block + 3) / 4, warps_per_block - 1, claims_in_all / (2 * std::int64_t{grid})}));
  const bool vec_dout = dim % 4 == 0 && reinterpret_cast<std::uintptr_t>(dout) % 16 == 0;
  const bool vec_dtable = dim % 4 == 0 && reinterpret_cast<std::uintptr_t>(dtable) % 16 == 0;
  sums_and_zeros_kernel<<<grid, threads, 0, stream>>>(dout, dim, n, vocab, vec_dout, vec_dtable, rows, start, end,
                                                      list, listed, claims, rows_per_claim, zero_warps, ids, bad,
                                                      record, dtable);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
  // Ids of more than 8192 rows: a block per 32 columns of each.
  if (n > kReduceChunk) {
    const LongSegments a{dout, dim, n, rows, start, end, longs, listed, bad, dtable};
    if (launch.block_threads >= 1024) launch_long_segments<32>(fn, a, stream, launch);
    else if (launch.block_threads >= 512) launch_long_segments<16>(fn, a, stream, launch);
    else if (launch.block_threads >= 256) launch_long_segments<8>(fn, a, stream, launch);
    else launch_long_segments<4>(fn, a, stream, launch);
  }
  settle_ids(fn, ids, n, vocab, bad, detail::kCallGradient, record, true, stream);
}

}  // namespace

std::size_t embedding_backward_workspace_bytes(std::int64_t n, std::int64_t vocab) {
  constexpr const char* fn = "cuda::embedding_backward_workspace_bytes";
  detail::check_size(fn, "n", n, sizeof(std::int32_t));
  detail::check_size(fn, "vocab", vocab, sizeof(float));
  check_rows_limit(fn, n);
  return Layout(n, vocab, sort_temp_bytes(fn, n, vocab)).total;
}

void embedding_backward(const std::int32_t* ids, std::int64_t n, const float* dout, std::int64_t vocab,
                        std::int64_t dim, float* dtable, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  backward(ids, n, dout, vocab, dim, dtable, nullptr, stream, ws, launch);
}

void embedding_backward(const std::int32_t* ids, std::int64_t n, const float* dout, std::int64_t vocab,
                        std::int64_t dim, float* dtable, IdCheck& check, cudaStream_t stream, Workspace ws,
                        LaunchConfig launch) {
  backward(ids, n, dout, vocab, dim, dtable, IdCheckAccess::record(check, "cuda::embedding_backward"), stream, ws,
           launch);
  IdCheckAccess::queued_on(check, stream);
}

}  // namespace detnum::cuda
