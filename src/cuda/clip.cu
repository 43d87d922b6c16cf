// Gradient clipping on CUDA: the bits of ref::clip_grad_norm (docs/ORDER.md, "Pointwise ops and
// AdamW") in a few launches for any number of tensors, and without a wait. The tensors' norms are
// nrm2_each's (cuda::nrm2's bits, up to 64 tensors a launch), N is cuda::nrm2 of those
// norms, and the scale takes up to 64 tensors a launch too (tensor_groups.cuh), each thread
// computing the coefficient from N in device memory with the CPU's function.
#include <cuda_runtime.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/memory_space.hpp"
#include "common/pointwise_checks.hpp"
#include "cuda/check.hpp"
#include "cuda/launch.hpp"
#include "cuda/nrm2_each.hpp"
#include "cuda/stream_workspace.hpp"
#include "cuda/tensor_groups.cuh"
#include "detnum/cuda/clip.hpp"

namespace detnum::cuda {
namespace {

// Every element times the coefficient, which each thread computes from N (device memory, final
// before the kernel starts) with the CPU's function.
__global__ void clip_scale_kernel(TensorGroup<GradTensor> g, const float* total_norm, float max_norm) {
  const GradTensor t = g.t[blockIdx.y];
  const float c = detail::clip_coefficient(*total_norm, max_norm);
  for_row_elements(t.n, [&](std::int64_t i) { t.data[i] = detail::clip_value(t.data[i], c); });
}

// The workspace: the tensors' norms (from its start), one block for N when the caller keeps it
// nowhere, then the norms' workspace (nrm2_each's, then cuda::nrm2's of the norms: one after the
// other on the stream, so the larger of the two).
struct Layout {
  std::size_t total, rest, bytes;
  explicit Layout(std::span<const GradTensor> grads) {
    total = workspace_round(grads.size() * sizeof(float));
    rest = total + kWorkspaceAlign;
    bytes = rest + std::max(nrm2_each_workspace_bytes(grads),
                            reduce_workspace_bytes(static_cast<std::int64_t>(grads.size())));
  }
};

}  // namespace

std::size_t clip_grad_norm_workspace_bytes(std::span<const GradTensor> grads) {
  for (std::size_t t = 0; t < grads.size(); ++t)  // sizes only: the data may be placeholders here
    if (grads[t].n < 0)
      detail::check_size("cuda::clip_grad_norm_workspace_bytes", "grads[" + std::to_string(t) + "].n", grads[t].n,
                         sizeof(float));
  return Layout(grads).bytes;
}

void clip_grad_norm(std::span<const GradTensor> grads, float max_norm, float* total_norm, cudaStream_t stream,
                    Workspace ws, LaunchConfig launch) {
  constexpr const char* fn = "cuda::clip_grad_norm";
  detail::check_clip(fn, grads, max_norm);
  detail::check_launch(fn, launch);
  for (std::size_t t = 0; t < grads.size(); ++t)
    if (grads[t].n > 0) detail::check_device_accessible(fn, detail::grad_name(t), grads[t].data, stream);
  const std::int64_t total_bytes = total_norm != nullptr ? std::int64_t{sizeof(float)} : 0;
  if (total_norm != nullptr) {
    detail::check_device_accessible(fn, "total_norm", total_norm, stream);
    for (std::size_t t = 0; t < grads.size(); ++t)
      if (grads[t].n > 0)
        detail::check_no_overlap(fn, "total_norm", total_norm, total_bytes, detail::grad_name(t), grads[t].data,
                                 grads[t].n * std::int64_t{sizeof(float)}, false);
  }
  const Layout at(grads);
  std::vector<std::string> names;  // the buffers a caller's workspace must keep apart from, named
  std::vector<CallBuffer> buffers;
  if (ws.bytes != 0) {
    for (std::size_t t = 0; t < grads.size(); ++t) names.push_back(detail::grad_name(t));
    for (std::size_t t = 0; t < grads.size(); ++t)
      buffers.push_back({names[t], grads[t].data, grads[t].n * std::int64_t{sizeof(float)}});
    buffers.push_back({"total_norm", total_norm, total_bytes});
  }
  StreamWorkspace w(fn, ws, at.bytes, "cuda::clip_grad_norm_workspace_bytes(grads)", stream, buffers);
  auto* const base = static_cast<unsigned char*>(w.get());
  auto* const norms = reinterpret_cast<float*>(base);
  float* const total = total_norm != nullptr ? total_norm : reinterpret_cast<float*>(base + at.total);
  nrm2_each(fn, grads, norms, base + at.rest, stream, launch);
  nrm2(static_cast<const float*>(norms), static_cast<std::int64_t>(grads.size()), total, stream,
       Workspace{base + at.rest, at.bytes - at.rest}, launch);
  launch_tensor_groups(fn, grads, clip_scale_kernel, stream, launch, total, max_norm);
}

}  // namespace detnum::cuda
