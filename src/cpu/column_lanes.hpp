// The pieces of a column reduction on the CPU (ORDER.md, "Axis sums") that axis_sums.cpp and the
// norms' backward pass (nn_rows.cpp) share: a (chunk, block) unit of at most 8192 rows and 1024
// columns adds row r of its chunk into lane r mod 128 of every column, acc[lane * width + j],
// then folds the lanes in halves (ORDER.md step 4) for all its columns at once. Each column's
// lanes see its elements in the reference's order and fold as the reference folds, so the block
// width, the thread that takes a unit and the vector width never change a bit.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <tuple>
#include <vector>

#include "cpu/parallel.hpp"
#include "cpu/reduce_cpu.hpp"
#include "detnum/detail/reduce_order.hpp"
#include "detnum/hd.hpp"
#include "detnum/reduce.hpp"

namespace detnum::detail {

// The widest column block: 4 KiB of accumulators per lane (1024 floats), 512 KiB in all, which
// L2 holds while the rows stream through from memory in runs of up to 4 KiB.
template <class A>
constexpr std::int64_t kMaxBlock = 4096 / static_cast<std::int64_t>(sizeof(A));

// The lanes of a chunk of `rows` rows that receive elements: an empty lane would be -0, and
// adding -0 is exact (x + -0 == x for every x), so the others are neither filled nor folded in.
inline int used_lanes(int rows) { return rows < kReduceLanes ? rows : kReduceLanes; }

// ORDER.md step 4 (detail::fold_lanes) for every column of the block: lane l += lane l + h; then
// dst[j] = the chunk's partial of column j.
template <class A>
[[gnu::always_inline]] inline void block_fold(int rows, int width, A* __restrict acc, A* __restrict dst) {
  int used = used_lanes(rows);
  for (int h = kReduceLanes / 2; h >= 1; h /= 2) {
    for (int l = 0; l < h && l + h < used; ++l) {
      A* __restrict a = acc + l * width;
      const A* __restrict b = acc + (l + h) * width;
      for (int j = 0; j < width; ++j) a[j] = a[j] + b[j];
    }
    used = used < h ? used : h;
  }
  std::copy(acc, acc + width, dst);
}
template <class A>
[[gnu::target("avx2")]] void block_fold_avx2(int rows, int width, A* acc, A* dst) {
  block_fold(rows, width, acc, dst);
}
template <class A>
void unit_fold(bool avx2, int rows, int width, A* acc, A* dst) {
  if (avx2) block_fold_avx2(rows, width, acc, dst);
  else block_fold(rows, width, acc, dst);
}

// Runs lanes(u, l0, l1, acc) and then fold(u, acc) for every unit u < units, acc being acc_size
// accumulators of the running thread. Threads take whole units; with fewer units than threads
// (e.g. one chunk of at most 1024 columns) and units of at least two grains, they share each
// unit's lanes instead (each lane's rows are its own, so the sums are the same) and one thread
// folds. unit_bytes: the bytes a unit reads.
template <class A, class Lanes, class Fold>
void for_each_unit(std::int64_t units, std::int64_t unit_bytes, std::size_t acc_size, CpuOptions opt,
                   const Lanes& lanes, const Fold& fold) {
  if (units < opt.threads && unit_bytes >= 2 * kThreadGrainBytes) {
    std::vector<A> acc(acc_size);
    for (std::int64_t u = 0; u < units; ++u) {
      parallel_ranges(kReduceLanes, 1, opt.threads, [&](std::int64_t l0, std::int64_t l1) {
        lanes(u, static_cast<int>(l0), static_cast<int>(l1), acc.data());
      });
      fold(u, acc.data());
    }
    return;
  }
  const std::int64_t grain = std::max<std::int64_t>(1, kThreadGrainBytes / std::max<std::int64_t>(1, unit_bytes));
  parallel_ranges(units, grain, opt.threads, [&](std::int64_t begin, std::int64_t end) {
    std::vector<A> acc(acc_size);
    for (std::int64_t u = begin; u < end; ++u) {
      lanes(u, 0, kReduceLanes, acc.data());
      fold(u, acc.data());
    }
  });
}

// The column sums of kSums rows x cols float matrices given by their rows' terms rather than
// stored, in column_sums' order (so the bits of column_sums of each stored matrix), in one walk:
// add_row(r, j0, w, lane, stride) adds the terms of row r, columns j0 .. j0 + w - 1, into
// lane[s * stride + 0 .. w) for each sum s, one column at a time (lane = lane + term). out[s]: cols
// sums each, NaN canonical.
template <int kSums, class AddRow>
void column_sums_of(std::int64_t rows, std::int64_t cols, bool avx2, CpuOptions options, const AddRow& add_row,
                    const std::array<float*, kSums>& out) {
  if (cols == 0) return;
  if (rows == 0) {  // sums of nothing
    for (float* o : out) std::fill(o, o + cols, 0.0f);
    return;
  }
  const std::int64_t width = std::min(kMaxBlock<float>, cols), blocks = (cols + width - 1) / width;
  const std::int64_t chunks = reduce_chunks(rows), units = chunks * blocks;
  const std::int64_t lane_floats = kReduceLanes * width;  // per sum
  std::vector<float> level(chunks == 1 ? 0 : static_cast<std::size_t>(kSums * chunks * cols));  // chunk partials
  const auto part = [&](int s) { return chunks == 1 ? out[s] : level.data() + s * chunks * cols; };
  const std::int64_t unit_bytes = std::min(rows, kReduceChunk) * width * static_cast<std::int64_t>(sizeof(float));
  const auto unit_of = [&](std::int64_t u) {  // chunk c (first row r0, its rows), block from j0 (width w)
    const std::int64_t c = u / blocks, j0 = u % blocks * width, r0 = c * kReduceChunk;
    return std::tuple{c, j0, r0, static_cast<int>(std::min(kReduceChunk, rows - r0)),
                      static_cast<int>(std::min(width, cols - j0))};
  };
  for_each_unit<float>(
      units, unit_bytes, static_cast<std::size_t>(kSums * lane_floats), options,
      [&](std::int64_t u, int l0, int l1, float* acc) {
        const auto [c, j0, r0, chunk_rows, w] = unit_of(u);
        l1 = std::min(l1, used_lanes(chunk_rows));
        if (l0 >= l1) return;
        for (int s = 0; s < kSums; ++s)
          std::fill(acc + s * lane_floats + l0 * w, acc + s * lane_floats + l1 * w, lane_identity<float>());
        for (int q = 0; q < chunk_rows; q += kReduceLanes)
          for (int l = l0; l < l1 && q + l < chunk_rows; ++l) add_row(r0 + q + l, j0, w, acc + l * w, lane_floats);
      },
      [&](std::int64_t u, float* acc) {
        const auto [c, j0, r0, chunk_rows, w] = unit_of(u);
        for (int s = 0; s < kSums; ++s) unit_fold(avx2, chunk_rows, w, acc + s * lane_floats, part(s) + c * cols + j0);
      });
  for (int s = 0; s < kSums; ++s) {
    if (chunks > 1)  // ORDER.md step 5: the chunk partials are the next level's terms
      column_sums(part(s), MatrixLayout::dense(chunks, cols), out[s], options);
    else
      for (std::int64_t j = 0; j < cols; ++j) out[s][j] = canonicalize(out[s][j]);
  }
}

}  // namespace detnum::detail
