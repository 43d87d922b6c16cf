// The embedding lookup on CUDA, with the bits of src/cpu/embedding.cpp, and the ids' check that
// it shares with the gradient (embedding_ids.cuh says how a bad id is handled).
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "common/embedding_checks.hpp"
#include "common/memory_space.hpp"
#include "common/nn_rows_checks.hpp"
#include "cuda/check.hpp"
#include "cuda/embedding_ids.cuh"
#include "cuda/launch.hpp"
#include "cuda/stream_workspace.hpp"
#include "detnum/cuda/embedding.hpp"

namespace detnum::cuda {
namespace {

// The same for a call that has nothing to write.
__global__ void keep_bad_id_kernel(const unsigned long long* bad, const std::int32_t* ids, std::int64_t n,
                                   std::int64_t vocab, int call, IdCheckRecord* record) {
  stop_for_bad_id(bad, ids, n, vocab, call, record);
}

__global__ void check_ids_kernel(const std::int32_t* __restrict__ ids, std::int64_t n, std::int64_t vocab,
                                 unsigned long long* bad) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t r = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; r < n; r += stride)
    note_if_bad(ids[r], r, n, vocab, bad);
}

__global__ void forward_kernel(const float* __restrict__ table, std::int64_t vocab, std::int64_t dim,
                               const std::int32_t* __restrict__ ids, std::int64_t n, const unsigned long long* bad,
                               IdCheckRecord* record, float* __restrict__ out) {
  if (stop_for_bad_id(bad, ids, n, vocab, detail::kCallLookup, record)) return;
  const std::int64_t total = n * dim;
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += stride)
    out[e] = canonicalize(table[ids[e / dim] * dim + e % dim]);
}

// The CPU's error for the first bad row that `bad` notes (n - row; 0: none), once the stream has
// come to it: the one wait of a call without an IdCheck.
void throw_if_bad_id(const char* fn, const std::int32_t* ids, std::int64_t n, std::int64_t vocab,
                     const unsigned long long* bad, cudaStream_t stream) {
  unsigned long long noted = 0;
  DETNUM_CUDA_CHECK(fn, cudaMemcpyAsync(&noted, bad, sizeof noted, cudaMemcpyDefault, stream));
  DETNUM_CUDA_CHECK(fn, cudaStreamSynchronize(stream));
  if (noted == 0) return;
  const std::int64_t row = n - static_cast<std::int64_t>(noted);
  std::int32_t id = 0;
  DETNUM_CUDA_CHECK(fn, cudaMemcpyAsync(&id, ids + row, sizeof id, cudaMemcpyDefault, stream));
  DETNUM_CUDA_CHECK(fn, cudaStreamSynchronize(stream));
  detail::fail_id(fn, row, id, vocab);
}

}  // namespace
}  // namespace detnum::cuda

