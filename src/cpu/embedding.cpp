// Embedding lookup and its gradient on the CPU: the reference (the rows of each id gathered in
// increasing order and reduced by ref::column_sums) and the fast path (ids split between threads;
// a segment of one row read in place, longer ones gathered and reduced on one thread).
#include <algorithm>
#include <cstring>
#include <vector>

#include "common/embedding_checks.hpp"
#include "common/memory_space.hpp"
#include "cpu/cpu_features.hpp"
#include "cpu/embedding_segments.hpp"
#include "cpu/parallel.hpp"
#include "detnum/embedding.hpp"
#include "detnum/detail/reduce_order.hpp"
#include "detnum/reduce.hpp"

namespace detnum {
namespace {

constexpr std::int64_t kIdGrain = 64;  // ids per unit of work

void check_forward(const char* fn, const float* table, std::int64_t vocab, std::int64_t dim, const std::int32_t* ids,
                   std::int64_t n, const float* out) {
  detail::check_embedding(fn, vocab, dim, ids, n, out, "out", table, "table");
  if (n > 0) {
    detail::check_host_accessible(fn, "ids", ids);
    detail::check_host_accessible(fn, "out", out);
    if (vocab * dim > 0) detail::check_host_accessible(fn, "table", table);
  }
  detail::check_ids(fn, ids, n, vocab);
}

void check_backward(const char* fn, const std::int32_t* ids, std::int64_t n, const float* dout, std::int64_t vocab,
                    std::int64_t dim, const float* dtable) {
  detail::check_embedding(fn, vocab, dim, ids, n, dout, "dout", dtable, "dtable");
  if (n > 0) {
    detail::check_host_accessible(fn, "ids", ids);
    if (dim > 0) detail::check_host_accessible(fn, "dout", dout);
  }
  if (vocab * dim > 0) detail::check_host_accessible(fn, "dtable", dtable);
  detail::check_ids(fn, ids, n, vocab);
}

// Rows r0 .. r1 - 1 of the lookup, compiled for the baseline ISA and, inlined, for AVX2 (the
// canonical-NaN select eight lanes at a time).
[[gnu::always_inline]] inline void copy_rows(const float* __restrict table, std::int64_t dim,
                                             const std::int32_t* __restrict ids, std::int64_t r0, std::int64_t r1,
                                             float* __restrict out) {
  for (std::int64_t r = r0; r < r1; ++r) {
    const float* __restrict row = table + ids[r] * dim;
    float* __restrict dst = out + r * dim;
    for (std::int64_t d = 0; d < dim; ++d) dst[d] = canonicalize(row[d]);
  }
}
[[gnu::target("avx2")]] void copy_rows_avx2(const float* table, std::int64_t dim, const std::int32_t* ids,
                                            std::int64_t r0, std::int64_t r1, float* out) {
  copy_rows(table, dim, ids, r0, r1, out);
}

// ORDER.md's R of each column of a rows x dim matrix of at most one chunk, in place, a row at a
// time: row l (l < 128) is lane l. A lane starts at -0 and takes its first element, which is
// that element exactly, so row l holds it already; later elements l + 128, l + 256, ... are added
// in order; then the lanes fold in halves, skipping partners past the last row (lanes that hold
// only -0, whose addition changes nothing). Cheaper than column_sums' general blocks for the
// short segments of an embedding gradient.
void one_chunk_column_sums(float* x, std::int64_t rows, std::int64_t dim, float* out) {
  const std::int64_t lanes = std::min<std::int64_t>(rows, detail::kReduceLanes);
  const auto add_row = [&](std::int64_t to, std::int64_t from) {
    for (std::int64_t d = 0; d < dim; ++d) x[to * dim + d] = x[to * dim + d] + x[from * dim + d];
  };
  for (std::int64_t l = 0; l < lanes; ++l)
    for (std::int64_t r = l + detail::kReduceLanes; r < rows; r += detail::kReduceLanes) add_row(l, r);
  for (std::int64_t h = detail::kReduceLanes / 2; h >= 1; h /= 2)
    for (std::int64_t l = 0; l < h && l + h < lanes; ++l) add_row(l, l + h);
  for (std::int64_t d = 0; d < dim; ++d) out[d] = canonicalize(x[d]);
}

// Segment v's rows of dout, in increasing order, as a dense count x dim matrix in scratch.
void gather_segment(const detail::IdSegments& s, const float* dout, std::int64_t dim, std::int64_t v,
                    std::vector<float>& scratch) {
  const std::int64_t begin = s.start[v], count = s.start[v + 1] - begin;
  scratch.resize(static_cast<std::size_t>(count * dim));
  for (std::int64_t k = 0; k < count; ++k) std::copy_n(dout + s.rows[begin + k] * dim, dim, scratch.data() + k * dim);
}

// The fast path's dtable rows [v0, v1): zeroed in one pass, then each id with rows gets its sum:
// a single row is its own sum (-0 + x = x, then canonicalized), read in place; longer segments
// are gathered and folded.
void fast_segment_sums(const detail::IdSegments& s, const float* dout, std::int64_t dim, std::int64_t v0,
                       std::int64_t v1, float* dtable, CpuSimd simd) {
  std::memset(dtable + v0 * dim, 0, static_cast<std::size_t>((v1 - v0) * dim) * sizeof(float));
  std::vector<float> scratch;
  for (std::int64_t v = v0; v < v1; ++v) {
    const std::int64_t count = s.start[v + 1] - s.start[v];
    float* out = dtable + v * dim;
    if (count == 0) continue;
    if (count == 1) {
      const float* row = dout + s.rows[s.start[v]] * dim;
      for (std::int64_t d = 0; d < dim; ++d) out[d] = canonicalize(row[d]);
      continue;
    }
    gather_segment(s, dout, dim, v, scratch);
    if (count > detail::kReduceChunk)
      column_sums(scratch.data(), MatrixLayout::dense(count, dim), out, CpuOptions{1, simd});
    else
      one_chunk_column_sums(scratch.data(), count, dim, out);
  }
}

}  // namespace

void embedding_forward(const float* table, std::int64_t vocab, std::int64_t dim, const std::int32_t* ids,
                       std::int64_t n, float* out, CpuOptions options) {
  constexpr const char* fn = "embedding_forward";
  check_forward(fn, table, vocab, dim, ids, n, out);
  const CpuOptions o = detail::resolve_cpu_options(fn, options);
  const bool avx2 = detail::use_avx2(o);
  detail::parallel_ranges(n, std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(dim, 1)), o.threads,
                          [&](std::int64_t r0, std::int64_t r1) {
                            if (avx2) copy_rows_avx2(table, dim, ids, r0, r1, out);
                            else copy_rows(table, dim, ids, r0, r1, out);
                          });
}

