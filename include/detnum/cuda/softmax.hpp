// Row-wise softmax, log-softmax and cross-entropy of a dense row-major float matrix in device
// memory: the same bits as detnum/softmax.hpp on the CPU (see there, and docs/ORDER.md "Row ops"),
// for every GPU and every LaunchConfig.
//
// Every call is queued on `stream` and returns without synchronizing. Pointers must be device
// (or managed, or mapped) memory. cross_entropy needs temporary storage, CUB-style: size it with
// cross_entropy_workspace_bytes and pass it in, or pass an empty Workspace and detnum takes and
// returns stream-ordered memory (cudaMallocAsync / cudaFreeAsync: no device-wide sync). No
// floating-point atomics.
// A row may have up to 2^39 elements (a warp keeps ORDER.md's levels in registers): more is an
// Error.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "detnum/cuda/id_check.hpp"
#include "detnum/cuda/launch.hpp"
#include "detnum/cuda/reduce.hpp"
#include "detnum/softmax.hpp"

namespace detnum::cuda {

void softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, cudaStream_t stream = nullptr,
             LaunchConfig launch = {});
void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                      cudaStream_t stream = nullptr, LaunchConfig launch = {});
// Causal masks as detnum/softmax.hpp defines them.
void causal_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, const CausalMask& mask,
                    cudaStream_t stream = nullptr, LaunchConfig launch = {});
void causal_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                             const CausalMask& mask, cudaStream_t stream = nullptr, LaunchConfig launch = {});
void log_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, cudaStream_t stream = nullptr,
                 LaunchConfig launch = {});
void log_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                          cudaStream_t stream = nullptr, LaunchConfig launch = {});

// Enough temporary storage for cross_entropy of rows x cols (any of the four forms): the per-row
// losses, their mean or sum, the labels' check and the count of rows kept.
std::size_t cross_entropy_workspace_bytes(std::int64_t rows, std::int64_t cols);
// loss: one float of device memory. Labels are device memory too, so they are not checked on
// the host (that would synchronize): a row whose label is outside [0, cols) (and not the ignored
// label, in the forms below that take one) gets a NaN loss term, hence a NaN *loss, and a row of
// NaN in dlogits. The CPU throws for such a label.
void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols, float* loss,
                   float* dlogits, cudaStream_t stream = nullptr, Workspace ws = {}, LaunchConfig launch = {});
// The same with the labels checked on the device (a memset and two small kernels more): with a
// label outside [0, cols) the call writes neither *loss nor dlogits, and check.throw_if_bad()
// later throws the CPU's error for the first such row (detnum/cuda/id_check.hpp). Good labels:
// the same bits.
void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols, float* loss,
                   float* dlogits, IdCheck& check, cudaStream_t stream = nullptr, Workspace ws = {},
                   LaunchConfig launch = {});
// Both, with options (detnum/softmax.hpp): an ignored label, label smoothing, the reduction.
// loss: rows floats of device memory for LossReduction::none, else one. The costs beyond the
// first two calls: with an ignored label and a mean, the rows kept are counted on the device
// before the rows' kernel (whose gradient divides by that count) and a last kernel divides the
// sum (a memset and two small kernels; with a check, as many as the second call); with label
// smoothing, a pass more over each row; per-row losses need no reduction. Name the options (a
// CrossEntropyOptions, or `{.ignore_index = -100}`): a bare `{}` or `{0}` in their place binds to
// the call without options, as loss (a null pointer), which is then an Error.
void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                   const CrossEntropyOptions& options, float* loss, float* dlogits, cudaStream_t stream = nullptr,
                   Workspace ws = {}, LaunchConfig launch = {});
void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                   const CrossEntropyOptions& options, float* loss, float* dlogits, IdCheck& check,
                   cudaStream_t stream = nullptr, Workspace ws = {}, LaunchConfig launch = {});

}  // namespace detnum::cuda
