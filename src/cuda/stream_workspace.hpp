// Temporary device memory of one call: the caller's Workspace (checked: not null, device memory,
// large enough, 256-byte aligned, apart from the call's buffers) or, when the caller passes
// Workspace{}, stream-ordered memory
// taken with cudaMallocAsync and returned with cudaFreeAsync on the call's stream (no device-wide
// synchronization). Nothing at all when the call needs no bytes.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "common/memory_space.hpp"
#include "common/validate.hpp"
#include "cuda/check.hpp"
#include "detnum/cuda/reduce.hpp"

namespace detnum::cuda {

inline constexpr std::size_t kWorkspaceAlign = 256;

// bytes rounded up to whole blocks of kWorkspaceAlign: each part of a call's workspace starts on
// such a block.
constexpr std::size_t workspace_round(std::size_t bytes) {
  return (bytes + kWorkspaceAlign - 1) / kWorkspaceAlign * kWorkspaceAlign;
}

// One of a call's inputs or outputs (its first byte and size in bytes), which the part of the
// caller's workspace that the call uses must not overlap: the workspace is written while inputs
// are still read and before outputs are.
struct CallBuffer {
  std::string_view name;
  const void* ptr;
  std::int64_t bytes;
};

inline void check_workspace_apart(const char* fn, const void* ws, std::size_t need,
                                  std::span<const CallBuffer> buffers) {
  for (const CallBuffer& b : buffers)
    detail::check_no_overlap(fn, "ws.ptr", ws, static_cast<std::int64_t>(need), b.name, b.ptr, b.bytes, false);
}

// The caller's workspace of a call that needs `need` bytes: not null, device memory, large enough
// (need_name says how the caller sizes it, for the error message:
// "gemm_workspace_bytes(m, n, k, batch)"), 256-byte aligned, apart from the call's buffers.
inline void check_caller_workspace(const char* fn, Workspace ws, std::size_t need, std::string_view need_name,
                                   cudaStream_t stream, std::span<const CallBuffer> buffers) {
  detail::check_not_null(fn, "ws.ptr", ws.ptr, 1);
  detail::check_device_accessible(fn, "ws.ptr", ws.ptr, stream);
  if (ws.bytes < need)
    detail::fail(ErrorCode::invalid_argument, fn,
                 "ws.bytes must be at least " + std::string(need_name) + " = " + std::to_string(need) + ", got " +
                     std::to_string(ws.bytes));
  if (reinterpret_cast<std::uintptr_t>(ws.ptr) % kWorkspaceAlign != 0)
    detail::fail(ErrorCode::invalid_argument, fn,
                 "ws.ptr must be 256-byte aligned, got address " +
                     std::to_string(reinterpret_cast<std::uintptr_t>(ws.ptr)));
  check_workspace_apart(fn, ws.ptr, need, buffers);
}

class StreamWorkspace {
 public:
  StreamWorkspace(const char* fn, Workspace ws, std::size_t need, std::string_view need_name, cudaStream_t stream,
                  std::initializer_list<CallBuffer> buffers)
      : StreamWorkspace(fn, ws, need, need_name, stream, std::span<const CallBuffer>(buffers.begin(), buffers.size())) {}
  StreamWorkspace(const char* fn, Workspace ws, std::size_t need, std::string_view need_name, cudaStream_t stream,
                  std::span<const CallBuffer> buffers)
      : stream_(stream) {
    if (need == 0) return;
    if (ws.bytes == 0) {
      DETNUM_CUDA_CHECK(fn, cudaMallocAsync(&ptr_, need, stream));
      owned_ = true;
      return;
    }
    check_caller_workspace(fn, ws, need, need_name, stream, buffers);
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
