// Deterministic reductions of a device vector: the same bits as detnum/reduce.hpp on the CPU
// (the canonical order of docs/ORDER.md), for every GPU and every LaunchConfig.
//
// Each call is queued on `stream` and returns without synchronizing; the result is written to
// `result`, device memory (one element). Temporary storage is the caller's, CUB-style: size it
// with reduce_workspace_bytes(n) and pass it in; or pass an empty Workspace and detnum takes and
// returns stream-ordered memory (cudaMallocAsync / cudaFreeAsync: no device-wide sync).
// No floating-point atomics: an integer ticket elects the block that finishes the reduction.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "detnum/cuda/launch.hpp"
#include "detnum/reduce.hpp"

namespace detnum::cuda {

struct Workspace {
  void* ptr = nullptr;    // device memory, at least reduce_workspace_bytes(n) bytes, 256-byte aligned, and
                          // apart from the call's inputs and outputs (else detnum::Error)
  std::size_t bytes = 0;  // 0: detnum allocates on the stream for this call
};

// Enough temporary storage for any reduction below of n elements.
std::size_t reduce_workspace_bytes(std::int64_t n);

template <Reducible T>
void sum(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream = nullptr, Workspace ws = {},
         LaunchConfig launch = {});
template <Reducible T>
void asum(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream = nullptr, Workspace ws = {},
          LaunchConfig launch = {});
template <Reducible T>
void dot(const T* x, const T* y, std::int64_t n, accum_t<T>* result, cudaStream_t stream = nullptr, Workspace ws = {},
         LaunchConfig launch = {});
template <Reducible T>
void nrm2(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream = nullptr, Workspace ws = {},
          LaunchConfig launch = {});
template <Reducible T>
void mean(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream = nullptr, Workspace ws = {},
          LaunchConfig launch = {});
template <Reducible T>
void variance(const T* x, std::int64_t n, Ddof ddof, accum_t<T>* result, cudaStream_t stream = nullptr,
              Workspace ws = {}, LaunchConfig launch = {});

template <Reducible T>
void max(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream = nullptr, Workspace ws = {},
         LaunchConfig launch = {});
template <Reducible T>
void min(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream = nullptr, Workspace ws = {},
         LaunchConfig launch = {});
template <Reducible T>
void amax(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream = nullptr, Workspace ws = {},
          LaunchConfig launch = {});
template <Reducible T>
void amin(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream = nullptr, Workspace ws = {},
          LaunchConfig launch = {});
template <Reducible T>
void argmax(const T* x, std::int64_t n, std::int64_t* result, cudaStream_t stream = nullptr, Workspace ws = {},
            LaunchConfig launch = {});
template <Reducible T>
void argmin(const T* x, std::int64_t n, std::int64_t* result, cudaStream_t stream = nullptr, Workspace ws = {},
            LaunchConfig launch = {});

// Axis sums (detnum/reduce.hpp): the same bits as row_sums / column_sums on the CPU. Fibers
// longer than one chunk (8192 elements) reduce their chunk partials in further launches, through
// workspace of row_sums_workspace_bytes(m) / column_sums_workspace_bytes(m) bytes. Rows need none
// when no row is longer than a chunk; columns also need up to 1 MiB whenever a level has at most
// 512 tiles of 32 columns x one chunk (its lanes are then spread over more blocks). Workspace{}
// means stream-ordered memory of the call, as above.
std::size_t row_sums_workspace_bytes(const MatrixLayout& m);
std::size_t column_sums_workspace_bytes(const MatrixLayout& m);
template <Reducible T>
void row_sums(const T* x, const MatrixLayout& m, accum_t<T>* out, cudaStream_t stream = nullptr, Workspace ws = {},
              LaunchConfig launch = {});
template <Reducible T>
void column_sums(const T* x, const MatrixLayout& m, accum_t<T>* out, cudaStream_t stream = nullptr, Workspace ws = {},
                 LaunchConfig launch = {});

}  // namespace detnum::cuda
