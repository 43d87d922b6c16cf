// Embedding lookup and its gradient. The gradient is the op that atomics make irreproducible
// (scatter-add of rows into the table in whatever order threads arrive); here it is a segmented
// sum with a fixed order (docs/ORDER.md, "Embedding"): the gradient row of id v is the column
// sums, in the canonical reduction order, of the rows dout[r] with ids[r] == v taken in
// increasing r. So it depends on those rows alone: not on the thread count, the device, or the
// other ids of the batch. The CUDA version is in detnum/cuda/embedding.hpp.
#pragma once

#include <cstdint>

#include "detnum/threads.hpp"

namespace detnum {

// out[r][:] = table[ids[r]][:] for r < n: a copy (NaNs canonical). table: vocab x dim, out: n x dim,
// both dense row-major; every id in [0, vocab).
void embedding_forward(const float* table, std::int64_t vocab, std::int64_t dim, const std::int32_t* ids,
                       std::int64_t n, float* out, CpuOptions options = {});

// dtable[v][:] = the sums above for every v < vocab; +0 where v does not occur. Every row of
// dtable is written (it is not accumulated into).
void embedding_backward(const std::int32_t* ids, std::int64_t n, const float* dout, std::int64_t vocab,
                        std::int64_t dim, float* dtable, CpuOptions options = {});

namespace ref {
void embedding_forward(const float* table, std::int64_t vocab, std::int64_t dim, const std::int32_t* ids,
                       std::int64_t n, float* out);
void embedding_backward(const std::int32_t* ids, std::int64_t n, const float* dout, std::int64_t vocab,
                        std::int64_t dim, float* dtable);
}  // namespace ref

}  // namespace detnum
