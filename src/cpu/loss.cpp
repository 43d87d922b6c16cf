// The fast CPU path of the losses: the terms (and the gradient) computed elementwise as the
// reference does, on the options' threads, a chunk of ORDER.md's reduction at a time: each
// chunk's terms go into a thread's buffer of one chunk (in L1/L2, not a vector of n floats) and
// are summed there by the chunk kernel; the chunks' partials are then reduced as ORDER.md step 5
// says. So the mean and the sum have the bits of detnum::mean and detnum::sum of the terms.
#include <algorithm>
#include <array>
#include <vector>

#include "common/nn_rows_checks.hpp"
#include "cpu/parallel.hpp"
#include "cpu/reduce_cpu.hpp"
#include "detnum/detail/loss_order.hpp"
#include "detnum/detail/reduce_order.hpp"
#include "detnum/loss.hpp"

namespace detnum {
namespace {

using detail::kReduceChunk;

// Chunks per unit of work: a few operations an element, so a thread's start (~3 µs) pays off
// over a few chunks.
constexpr std::int64_t kGrainChunks = 2;

// x - t squared, and the gradient, for j in [begin, end): terms[j - begin], dx[j].
void mse_elements(const float* x, const float* target, std::int64_t begin, std::int64_t end, float factor, float* terms,
                  float* dx) {
  for (std::int64_t j = begin; j < end; ++j) terms[j - begin] = canonicalize(detail::mse_term(x[j], target[j]));
  if (dx)
    for (std::int64_t j = begin; j < end; ++j) dx[j] = canonicalize(detail::mse_grad(x[j], target[j], factor));
}

}  // namespace

void mse_loss(const float* x, const float* target, std::int64_t n, LossReduction reduction, float* loss, float* dx,
              CpuOptions options) {
  constexpr const char* fn = "mse_loss";
  const CpuOptions o = detail::resolve_cpu_options(fn, options);
  detail::check_mse_call(fn, x, target, n, reduction, loss, dx, detail::kHostReader);
  const float factor = detail::mse_grad_factor(reduction, n);
  if (reduction == LossReduction::none) {  // the terms are the outputs
    detail::parallel_ranges(n, kGrainChunks * kReduceChunk, o.threads, [&](std::int64_t begin, std::int64_t end) {
      mse_elements(x, target, begin, end, factor, loss + begin, dx);
    });
    return;
  }
  const std::int64_t chunks = detail::reduce_chunks(n);
  std::vector<float> partials(static_cast<std::size_t>(chunks));
  const detail::ChunkSum<float> chunk_sum = detail::chunk_sum_kernel<float>(o);
  detail::parallel_ranges(chunks, kGrainChunks, o.threads, [&](std::int64_t first, std::int64_t last) {
    std::array<float, kReduceChunk> terms;
    for (std::int64_t c = first; c < last; ++c) {
      const std::int64_t begin = c * kReduceChunk, end = std::min(n, begin + kReduceChunk);
      mse_elements(x, target, begin, end, factor, terms.data(), dx);
      partials[c] = chunk_sum(terms.data(), end - begin);
    }
  });
  // ORDER.md step 5: one chunk's partial is the sum; more are reduced as a vector of their own.
  const float total = chunks == 0 ? 0.0f : chunks == 1 ? partials[0] : detail::canonical_sum(partials.data(), chunks, o);
  *loss = canonicalize(reduction == LossReduction::mean ? total / static_cast<float>(n) : total);
}

}  // namespace detnum