void embedding_backward(const std::int32_t* ids, std::int64_t n, const float* dout, std::int64_t vocab,
                        std::int64_t dim, float* dtable, CpuOptions options) {
  constexpr const char* fn = "embedding_backward";
  check_backward(fn, ids, n, dout, vocab, dim, dtable);
  const CpuOptions o = detail::resolve_cpu_options(fn, options);
  if (dim == 0) return;
  const detail::IdSegments s = detail::id_segments(ids, n, vocab);
  detail::parallel_ranges(vocab, kIdGrain, o.threads, [&](std::int64_t v0, std::int64_t v1) {
    fast_segment_sums(s, dout, dim, v0, v1, dtable, o.simd);
  });
}

namespace ref {

void embedding_forward(const float* table, std::int64_t vocab, std::int64_t dim, const std::int32_t* ids,
                       std::int64_t n, float* out) {
  check_forward("ref::embedding_forward", table, vocab, dim, ids, n, out);
  copy_rows(table, dim, ids, 0, n, out);
}

void embedding_backward(const std::int32_t* ids, std::int64_t n, const float* dout, std::int64_t vocab,
                        std::int64_t dim, float* dtable) {
  check_backward("ref::embedding_backward", ids, n, dout, vocab, dim, dtable);
  if (dim == 0) return;
  const detail::IdSegments s = detail::id_segments(ids, n, vocab);
  std::vector<float> scratch;
  for (std::int64_t v = 0; v < vocab; ++v) {
    const std::int64_t count = s.start[v + 1] - s.start[v];
    float* out = dtable + v * dim;
    if (count == 0) {
      std::fill(out, out + dim, 0.0f);
      continue;
    }
    gather_segment(s, dout, dim, v, scratch);
    ref::column_sums(scratch.data(), MatrixLayout::dense(count, dim), out);
  }
}

}  // namespace ref
}  // namespace detnum
