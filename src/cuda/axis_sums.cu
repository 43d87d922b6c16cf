// Axis sums on CUDA: the same bits as src/cpu/reduce_ref.cpp's row_sums and column_sums (each row,
// each column, reduced as a vector in ORDER.md's order) for every layout, launch shape and GPU.
//
// Rows. A row is a contiguous vector, so one warp computes one chunk of one row exactly as the
// vector reduction does (chunk_warp.cuh: 128 lanes as 32 threads x 4, folded with shuffles).
// Warps take (row, chunk) pairs grid-stride. A row of one chunk writes its result; longer rows
// write one partial per chunk to the workspace, a (rows x chunks) matrix whose row sums are the
// next level (ORDER.md step 5), reduced by the same kernel in a further launch on the stream.
//
// Columns. A block computes one tile: 32 adjacent columns x one chunk (8192 rows). Thread t of
// warp w owns column j0 + t and the lanes l = w + kWarps * k (k < 128 / kWarps) of it, so a warp
// reads 32 adjacent elements of one row per load (coalesced) and every lane still takes its rows
// l, l + 128, l + 256, ... in increasing order. The fold of ORDER.md step 4 pairs lane l with
// l + h: for h >= kWarps both are in one thread (slots k and k + h / kWarps); the last steps,
// h < kWarps, go through shared memory, folded by warp 0 in the same halves. When the tiles are
// few (fewer than a quarter of the blocks the device holds at once), each tile is split over S
// blocks (S = 8, or 4 at 1024 threads) by the lanes' residue mod S: block s holds the lanes
// s + S (w + kWarps k), folds them through the halvings h >= S, whose pairs share the residue,
// and a second launch (fold_split_lanes_kernel) takes h = S / 2 .. 1. The same additions. Columns longer than
// a chunk leave one partial per chunk: a (chunks x cols) matrix per batch entry whose column sums
// are the next level, reduced by the same kernel in a further launch.
//
// No atomics, no ticket: each launch writes each output once. kWarps is the block size / 32
// (4, 8, 16 or 32): it changes which thread holds a lane, never the lane's elements or the fold.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "common/reduce_checks.hpp"
#include "common/validate.hpp"
#include "cuda/check.hpp"
#include "cuda/chunk_warp.cuh"
#include "cuda/launch.hpp"
#include "cuda/stream_workspace.hpp"
#include "detnum/cuda/reduce.hpp"