namespace detnum::detail {

void settle_ids(const char* fn, const std::int32_t* ids, std::int64_t n, std::int64_t vocab,
                const unsigned long long* bad, int call, IdCheckRecord* record, bool looked,
                cudaStream_t stream) {
  if (record == nullptr) return cuda::throw_if_bad_id(fn, ids, n, vocab, bad, stream);
  if (looked) return;
  cuda::keep_bad_id_kernel<<<1, 1, 0, stream>>>(bad, ids, n, vocab, call, record);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

void check_ids(const char* fn, const std::int32_t* ids, std::int64_t n, std::int64_t vocab, unsigned long long* bad,
               cudaStream_t stream) {
  DETNUM_CUDA_CHECK(fn, cudaMemsetAsync(bad, 0, sizeof(unsigned long long), stream));
  const int grid = grid_of(fn, reinterpret_cast<const void*>(cuda::check_ids_kernel), 256, (n + 255) / 256, {});
  cuda::check_ids_kernel<<<grid, 256, 0, stream>>>(ids, n, vocab, bad);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

}  // namespace detnum::detail

namespace detnum::cuda {
namespace {

void forward(const float* table, std::int64_t vocab, std::int64_t dim, const std::int32_t* ids, std::int64_t n,
             float* out, IdCheckRecord* record, cudaStream_t stream, LaunchConfig launch) {
  constexpr const char* fn = "cuda::embedding_forward";
  detail::check_embedding(fn, vocab, dim, ids, n, out, "out", table, "table");
  detail::check_launch(fn, launch);
  if (n == 0) return;
  detail::check_device_accessible(fn, "ids", ids, stream);
  detail::check_device_accessible(fn, "out", out, stream);
  if (vocab * dim > 0) detail::check_device_accessible(fn, "table", table, stream);
  StreamWorkspace word(fn, {}, sizeof(unsigned long long), "8", stream, {});
  auto* bad = static_cast<unsigned long long*>(word.get());
  check_ids(fn, ids, n, vocab, bad, stream);
  if (dim > 0) {
    const std::int64_t total = n * dim;
    const int grid = grid_of(fn, reinterpret_cast<const void*>(forward_kernel), launch.block_threads,
                             (total + launch.block_threads - 1) / launch.block_threads, launch);
    forward_kernel<<<grid, launch.block_threads, 0, stream>>>(table, vocab, dim, ids, n, bad, record, out);
    DETNUM_CUDA_CHECK(fn, cudaGetLastError());
  }
  settle_ids(fn, ids, n, vocab, bad, detail::kCallLookup, record, dim > 0, stream);
}

}  // namespace

IdCheck::IdCheck() {
  constexpr const char* fn = "cuda::IdCheck";
  DETNUM_CUDA_CHECK(fn, cudaGetDevice(&device_));
  DETNUM_CUDA_CHECK(fn, cudaMalloc(&record_, sizeof(IdCheckRecord)));
  // Zeroed before any stream's work may use it (a memset on the legacy stream is not ordered
  // with non-blocking streams).
  cudaError_t e = cudaMemset(record_, 0, sizeof(IdCheckRecord));
  if (e == cudaSuccess) e = cudaStreamSynchronize(nullptr);
  if (e != cudaSuccess) {
    (void)cudaFree(record_);
    DETNUM_CUDA_CHECK(fn, e);
  }
}

IdCheck::~IdCheck() {
  if (record_ != nullptr) (void)cudaFree(record_);
}

IdCheck::IdCheck(IdCheck&& other) noexcept
    : record_(std::exchange(other.record_, nullptr)), stream_(other.stream_), device_(other.device_) {}

IdCheck& IdCheck::operator=(IdCheck&& other) noexcept {
  if (this != &other) {
    if (record_ != nullptr) (void)cudaFree(record_);
    record_ = std::exchange(other.record_, nullptr);
    stream_ = other.stream_;
    device_ = other.device_;
  }
  return *this;
}

void IdCheck::throw_if_bad() {
  constexpr const char* fn = "cuda::IdCheck::throw_if_bad";
  detail::require_record(record_, fn);
  // The check's device is made current meanwhile (the legacy stream, nullptr, is the current
  // device's), and the caller's restored after.
  int caller_device = 0;
  DETNUM_CUDA_CHECK(fn, cudaGetDevice(&caller_device));
  DETNUM_CUDA_CHECK(fn, cudaSetDevice(device_));
  struct Restore {
    int device;
    ~Restore() { (void)cudaSetDevice(device); }
  } const restore{caller_device};
  // Read and cleared on the calls' stream, in their order.
  IdCheckRecord r{};
  DETNUM_CUDA_CHECK(fn, cudaMemcpyAsync(&r, record_, sizeof r, cudaMemcpyDefault, stream_));
  DETNUM_CUDA_CHECK(fn, cudaMemsetAsync(record_, 0, sizeof r, stream_));
  DETNUM_CUDA_CHECK(fn, cudaStreamSynchronize(stream_));
  if (r.noted == 0) return;
  if (r.call == detail::kCallCrossEntropy) detail::fail_label("cuda::cross_entropy", r.row, r.id, r.vocab, r.ignore);
  detail::fail_id(r.call == detail::kCallGradient ? "cuda::embedding_backward" : "cuda::embedding_forward", r.row, r.id,
                  r.vocab);
}

void embedding_forward(const float* table, std::int64_t vocab, std::int64_t dim, const std::int32_t* ids,
                       std::int64_t n, float* out, cudaStream_t stream, LaunchConfig launch) {
  forward(table, vocab, dim, ids, n, out, nullptr, stream, launch);
}

void embedding_forward(const float* table, std::int64_t vocab, std::int64_t dim, const std::int32_t* ids,
                       std::int64_t n, float* out, IdCheck& check, cudaStream_t stream, LaunchConfig launch) {
  forward(table, vocab, dim, ids, n, out, IdCheckAccess::record(check, "cuda::embedding_forward"), stream, launch);
  IdCheckAccess::queued_on(check, stream);
}

}  // namespace detnum::cuda
