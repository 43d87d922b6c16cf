// The fast CPU path for axis sums (ORDER.md, "Axis sums"): every row and every column is a vector
// reduced by the canonical order on its own.
//
// Rows are contiguous: each is reduce.cpp's canonical_sum, one thread per group of rows when
// there are rows enough to share, every thread inside each row otherwise.
//
// Columns are strided. A block of up to 1024 adjacent columns walks one chunk of 8192 rows at a
// time: row r of the chunk is added into lane r mod 128 of every column of the block, an array
// acc[128][width] (512 KiB at most) that L2 holds while the rows stream past in long runs, and
// the 128 lanes then fold in halves for all the block's columns at once. (Blocks of 32 columns,
// whose lanes fit L1, read memory in 128-byte pieces a page apart: half the speed.) Each column's
// lanes see its elements in the reference's order and fold as the reference folds, so the block
// width, the thread that takes a block and the vector width never change a bit. Columns longer
// than one chunk leave a partial per chunk: per batch entry a (chunks x cols) matrix whose column
// sums are the next level of ORDER.md step 5, reduced by the same code until one row is left.
// Threads take whole (chunk, block) units; with fewer units than threads (one chunk of at most
// 1024 columns is one unit) they share each unit's 128 lanes instead, each thread reading the
// rows of its own lanes, and one thread folds them. (The fold and this scheduling live in
// column_lanes.hpp, shared with the norms' backward pass.)
//
// The block loop is written once, without intrinsics, and compiled twice: for the baseline ISA
// and, inlined into a gnu::target("avx2") function, for AVX2 (the compiler vectorizes it over
// the block's columns; fp16 is widened by a branch-free formula, fp16.hpp, so that it vectorizes
// too).
#include <algorithm>
#include <string>
#include <vector>

#include "common/reduce_checks.hpp"
#include "common/validate.hpp"
#include "cpu/column_lanes.hpp"
#include "cpu/parallel.hpp"
#include "cpu/reduce_cpu.hpp"
#include "detnum/reduce.hpp"

