// Embedding lookup and gradient on CUDA, with the bits of src/cpu/embedding.cpp.
//
// Checking the ids. A kernel finds the first row whose id is outside [0, vocab) (an integer
// atomicMin); the host waits for it and throws the CPU's error for that row, before anything is
// written.
//
// The gradient. (1) dtable is zeroed: an id with no rows gets +0, the sum of nothing. (2) cub's
// stable radix sort orders the (id, row) pairs by id, so each id's rows stay in increasing order.
// (3) segments_kernel marks each id's range [start, end) of the sorted rows and lists the ids
// that occur: those of at most 16 rows from the front of one list, longer ones from its back
// (the slots come from integer atomics, so their order varies; each id's sums do not depend on
// it). (4) short_segments_kernel: a warp takes one short id and 128 columns; thread t sums
// columns t, t + 32, t + 64, t + 96 by detail::sum_of_few (ORDER.md's order for at most one
// step, without the lanes of -0), the row numbers coming from the lanes that loaded them. Its
// trees for up to 16 rows are 37 KB of code. Up to 128 rows they were 600 KB, and the kernel
// took 144 us for GPT-2's shape on an H200, 37% of its warps active (waiting on instruction
// fetch, it seems): longer ids go to (5).
// (5) long_segments_kernel: a block takes one long id and 32 adjacent columns and reduces the
// id's rows exactly as column_sums reduces a column (axis_sums.cu): thread t of warp w owns column
// j0 + t and the lanes w + kWarps k of each chunk of 8192 rows, folds them in registers and then
// through shared memory. A segment of more than one chunk recurses (ORDER.md step 5) inside the
// block: warp 0 streams each chunk partial into the next level's lanes in shared memory, in chunk
// order; with n < 2^31 rows there are at most three levels.
//
// A block per (id, 32 columns) for every id, occurring or not, had been 27-39x the time of a
// float-atomics scatter on an H200: most tiles only wrote zeros, each behind two dependent loads.
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <cub/device/device_radix_sort.cuh>
#include <string>

#include "common/embedding_checks.hpp"
#include "common/memory_space.hpp"
#include "cuda/check.hpp"
#include "cuda/launch.hpp"
#include "cuda/stream_workspace.hpp"
#include "detnum/cuda/embedding.hpp"
#include "detnum/detail/reduce_order.hpp"

namespace detnum::cuda {
namespace {

using detail::kReduceChunk;
using detail::kReduceLanes;
constexpr int kWarp = 32;
constexpr unsigned long long kNoBadRow = ~0ull;

__global__ void first_bad_id_kernel(const std::int32_t* __restrict__ ids, std::int64_t n, std::int64_t vocab,
                                    unsigned long long* first_bad) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t r = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; r < n; r += stride)
    if (ids[r] < 0 || ids[r] >= vocab) atomicMin(first_bad, static_cast<unsigned long long>(r));
}

__global__ void forward_kernel(const float* __restrict__ table, std::int64_t dim, const std::int32_t* __restrict__ ids,
                               std::int64_t total, float* __restrict__ out) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += stride)
    out[e] = canonicalize(table[ids[e / dim] * dim + e % dim]);
}

// The sort's values 0 .. n - 1; also zeroes the two counters of the id list.
__global__ void iota_kernel(std::int32_t* __restrict__ out, std::int64_t n, unsigned* __restrict__ listed) {
  if (blockIdx.x == 0 && threadIdx.x < 2) listed[threadIdx.x] = 0;
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    out[i] = static_cast<std::int32_t>(i);
}

// start[id] and end[id] of each id present in the sorted keys, and the id in the list: short ids
// (at most kShortRows rows) at list[0 .. listed[0]), long ones at list[n - listed[1] .. n).
// Short ids take a warp per 128 columns, long ones a block per 32 columns.
constexpr int kShortRows = 16;

