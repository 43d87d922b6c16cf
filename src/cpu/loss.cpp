// The fast CPU path of the losses: the terms (and the gradient) computed elementwise as the
// reference does, on the options' threads, a chunk of ORDER.md's reduction at a time: each
// chunk's terms go into a thread's buffer of one chunk (in L1/L2, not a vector of n floats) and
// are summed there by the chunk kernel; the chunks' partials are then reduced as ORDER.md step 5
// says. So the mean and the sum have the bits of detnum::mean and detnum::sum of the terms.
#include <algorithm>
#include <array>
#include <vector>

#include "common/nn_rows_checks.hpp"
#include "cpu/cpu_features.hpp"
#include "cpu/loss_avx2.hpp"
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

// A loss's hand-written AVX2 loop (loss_avx2.hpp's form), for the losses whose exp and log the
// compiler does not vectorize: the same bits as the element steps.
using LossAvx2 = void (*)(const float* x, const float* t, std::int64_t n, float c, float* terms, float* dx);

// L's terms and gradient for j in [begin, end): terms[j - begin], dx[j]; by avx2_loop where it
// may run (not null, and the options allow AVX2).
template <class L>
void loss_elements(const float* x, const float* target, std::int64_t begin, std::int64_t end, float c, float* terms,
                   float* dx, LossAvx2 avx2_loop) {
  if (avx2_loop) return avx2_loop(x + begin, target + begin, end - begin, c, terms, dx ? dx + begin : nullptr);
  for (std::int64_t j = begin; j < end; ++j) terms[j - begin] = canonicalize(L::term(x[j], target[j]));
  if (dx)
    for (std::int64_t j = begin; j < end; ++j) dx[j] = canonicalize(L::grad(x[j], target[j], c));
}

template <class L>
void elementwise_loss(const char* fn, const float* x, const float* target, std::int64_t n, LossReduction reduction,
                      float* loss, float* dx, CpuOptions options, LossAvx2 avx2_loop = nullptr) {
  const CpuOptions o = detail::resolve_cpu_options(fn, options);
  detail::check_loss_call(fn, x, target, n, reduction, loss, dx, detail::kHostReader);
  const LossAvx2 loop = detail::use_avx2(o) ? avx2_loop : nullptr;
  const float c = L::grad_scalar(reduction, n);
  if (reduction == LossReduction::none) {  // the terms are the outputs
    detail::parallel_ranges(n, kGrainChunks * kReduceChunk, o.threads, [&](std::int64_t begin, std::int64_t end) {
      loss_elements<L>(x, target, begin, end, c, loss + begin, dx, loop);
    });
    return;
  }
  const std::int64_t chunks = detail::reduce_chunks(n);
  std::vector<float> partials(static_cast<std::size_t>(chunks));
  const detail::ChunkSum<float> chunk_sum = detail::chunk_sum_kernel<float>(o);
  detail::parallel_ranges(chunks, kGrainChunks, o.threads, [&](std::int64_t first, std::int64_t last) {
    std::array<float, kReduceChunk> terms;
    for (std::int64_t k = first; k < last; ++k) {
      const std::int64_t begin = k * kReduceChunk, end = std::min(n, begin + kReduceChunk);
      loss_elements<L>(x, target, begin, end, c, terms.data(), dx, loop);
      partials[k] = chunk_sum(terms.data(), end - begin);
    }
  });
  // ORDER.md step 5: one chunk's partial is the sum; more are reduced as a vector of their own.
  const float total = chunks == 0 ? 0.0f : chunks == 1 ? partials[0] : detail::canonical_sum(partials.data(), chunks, o);
  *loss = canonicalize(reduction == LossReduction::mean ? total / static_cast<float>(n) : total);
}

}  // namespace

void mse_loss(const float* x, const float* target, std::int64_t n, LossReduction reduction, float* loss, float* dx,
              CpuOptions options) {
  elementwise_loss<detail::MseLoss>("mse_loss", x, target, n, reduction, loss, dx, options);
}

void binary_cross_entropy_with_logits(const float* x, const float* target, std::int64_t n, LossReduction reduction,
                                      float* loss, float* dx, CpuOptions options) {
  elementwise_loss<detail::BceWithLogitsLoss>("binary_cross_entropy_with_logits", x, target, n, reduction, loss, dx,
                                              options, detail::bce_with_logits_avx2);
}

}  // namespace detnum
