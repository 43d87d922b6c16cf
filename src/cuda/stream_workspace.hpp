// Temporary device memory of one call: the caller's Workspace (checked: not null, device memory,
// large enough, 256-byte aligned) or, when the caller passes Workspace{}, stream-ordered memory
// taken with cudaMallocAsync and returned with cudaFreeAsync on the call's stream (no device-wide
// synchronization). Nothing at all when the call needs no bytes.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/memory_space.hpp"
#include "common/validate.hpp"
#include "cuda/check.hpp"
#include "detnum/cuda/reduce.hpp"

namespace detnum::cuda {

inline constexpr std::size_t kWorkspaceAlign = 256;

class StreamWorkspace {
 public:
  // need_name says how the caller sizes it, for the error message ("gemm_workspace_bytes(m, n, k, batch)").
  StreamWorkspace(const char* fn, Workspace ws, std::size_t need, std::string_view need_name, cudaStream_t stream)
      : stream_(stream) {
    if (need == 0) return;
    if (ws.bytes == 0) {
      DETNUM_CUDA_CHECK(fn, cudaMallocAsync(&ptr_, need, stream));
      owned_ = true;
      return;
    }
    detail::check_not_null(fn, "ws.ptr", ws.ptr, 1);
    detail::check_device_accessible(fn, "ws.ptr", ws.ptr);
    if (ws.bytes < need)
      detail::fail(ErrorCode::invalid_argument, fn,
                   "ws.bytes must be at least " + std::string(need_name) + " = " + std::to_string(need) + ", got " +
                       std::to_string(ws.bytes));
    if (reinterpret_cast<std::uintptr_t>(ws.ptr) % kWorkspaceAlign != 0)
      detail::fail(ErrorCode::invalid_argument, fn,
                   "ws.ptr must be 256-byte aligned, got address " +
                       std::to_string(reinterpret_cast<std::uintptr_t>(ws.ptr)));
    ptr_ = ws.ptr;
  }
  ~StreamWorkspace() {
    if (owned_ && cudaFreeAsync(ptr_, stream_) != cudaSuccess) (void)cudaGetLastError();
  }
  StreamWorkspace(const StreamWorkspace&) = delete;
  StreamWorkspace& operator=(const StreamWorkspace&) = delete;
  void* get() const { return ptr_; }

 private:
  void* ptr_ = nullptr;
  cudaStream_t stream_;
  bool owned_ = false;
};

}  // namespace detnum::cuda