namespace detnum {
namespace {

using detail::kReduceChunk;
using detail::kReduceLanes;

template <class T>
inline auto widen_for_simd(T v) {
  if constexpr (std::is_same_v<T, fp16>) return to_float_branchless(v);
  else return detail::widen(v);
}

// Lanes [l0, l1) of one chunk (rows <= 8192 rows) of the block of width columns starting at x;
// x[r * ld + j] is row r of the chunk, added into lane r mod 128: acc[lane * width + j]. Only the
// used lanes (detail::used_lanes) are filled.
template <class T, class A>
[[gnu::always_inline]] inline void block_lanes(const T* __restrict x, std::int64_t ld, int rows, int width, int l0,
                                               int l1, A* __restrict acc) {
  const int used = detail::used_lanes(rows);
  if (l1 > used) l1 = used;
  if (l0 >= l1) return;
  std::fill(acc + l0 * width, acc + l1 * width, detail::lane_identity<A>());
  for (int r0 = 0; r0 < rows; r0 += kReduceLanes) {
    for (int l = l0; l < l1 && r0 + l < rows; ++l) {
      A* __restrict a = acc + l * width;
      const T* __restrict row = x + static_cast<std::int64_t>(r0 + l) * ld;
      for (int j = 0; j < width; ++j) a[j] = a[j] + widen_for_simd(row[j]);
    }
  }
}

template <class T, class A>
[[gnu::target("avx2,fma,f16c")]] void block_lanes_avx2(const T* x, std::int64_t ld, int rows, int width, int l0, int l1,
                                                      A* acc) {
  block_lanes(x, ld, rows, width, l0, l1, acc);
}
// A (chunk, block) unit's lanes [l0, l1): the AVX2 build where the CPU has it.
template <class T, class A>
void unit_lanes(bool avx2, const T* x, std::int64_t ld, int rows, int width, int l0, int l1, A* acc) {
  if (avx2) block_lanes_avx2(x, ld, rows, width, l0, l1, acc);
  else block_lanes(x, ld, rows, width, l0, l1, acc);
}
// Column sums of the batch at x into out (batch x cols), not canonicalized: one level of chunks,
// then the partials' column sums, recursively.
template <class T, class A = accum_t<T>>
void column_levels(const T* x, const MatrixLayout& m, A* out, CpuOptions opt) {
  const std::int64_t chunks = detail::reduce_chunks(m.rows);
  // Full-width blocks even when that leaves threads idle (a single chunk of at most 1024
  // columns): narrower blocks read each row in pieces and ran at 40% of the speed.
  const std::int64_t width = std::min(detail::kMaxBlock<A>, m.cols);
  const std::int64_t blocks = (m.cols + width - 1) / width;
  // Level 1 writes the chunk partials of batch entry b, chunk c, column j to
  // partials[(b * chunks + c) * cols + j]: straight into out when there is one chunk.
  std::vector<A> level(chunks == 1 ? 0 : static_cast<std::size_t>(m.batch * chunks * m.cols));
  A* const partials = chunks == 1 ? out : level.data();
  const bool avx2 = detail::use_reduce_avx2(opt);
  // Units in the order (b, c, block): threads that share a chunk's rows share their cache lines.
  const std::int64_t unit_bytes = std::min(m.rows, kReduceChunk) * width * static_cast<std::int64_t>(sizeof(T));
  const std::int64_t units = m.batch * chunks * blocks;
  const auto unit = [&](std::int64_t u, const auto& run) {
    const std::int64_t blk = u % blocks, c = u / blocks % chunks, b = u / blocks / chunks;
    const std::int64_t j0 = blk * width, r0 = c * kReduceChunk;
    run(x + b * m.batch_stride + r0 * m.ld + j0, static_cast<int>(std::min(kReduceChunk, m.rows - r0)),
        static_cast<int>(std::min(width, m.cols - j0)), partials + (b * chunks + c) * m.cols + j0);
  };
  detail::for_each_unit<A>(
      units, unit_bytes, static_cast<std::size_t>(kReduceLanes * width), opt,
      [&](std::int64_t u, int l0, int l1, A* acc) {
        unit(u, [&](const T* src, int rows, int w, A*) { unit_lanes(avx2, src, m.ld, rows, w, l0, l1, acc); });
      },
      [&](std::int64_t u, A* acc) {
        unit(u, [&](const T*, int rows, int w, A* dst) { detail::unit_fold(avx2, rows, w, acc, dst); });
      });
  if (chunks > 1) column_levels<A>(partials, MatrixLayout::dense(chunks, m.cols, m.batch), out, opt);
}

template <class A>
void canonicalize_all(A* out, std::int64_t count) {
  for (std::int64_t k = 0; k < count; ++k) out[k] = canonicalize(out[k]);
}

}  // namespace

template <Reducible T>
void row_sums(const T* x, const MatrixLayout& m, accum_t<T>* out, CpuOptions options) {
  options = detail::resolve_cpu_options("row_sums", options);
  const std::int64_t count = detail::check_axis_call("row_sums", x, m, sizeof(T), out, true, sizeof(accum_t<T>), detail::kHostReader);
  // Rows [begin, end) of the batch (row f is row f % rows of matrix f / rows), each summed by sum_of.
  const auto each_row = [&](std::int64_t begin, std::int64_t end, const auto& sum_of) {
    std::int64_t b = begin / m.rows, i = begin % m.rows;
    for (std::int64_t f = begin; f < end; ++f) {
      out[f] = canonicalize(sum_of(x + b * m.batch_stride + i * m.ld));
      if (++i == m.rows) i = 0, ++b;
    }
  };
  const std::int64_t row_bytes = m.cols * static_cast<std::int64_t>(sizeof(T));
  const std::int64_t grain = std::max<std::int64_t>(1, detail::kThreadGrainBytes / std::max<std::int64_t>(1, row_bytes));
  if (m.cols == 0) {
    std::fill(out, out + count, accum_t<T>(0));
  } else if (m.cols <= kReduceChunk) {  // one chunk a row: its kernel, picked once
    const detail::ChunkSum<T> chunk_sum = detail::chunk_sum_kernel<T>(options);
    detail::parallel_ranges(count, grain, options.threads, [&](std::int64_t begin, std::int64_t end) {
      each_row(begin, end, [&](const T* row) { return chunk_sum(row, m.cols); });
    });
  } else if (count >= options.threads) {
    CpuOptions one = options;
    one.threads = 1;
    detail::parallel_ranges(count, grain, options.threads, [&](std::int64_t begin, std::int64_t end) {
      each_row(begin, end, [&](const T* row) { return detail::canonical_sum(row, m.cols, one); });
    });
  } else {
    each_row(0, count, [&](const T* row) { return detail::canonical_sum(row, m.cols, options); });
  }
}

template <Reducible T>
void column_sums(const T* x, const MatrixLayout& m, accum_t<T>* out, CpuOptions options) {
  options = detail::resolve_cpu_options("column_sums", options);
  const std::int64_t count = detail::check_axis_call("column_sums", x, m, sizeof(T), out, false, sizeof(accum_t<T>), detail::kHostReader);
  if (count == 0) return;
  if (m.rows == 0) return std::fill(out, out + count, accum_t<T>(0));
  column_levels(x, m, out, options);
  canonicalize_all(out, count);
}

namespace detail {
void check_axis_ranges(const char* fn, std::int64_t x_size, const MatrixLayout& m, std::int64_t out_size, bool per_row) {
  const std::int64_t extent = check_matrix_layout(fn, m, 1);
  if (x_size < extent)
    fail(ErrorCode::invalid_argument, fn,
         "x.size() must be >= the layout's extent ((batch - 1) * batch_stride + (rows - 1) * ld + cols) = " +
             std::to_string(extent) + ", got " + std::to_string(x_size));
  const auto [outputs, outputs_name] = axis_results(m, per_row);
  if (out_size < outputs)
    fail(ErrorCode::invalid_argument, fn,
         std::string("out.size() must be >= ") + outputs_name + " = " + std::to_string(outputs) + ", got " +
             std::to_string(out_size));
}
}  // namespace detail

#define DETNUM_AXIS_SUMS(T)                                                                  \
  template void row_sums<T>(const T*, const MatrixLayout&, accum_t<T>*, CpuOptions);         \
  template void column_sums<T>(const T*, const MatrixLayout&, accum_t<T>*, CpuOptions);
DETNUM_AXIS_SUMS(float)
DETNUM_AXIS_SUMS(double)
DETNUM_AXIS_SUMS(bf16)
DETNUM_AXIS_SUMS(fp16)
#undef DETNUM_AXIS_SUMS

}  // namespace detnum
