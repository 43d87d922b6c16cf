// The losses on CUDA: one grid-stride kernel per loss writes each term (into the workspace, or into
// loss for per-element losses) and the gradient, with the element steps of detail/loss_order.hpp;
// then cuda::mean or cuda::sum reduces the terms in the canonical order. The launch shape
// changes which thread takes an element, never a bit.
#include <cuda_runtime.h>

#include "common/nn_rows_checks.hpp"
#include "cuda/check.hpp"
#include "cuda/launch.hpp"
#include "cuda/stream_workspace.hpp"
#include "detnum/cuda/loss.hpp"
#include "detnum/detail/loss_order.hpp"

namespace detnum::cuda {
namespace {

template <class L>
__global__ void loss_kernel(const float* __restrict__ x, const float* __restrict__ target, std::int64_t n, float c,
                            float* __restrict__ terms, float* __restrict__ dx) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t j = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < n; j += stride) {
    const float a = x[j], t = target[j];
    terms[j] = canonicalize(L::term(a, t));
    if (dx != nullptr) dx[j] = canonicalize(L::grad(a, t, c));
  }
}

template <class L>
void elementwise_loss(const char* fn, const float* x, const float* target, std::int64_t n, LossReduction reduction,
                      float* loss, float* dx, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  detail::check_loss_call(fn, x, target, n, reduction, loss, dx, detail::device_reader(stream));
  detail::check_launch(fn, launch);
  const bool per_element = reduction == LossReduction::none;
  const std::int64_t bytes = n * std::int64_t{sizeof(float)};
  const std::size_t need = per_element ? 0 : loss_workspace_bytes(n);
  StreamWorkspace w(fn, ws, need, "cuda::loss_workspace_bytes(n)", stream,
                    {{"x", x, bytes},
                     {"target", target, bytes},
                     {"loss", loss, per_element ? bytes : std::int64_t{sizeof(float)}},
                     {"dx", dx, dx ? bytes : 0}});
  auto* const base = static_cast<unsigned char*>(w.get());
  float* const terms = per_element ? loss : reinterpret_cast<float*>(base);
  if (n > 0) {
    const auto kernel = loss_kernel<L>;
    const int grid = detail::grid_of(fn, reinterpret_cast<const void*>(kernel), launch.block_threads,
                                     (n + launch.block_threads - 1) / launch.block_threads, launch);
    kernel<<<grid, launch.block_threads, 0, stream>>>(x, target, n, L::grad_scalar(reduction, n), terms, dx);
    DETNUM_CUDA_CHECK(fn, cudaGetLastError());
  }
  if (per_element) return;
  const std::size_t terms_bytes = workspace_round(static_cast<std::size_t>(bytes));
  const Workspace reduce_ws{base + terms_bytes, need - terms_bytes};
  if (reduction == LossReduction::mean) mean(terms, n, loss, stream, reduce_ws, launch);
  else sum(terms, n, loss, stream, reduce_ws, launch);
}

}  // namespace

std::size_t loss_workspace_bytes(std::int64_t n) {
  detail::check_size("cuda::loss_workspace_bytes", "n", n, sizeof(float));
  return workspace_round(static_cast<std::size_t>(n) * sizeof(float)) + reduce_workspace_bytes(n);
}

void mse_loss(const float* x, const float* target, std::int64_t n, LossReduction reduction, float* loss, float* dx,
              cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  elementwise_loss<detail::MseLoss>("cuda::mse_loss", x, target, n, reduction, loss, dx, stream, ws, launch);
}

void binary_cross_entropy_with_logits(const float* x, const float* target, std::int64_t n, LossReduction reduction,
                                      float* loss, float* dx, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  elementwise_loss<detail::BceWithLogitsLoss>("cuda::binary_cross_entropy_with_logits", x, target, n, reduction, loss,
                                              dx, stream, ws, launch);
}

}  // namespace detnum::cuda