namespace detnum::cuda {
namespace {

using namespace warp;


// --- Rows -----------------------------------------------------------------------------------------

// Chunk c of fiber f (f = b * rows + i) goes to out[f * chunks + c]; canonicalized when it is the
// final value (one chunk per row).
template <class T, int kMaxThreads>
__global__ void __launch_bounds__(kMaxThreads)
    row_partials_kernel(const T* __restrict__ x, MatrixLayout m, bool vec, detail::accum_t<T>* __restrict__ out) {
  using A = detail::accum_t<T>;
  constexpr int kBatch = batch_steps<T, 1, kMaxThreads>();
  const int t = static_cast<int>(threadIdx.x) % kWarp, w = static_cast<int>(threadIdx.x) / kWarp;
  const std::int64_t warps = static_cast<std::int64_t>(gridDim.x) * (blockDim.x / kWarp);
  const std::int64_t chunks = detail::reduce_chunks(m.cols), pairs = m.batch * m.rows * chunks;
  for (std::int64_t v = static_cast<std::int64_t>(w) * gridDim.x + blockIdx.x; v < pairs; v += warps) {
    const std::int64_t f = v / chunks, c = v % chunks;
    const T* row = x + f / m.rows * m.batch_stride + f % m.rows * m.ld;
    const A p = chunk_partial<false, kBatch, kCheckedBatch>(SumStep<T>{}, row, static_cast<const T*>(nullptr), m.cols,
                                                            c, vec, t);
    if (t == 0) out[v] = chunks == 1 ? canonicalize(p) : p;
  }
}

// --- Columns --------------------------------------------------------------------------------------

// Chunk c of column j of batch entry b goes to out[(b * chunks + c) * cols + j]; canonicalized
// when it is the final value (one chunk per column). With kSplit > 1, a tile is kSplit blocks:
// block s takes the lanes s + kSplit l' of the chunk (thread t of warp w: l' = w + kWarps k), folds
// them through the halvings h >= kSplit, whose pairs share that residue, and leaves lane s in
// split_lanes[((b * chunks + c) * cols + j) * kSplit + s] for fold_split_lanes_kernel.
template <class T, int kWarps, int kSplit>
__global__ void __launch_bounds__(kWarps * kWarp)
    column_partials_kernel(const T* __restrict__ x, MatrixLayout m, detail::accum_t<T>* __restrict__ out,
                           detail::accum_t<T>* __restrict__ split_lanes) {
  using A = detail::accum_t<T>;
  constexpr int K = kReduceLanes / kSplit / kWarps;  // lanes per thread
  static_assert(K >= 1, "at most 128 lanes across a tile's blocks");
  __shared__ A lane_of_warp[kWarps][kWarp];
  const int t = static_cast<int>(threadIdx.x) % kWarp, w = static_cast<int>(threadIdx.x) / kWarp;
  const std::int64_t chunks = detail::reduce_chunks(m.rows), column_tiles = (m.cols + kWarp - 1) / kWarp;
  const std::int64_t units = m.batch * chunks * column_tiles * kSplit;
  for (std::int64_t unit = blockIdx.x; unit < units; unit += gridDim.x) {
    const std::int64_t tile = unit / kSplit;
    const int s = static_cast<int>(unit % kSplit);
    const std::int64_t ct = tile % column_tiles, c = tile / column_tiles % chunks, b = tile / column_tiles / chunks;
    const std::int64_t j = ct * kWarp + t;
    const bool owns_column = j < m.cols;
    // Threads past the last column read the last column and discard it: every load is in bounds.
    const T* base = x + b * m.batch_stride + c * kReduceChunk * m.ld + (owns_column ? j : m.cols - 1);
    const std::int64_t left = m.rows - c * kReduceChunk;
    const int valid = static_cast<int>(left < kReduceChunk ? left : kReduceChunk);
    const auto row_of = [&](int step, int k) { return step * kReduceLanes + s + kSplit * (w + kWarps * k); };

    A a[K];
#pragma unroll
    for (int k = 0; k < K; ++k) a[k] = detail::lane_identity<A>();
    // Whole steps (every lane has its row) kBatch at a time: their rows loaded into registers,
    // then added, each lane in step order; about 32 loads per thread in flight, which with few
    // tiles (few blocks) bound the bandwidth. Then what is left, whole steps and a partial one,
    // as one more batch in which the rows past the end add -0.
    // (Checked loads beside their adds, as this kernel once did for every step of a partial
    // chunk, left one load in flight: 4096 rows took about 250 us, it seems.)
    constexpr int kBatch = K >= 32 ? 1 : 32 / K;
    const auto add_batch = [&](int step, auto masking) {  // kBatch steps from `step`
      constexpr bool masked = decltype(masking)::value;
      T v[kBatch][K];
#pragma unroll
      for (int u = 0; u < kBatch; ++u)
#pragma unroll
        for (int k = 0; k < K; ++k) {
          const int r = row_of(step + u, k);
          v[u][k] = base[static_cast<std::int64_t>(masked ? ::min(r, valid - 1) : r) * m.ld];
        }
#pragma unroll
      for (int u = 0; u < kBatch; ++u)
#pragma unroll
        for (int k = 0; k < K; ++k) {
          const A e = detail::widen(v[u][k]);
          if constexpr (masked) a[k] = a[k] + unless_past(e, row_of(step + u, k), valid);
          else a[k] = a[k] + e;
        }
    };
    const int whole = valid / kReduceLanes;
    int step = 0;
#pragma unroll 1
    for (; step + kBatch <= whole; step += kBatch) add_batch(step, std::false_type{});
    if (step * kReduceLanes < valid) add_batch(step, std::true_type{});  // the rest: rows past the end add -0
    // ORDER.md step 4: lane l += lane l + h; in registers while both lanes are in this thread,
    // then the block's first lanes through shared memory; the halvings below kSplit are
    // fold_split_lanes_kernel's.
    fold_own_lanes(a);
    lane_of_warp[w][t] = a[0];  // lane s + kSplit w
    __syncthreads();
    if (w == 0) {
      A lane[kWarps];
#pragma unroll
      for (int l = 0; l < kWarps; ++l) lane[l] = lane_of_warp[l][t];
      fold_first_lanes<kWarps>(lane);
      const std::int64_t at = (b * chunks + c) * m.cols + j;
      if (owns_column) {
        if constexpr (kSplit == 1) out[at] = chunks == 1 ? canonicalize(lane[0]) : lane[0];
        else split_lanes[at * kSplit + s] = lane[0];
      }
    }
    __syncthreads();  // lane_of_warp is free for the next tile
  }
}

// The halvings h = kSplit / 2, ..., 1 of each output's lanes 0 .. kSplit - 1 (ORDER.md step 4's
// last steps), into out as column_partials_kernel would have written it.
template <class A, int kSplit>
__global__ void fold_split_lanes_kernel(const A* __restrict__ split_lanes, std::int64_t outputs, bool final,
                                        A* __restrict__ out) {
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < outputs;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    A lane[kSplit];
#pragma unroll
    for (int l = 0; l < kSplit; ++l) lane[l] = split_lanes[i * kSplit + l];
    fold_first_lanes<kSplit>(lane);
    out[i] = final ? canonicalize(lane[0]) : lane[0];
  }
}

// --- Host side ------------------------------------------------------------------------------------

// One level's partials, rounded up to the alignment (within the size workspace_bytes checked).
template <class A>
std::size_t level_bytes(std::int64_t entries) {
  return workspace_round(static_cast<std::size_t>(entries) * sizeof(A));
}

// The workspace of every level but the last: fibers x chunks partials while chunks > 1, each
// level rounded up to the alignment; in bytes of the widest accumulator (double), so that one
// size serves every input type. A size past 2^63 bytes is an error, not a wrapped product.
std::size_t workspace_bytes(const char* fn, std::int64_t fibers, std::int64_t length) {
  constexpr auto kAlign = static_cast<std::int64_t>(kWorkspaceAlign);
  std::int64_t bytes = 0;
  for (std::int64_t chunks = detail::reduce_chunks(length); chunks > 1; chunks = detail::reduce_chunks(chunks)) {
    const std::int64_t entries = detail::checked_mul_add(fibers, chunks, 0);
    const std::int64_t level = entries < 0 ? -1 : detail::checked_mul_add(entries, sizeof(double), kAlign - 1);
    bytes = level < 0 ? -1 : detail::checked_mul_add(1, bytes, level / kAlign * kAlign);
    if (bytes < 0)
      detail::fail(ErrorCode::size_out_of_range, fn,
                   "the workspace of " + std::to_string(fibers) + " sums of " + std::to_string(length) +
                       " elements exceeds 2^63 bytes");
  }
  return static_cast<std::size_t>(bytes);
}

// Column sums with few tiles split each tile's 128 lanes over kSplitMax blocks (or 128 / warps
// per block, if fewer), by the lanes' residue: the tiles alone would leave most SMs idle (8192
// x 1024 is 32 tiles, 32 blocks on an H200's 132 SMs). A level is split when it has at most a
// quarter as many tiles as the device holds blocks of the kernel at once; kSplitTilesAtMost
// bounds the lanes' workspace whatever the device.
constexpr int kSplitMax = 8;
constexpr std::int64_t kSplitTilesAtMost = 512;

std::int64_t column_tiles(std::int64_t batch, std::int64_t rows, std::int64_t cols) {
  return batch * detail::reduce_chunks(rows) * (cols / kWarp + (cols % kWarp != 0));  // no cols + 31: cols may be near 2^63
}

// The split lanes' region: kSplitMax per output of the largest level that may be split, in
// bytes of the widest accumulator, rounded up to the alignment (at most 512 x 32 x 8 x 8 bytes).
// (The caller has checked that the levels' sizes fit: so does every tile count.)
std::size_t split_lanes_bytes(std::int64_t batch, std::int64_t rows, std::int64_t cols) {
  std::int64_t most = 0;
  for (std::int64_t r = rows; r > 0; r = detail::reduce_chunks(r)) {  // each level's rows
    const std::int64_t tiles = column_tiles(batch, r, cols);
    if (tiles <= kSplitTilesAtMost) most = std::max(most, tiles * kWarp * kSplitMax * std::int64_t{sizeof(double)});
    if (r <= kReduceChunk) break;  // the last level
  }
  return level_bytes<unsigned char>(most);
}

// All of a column sum call's workspace: the split lanes, then the levels.
std::size_t columns_workspace_bytes(const char* fn, const MatrixLayout& m) {
  const std::size_t levels = workspace_bytes(fn, m.batch * m.cols, m.rows);
  const std::size_t split = split_lanes_bytes(m.batch, m.rows, m.cols);
  if (levels > static_cast<std::size_t>(INT64_MAX) - split)
    detail::fail(ErrorCode::size_out_of_range, fn,
                 "the workspace of " + std::to_string(m.batch * m.cols) + " sums of " + std::to_string(m.rows) +
                     " elements exceeds 2^63 bytes");
  return split + levels;
}

// The workspace of a row or column sum call (count sums), apart from the matrix and the results.
template <Reducible T>
StreamWorkspace call_workspace(const char* fn, const T* x, const MatrixLayout& m, const accum_t<T>* out,
                               std::int64_t count, std::size_t bytes, Workspace ws, std::string_view ws_name,
                               cudaStream_t stream) {
  return StreamWorkspace(fn, ws, bytes, ws_name, stream,
                         {{"x", x, detail::check_matrix_layout(fn, m, sizeof(T)) * std::int64_t{sizeof(T)}},
                          {"out", out, count * std::int64_t{sizeof(accum_t<T>)}}});
}

template <class Kernel>
int grid_for(const char* fn, Kernel kernel, int block_threads, std::int64_t work, LaunchConfig launch) {
  if (launch.grid_blocks > 0) return launch.grid_blocks;
  const std::int64_t resident = detail::resident_blocks(fn, reinterpret_cast<const void*>(kernel), block_threads);
  return static_cast<int>(std::max<std::int64_t>(1, std::min(resident, work)));
}

template <class T, int kMaxThreads>
void launch_rows_as(const char* fn, const T* x, const MatrixLayout& m, detail::accum_t<T>* out, cudaStream_t stream,
                    LaunchConfig launch) {
  constexpr int W = Packed<T>::W;
  const bool vec = aligned_for_packed(x) && m.ld % W == 0 && m.batch_stride % W == 0;
  const auto kernel = row_partials_kernel<T, kMaxThreads>;
  const std::int64_t pairs = m.batch * m.rows * detail::reduce_chunks(m.cols);
  const int grid = grid_for(fn, kernel, launch.block_threads, (pairs + 7) / 8, launch);
  kernel<<<grid, launch.block_threads, 0, stream>>>(x, m, vec, out);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

// Level after level: each launch leaves fibers x chunks partials until chunks is 1.
template <class T>
void launch_rows(const char* fn, const T* x, const MatrixLayout& m, detail::accum_t<T>* out, unsigned char* ws,
                 cudaStream_t stream, LaunchConfig launch) {
  using A = detail::accum_t<T>;
  const std::int64_t fibers = m.batch * m.rows, chunks = detail::reduce_chunks(m.cols);
  A* dst = chunks == 1 ? out : reinterpret_cast<A*>(ws);
  if (launch.block_threads <= 256) launch_rows_as<T, 256>(fn, x, m, dst, stream, launch);
  else launch_rows_as<T, 1024>(fn, x, m, dst, stream, launch);
  if (chunks > 1)
    launch_rows<A>(fn, dst, MatrixLayout::dense(fibers, chunks), out, ws + level_bytes<A>(fibers * chunks), stream,
                   launch);
}

template <class T, int kWarps>
void launch_columns_as(const char* fn, const T* x, const MatrixLayout& m, detail::accum_t<T>* out,
                       detail::accum_t<T>* split_lanes, cudaStream_t stream, LaunchConfig launch) {
  using A = detail::accum_t<T>;
  constexpr int kThreads = kWarps * kWarp, kSplit = std::min(kSplitMax, kReduceLanes / kWarps);
  const auto plain = column_partials_kernel<T, kWarps, 1>;
  const std::int64_t tiles = column_tiles(m.batch, m.rows, m.cols);
  if (tiles > kSplitTilesAtMost ||
      tiles * 4 > detail::resident_blocks(fn, reinterpret_cast<const void*>(plain), kThreads)) {
    plain<<<grid_for(fn, plain, kThreads, tiles, launch), kThreads, 0, stream>>>(x, m, out, nullptr);
    DETNUM_CUDA_CHECK(fn, cudaGetLastError());
    return;
  }
  const auto split = column_partials_kernel<T, kWarps, kSplit>;
  split<<<grid_for(fn, split, kThreads, tiles * kSplit, launch), kThreads, 0, stream>>>(x, m, nullptr, split_lanes);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
  const std::int64_t chunks = detail::reduce_chunks(m.rows), outputs = m.batch * chunks * m.cols;
  const auto fold = fold_split_lanes_kernel<A, kSplit>;
  fold<<<grid_for(fn, fold, 256, (outputs + 255) / 256, launch), 256, 0, stream>>>(split_lanes, outputs, chunks == 1,
                                                                                   out);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

// Level after level, as the rows; the split lanes' region serves each level in turn.
template <class T>
void launch_columns(const char* fn, const T* x, const MatrixLayout& m, detail::accum_t<T>* out,
                    detail::accum_t<T>* split_lanes, unsigned char* levels, cudaStream_t stream, LaunchConfig launch) {
  using A = detail::accum_t<T>;
  const std::int64_t chunks = detail::reduce_chunks(m.rows);
  A* dst = chunks == 1 ? out : reinterpret_cast<A*>(levels);
  if (launch.block_threads >= 1024) launch_columns_as<T, 32>(fn, x, m, dst, split_lanes, stream, launch);
  else if (launch.block_threads >= 512) launch_columns_as<T, 16>(fn, x, m, dst, split_lanes, stream, launch);
  else if (launch.block_threads >= 256) launch_columns_as<T, 8>(fn, x, m, dst, split_lanes, stream, launch);
  else launch_columns_as<T, 4>(fn, x, m, dst, split_lanes, stream, launch);
  if (chunks > 1)
    launch_columns<A>(fn, dst, MatrixLayout::dense(chunks, m.cols, m.batch), out, split_lanes,
                      levels + level_bytes<A>(m.batch * chunks * m.cols), stream, launch);
}

template <class R>
__global__ void fill_zero_kernel(R* out, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x)
    out[i] = R(0);
}

// Sums of empty fibers: +0 (a memset would do, but this keeps the zero's bits explicit).
template <class R>
void fill_zero(const char* fn, R* out, std::int64_t n, cudaStream_t stream) {
  const int grid = static_cast<int>(std::min<std::int64_t>(1024, (n + 255) / 256));
  fill_zero_kernel<<<grid, 256, 0, stream>>>(out, n);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

}  // namespace

std::size_t row_sums_workspace_bytes(const MatrixLayout& m) {
  detail::check_matrix_layout("cuda::row_sums_workspace_bytes", m, 1);
  return workspace_bytes("cuda::row_sums_workspace_bytes", m.batch * m.rows, m.cols);
}

std::size_t column_sums_workspace_bytes(const MatrixLayout& m) {
  detail::check_matrix_layout("cuda::column_sums_workspace_bytes", m, 1);
  return columns_workspace_bytes("cuda::column_sums_workspace_bytes", m);
}

template <Reducible T>
void row_sums(const T* x, const MatrixLayout& m, accum_t<T>* out, cudaStream_t stream, Workspace ws,
              LaunchConfig launch) {
  constexpr const char* fn = "cuda::row_sums";
  const std::int64_t count = detail::check_axis_call(fn, x, m, sizeof(T), out, true, sizeof(accum_t<T>), detail::device_reader(stream));
  detail::check_launch(fn, launch);
  if (count == 0) return;
  if (m.cols == 0) return fill_zero(fn, out, count, stream);
  const StreamWorkspace levels = call_workspace(fn, x, m, out, count, workspace_bytes(fn, count, m.cols), ws,
                                                "cuda::row_sums_workspace_bytes(m)", stream);
  launch_rows(fn, x, m, out, static_cast<unsigned char*>(levels.get()), stream, launch);
}

template <Reducible T>
void column_sums(const T* x, const MatrixLayout& m, accum_t<T>* out, cudaStream_t stream, Workspace ws,
                 LaunchConfig launch) {
  constexpr const char* fn = "cuda::column_sums";
  const std::int64_t count = detail::check_axis_call(fn, x, m, sizeof(T), out, false, sizeof(accum_t<T>), detail::device_reader(stream));
  detail::check_launch(fn, launch);
  if (count == 0) return;
  if (m.rows == 0) return fill_zero(fn, out, count, stream);
  const StreamWorkspace w = call_workspace(fn, x, m, out, count, columns_workspace_bytes(fn, m), ws,
                                           "cuda::column_sums_workspace_bytes(m)", stream);
  auto* base = static_cast<unsigned char*>(w.get());
  launch_columns(fn, x, m, out, reinterpret_cast<accum_t<T>*>(base), base + split_lanes_bytes(m.batch, m.rows, m.cols),
                 stream, launch);
}

#define DETNUM_CUDA_AXIS_SUMS(T)                                                                                 \
  template void row_sums<T>(const T*, const MatrixLayout&, accum_t<T>*, cudaStream_t, Workspace, LaunchConfig); \
  template void column_sums<T>(const T*, const MatrixLayout&, accum_t<T>*, cudaStream_t, Workspace, LaunchConfig);
DETNUM_CUDA_AXIS_SUMS(float)
DETNUM_CUDA_AXIS_SUMS(double)
DETNUM_CUDA_AXIS_SUMS(bf16)
DETNUM_CUDA_AXIS_SUMS(fp16)
#undef DETNUM_CUDA_AXIS_SUMS

}  // namespace detnum::cuda