__global__ void segments_kernel(const std::int32_t* __restrict__ keys, std::int64_t n, std::int32_t* __restrict__ start,
                                std::int32_t* __restrict__ end, std::int32_t* __restrict__ list,
                                unsigned* __restrict__ listed) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t p = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; p < n; p += stride) {
    const std::int32_t k = keys[p];
    if (p == 0 || keys[p - 1] != k) {
      start[k] = static_cast<std::int32_t>(p);
      if (p + kShortRows < n && keys[p + kShortRows] == k) list[n - 1 - atomicAdd(&listed[1], 1u)] = k;
      else list[atomicAdd(&listed[0], 1u)] = k;
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

// One warp per (short id, 128 columns): thread t sums columns j0 + t + 32 q, q = 0 .. 3. Lane l of
// the warp holds the id's row l and hands it round by shuffles.
__global__ void short_segments_kernel(const float* __restrict__ dout, std::int64_t dim,
                                      const std::int32_t* __restrict__ rows, const std::int32_t* __restrict__ start,
                                      const std::int32_t* __restrict__ end, const std::int32_t* __restrict__ list,
                                      const unsigned* __restrict__ listed, float* __restrict__ dtable) {
  const int t = static_cast<int>(threadIdx.x) % kWarp;
  const std::int64_t groups = (dim + 4 * kWarp - 1) / (4 * kWarp), items = static_cast<std::int64_t>(listed[0]) * groups;
  const std::int64_t warps = static_cast<std::int64_t>(gridDim.x) * (blockDim.x / kWarp);
  for (std::int64_t item = static_cast<std::int64_t>(blockIdx.x) * (blockDim.x / kWarp) + threadIdx.x / kWarp;
       item < items; item += warps) {
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
    long_segments_kernel(const float* __restrict__ dout, std::int64_t dim, std::int64_t n,
                         const std::int32_t* __restrict__ rows, const std::int32_t* __restrict__ start,
                         const std::int32_t* __restrict__ end, const std::int32_t* __restrict__ list,
                         const unsigned* __restrict__ listed, float* __restrict__ dtable) {
  constexpr int K = kReduceLanes / kWarps;  // lanes per thread
  __shared__ float lane_of_warp[kWarps][kWarp];
  __shared__ float upper_lanes[2][kReduceLanes][kWarp];
  const int t = static_cast<int>(threadIdx.x) % kWarp, w = static_cast<int>(threadIdx.x) / kWarp;
  const std::int64_t column_tiles = (dim + kWarp - 1) / kWarp, tiles = static_cast<std::int64_t>(listed[1]) * column_tiles;
  for (std::int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    const std::int64_t v = list[n - 1 - tile / column_tiles], j = tile % column_tiles * kWarp + t;
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
#pragma unroll 1
      for (int s = 0; s * kReduceLanes < valid; ++s)
#pragma unroll
        for (int k = 0; k < K; ++k) {
          const int i = s * kReduceLanes + w + kWarps * k;
          if (i < valid) a[k] = a[k] + column[static_cast<std::int64_t>(chunk[i]) * dim];
        }
#pragma unroll
      for (int h = kReduceLanes / 2; h >= kWarps; h /= 2)
#pragma unroll
        for (int k = 0; k < h / kWarps; ++k) a[k] = a[k] + a[k + h / kWarps];
      lane_of_warp[w][t] = a[0];  // lane w
      __syncthreads();
      if (w == 0) {
        float lane[kWarps];
#pragma unroll
        for (int l = 0; l < kWarps; ++l) lane[l] = lane_of_warp[l][t];
#pragma unroll
        for (int h = kWarps / 2; h >= 1; h /= 2)
#pragma unroll
          for (int l = 0; l < h; ++l) lane[l] = lane[l] + lane[l + h];
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

// The pieces of the workspace, each 256-byte aligned: the first bad row and the list's two
// counters share the first 256 bytes; the id list reuses the sort's values, dead once sorted.
struct Layout {
  static constexpr std::size_t bad = 0, listed = 8;
  std::size_t keys, iota, rows, start, end, sort, total, sort_bytes;
  Layout(std::int64_t n, std::int64_t vocab, std::size_t sort_temp) {
    const auto up = [](std::size_t b) { return (b + kWorkspaceAlign - 1) / kWorkspaceAlign * kWorkspaceAlign; };
    const std::size_t ids = up(static_cast<std::size_t>(n) * 4), per_id = up(static_cast<std::size_t>(vocab) * 4);
    keys = kWorkspaceAlign;
    iota = keys + ids;
    rows = iota + ids;
    start = rows + ids;
    end = start + per_id;
    sort = end + per_id;
    sort_bytes = sort_temp;
    total = sort + up(sort_temp);
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

int grid_of(const char* fn, const void* kernel, int threads, std::int64_t work, LaunchConfig launch) {
  if (launch.grid_blocks > 0) return launch.grid_blocks;
  const std::int64_t resident = detail::resident_blocks(fn, kernel, threads);
  return static_cast<int>(std::max<std::int64_t>(1, std::min(resident, work)));
}

// The first bad id, if any, as the CPU's error; waits for the stream.
void check_ids_on_device(const char* fn, const std::int32_t* ids, std::int64_t n, std::int64_t vocab,
                         unsigned long long* first_bad, cudaStream_t stream) {
  DETNUM_CUDA_CHECK(fn, cudaMemsetAsync(first_bad, 0xFF, sizeof(unsigned long long), stream));
  const int grid = grid_of(fn, reinterpret_cast<const void*>(first_bad_id_kernel), 256, (n + 255) / 256, {});
  first_bad_id_kernel<<<grid, 256, 0, stream>>>(ids, n, vocab, first_bad);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
  unsigned long long bad = kNoBadRow;
  DETNUM_CUDA_CHECK(fn, cudaMemcpyAsync(&bad, first_bad, sizeof bad, cudaMemcpyDeviceToHost, stream));
  DETNUM_CUDA_CHECK(fn, cudaStreamSynchronize(stream));
  if (bad == kNoBadRow) return;
  std::int32_t id = 0;
  DETNUM_CUDA_CHECK(fn, cudaMemcpyAsync(&id, ids + bad, sizeof id, cudaMemcpyDeviceToHost, stream));
  DETNUM_CUDA_CHECK(fn, cudaStreamSynchronize(stream));
  detail::fail_id(fn, static_cast<std::int64_t>(bad), id, vocab);
}

struct LongSegments {
  const float* dout;
  std::int64_t dim, n;
  const std::int32_t *rows, *start, *end, *list;
  const unsigned* listed;
  float* dtable;
};

template <int kWarps>
void launch_long_segments(const char* fn, const LongSegments& a, cudaStream_t stream, LaunchConfig launch) {
  const auto kernel = long_segments_kernel<kWarps>;
  // Long ids have more than kShortRows rows each, so there are fewer than n / kShortRows of them.
  const std::int64_t tiles = (a.n / kShortRows + 1) * ((a.dim + kWarp - 1) / kWarp);
  const int grid = grid_of(fn, reinterpret_cast<const void*>(kernel), kWarps * kWarp, tiles, launch);
  kernel<<<grid, kWarps * kWarp, 0, stream>>>(a.dout, a.dim, a.n, a.rows, a.start, a.end, a.list, a.listed, a.dtable);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

}  // namespace

void embedding_forward(const float* table, std::int64_t vocab, std::int64_t dim, const std::int32_t* ids,
                       std::int64_t n, float* out, cudaStream_t stream, LaunchConfig launch) {
  constexpr const char* fn = "cuda::embedding_forward";
  detail::check_embedding(fn, vocab, dim, ids, n, out, "out", table, "table");
  detail::check_launch(fn, launch);
  if (n == 0) return;
  detail::check_device_accessible(fn, "ids", ids);
  detail::check_device_accessible(fn, "out", out);
  if (vocab * dim > 0) detail::check_device_accessible(fn, "table", table);
  StreamWorkspace bad(fn, {}, sizeof(unsigned long long), "8", stream);
  check_ids_on_device(fn, ids, n, vocab, static_cast<unsigned long long*>(bad.get()), stream);
  if (dim == 0) return;
  const std::int64_t total = n * dim;
  const int grid = grid_of(fn, reinterpret_cast<const void*>(forward_kernel), launch.block_threads,
                           (total + launch.block_threads - 1) / launch.block_threads, launch);
  forward_kernel<<<grid, launch.block_threads, 0, stream>>>(table, dim, ids, total, out);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

std::size_t embedding_backward_workspace_bytes(std::int64_t n, std::int64_t vocab) {
  constexpr const char* fn = "cuda::embedding_backward_workspace_bytes";
  detail::check_size(fn, "n", n, sizeof(std::int32_t));
  detail::check_size(fn, "vocab", vocab, sizeof(float));
  check_rows_limit(fn, n);
  return Layout(n, vocab, sort_temp_bytes(fn, n, vocab)).total;
}

void embedding_backward(const std::int32_t* ids, std::int64_t n, const float* dout, std::int64_t vocab,
                        std::int64_t dim, float* dtable, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  constexpr const char* fn = "cuda::embedding_backward";
  detail::check_embedding(fn, vocab, dim, ids, n, dout, "dout", dtable, "dtable");
  detail::check_launch(fn, launch);
  check_rows_limit(fn, n);
  if (n > 0) detail::check_device_accessible(fn, "ids", ids);
  if (n * dim > 0) detail::check_device_accessible(fn, "dout", dout);
  if (vocab * dim == 0) {
    if (n == 0) return;
  } else {
    detail::check_device_accessible(fn, "dtable", dtable);
  }
  const Layout at(n, vocab, sort_temp_bytes(fn, n, vocab));
  StreamWorkspace w(fn, ws, at.total, "embedding_backward_workspace_bytes(n, vocab)", stream);
  auto* base = static_cast<unsigned char*>(w.get());
  if (n > 0) check_ids_on_device(fn, ids, n, vocab, reinterpret_cast<unsigned long long*>(base + at.bad), stream);
  if (vocab * dim == 0) return;
  DETNUM_CUDA_CHECK(fn, cudaMemsetAsync(dtable, 0, static_cast<std::size_t>(vocab * dim) * sizeof(float), stream));
  if (n == 0) return;
  auto* keys = reinterpret_cast<std::int32_t*>(base + at.keys);
  auto* iota = reinterpret_cast<std::int32_t*>(base + at.iota);
  auto* rows = reinterpret_cast<std::int32_t*>(base + at.rows);
  auto* start = reinterpret_cast<std::int32_t*>(base + at.start);
  auto* end = reinterpret_cast<std::int32_t*>(base + at.end);
  auto* listed = reinterpret_cast<unsigned*>(base + at.listed);
  std::int32_t* list = iota;
  const int grid = static_cast<int>(std::min<std::int64_t>(4096, (n + 255) / 256));
  iota_kernel<<<grid, 256, 0, stream>>>(iota, n, listed);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
  std::size_t sort_bytes = at.sort_bytes;
  DETNUM_CUDA_CHECK(fn, cub::DeviceRadixSort::SortPairs(base + at.sort, sort_bytes, ids, keys, iota, rows,
                                                        static_cast<int>(n), 0, key_bits(vocab), stream));
  segments_kernel<<<grid, 256, 0, stream>>>(keys, n, start, end, list, listed);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());

  // At most n short ids, each with groups of 128 columns, one warp each.
  const int threads = launch.block_threads;
  const std::int64_t warps = n * ((dim + 4 * kWarp - 1) / (4 * kWarp));
  const int short_grid = grid_of(fn, reinterpret_cast<const void*>(short_segments_kernel), threads,
                                 (warps + threads / kWarp - 1) / (threads / kWarp), launch);
  short_segments_kernel<<<short_grid, threads, 0, stream>>>(dout, dim, rows, start, end, list, listed, dtable);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
  const LongSegments a{dout, dim, n, rows, start, end, list, listed, dtable};
  if (launch.block_threads >= 1024) launch_long_segments<32>(fn, a, stream, launch);
  else if (launch.block_threads >= 512) launch_long_segments<16>(fn, a, stream, launch);
  else if (launch.block_threads >= 256) launch_long_segments<8>(fn, a, stream, launch);
  else launch_long_segments<4>(fn, a, stream, launch);
}

}  // namespace detnum::cuda
