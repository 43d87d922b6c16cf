// Memory-space checks with the CUDA runtime, and the CUDA error path.
#include <link.h>

#include <atomic>
#include <cstring>
#include <string>
#include <vector>

#include "common/memory_space.hpp"
#include "common/validate.hpp"
#include "cuda/check.hpp"

namespace detnum::detail {

void throw_cuda_error(std::string_view fn, const char* call, cudaError_t err, const char* file, int line) {
  (void)cudaGetLastError();  // clear a non-sticky error so the caller's next CUDA call is unaffected
  fail(ErrorCode::cuda_error, fn,
       std::string(call) + " failed: " + cudaGetErrorString(err) + " (" + cudaGetErrorName(err) + ") at " + file + ":" +
           std::to_string(line));
}

namespace {
// Device memory can only exist once the CUDA driver is loaded into the process, so a CPU call
// in a process that never touched CUDA is answered without asking CUDA. Walking the loaded
// objects makes no system call; once the driver is seen it stays loaded, so that is cached.
bool cuda_driver_loaded() {
  static std::atomic<bool> seen{false};
  if (seen.load(std::memory_order_relaxed)) return true;
  const bool loaded = dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void*) {
        const char* slash = info->dlpi_name ? std::strrchr(info->dlpi_name, '/') : nullptr;
        const char* base = slash ? slash + 1 : info->dlpi_name;
        return base && std::strncmp(base, "libcuda.so", 10) == 0 ? 1 : 0;
      },
      nullptr) != 0;
  if (loaded) seen.store(true, std::memory_order_relaxed);
  return loaded;
}

std::string address(const void* ptr) { return std::to_string(reinterpret_cast<std::uintptr_t>(ptr)); }

// What the capture on `stream` knows of ptr: the capture's state, and while it is active the
// device of the graph's allocation that holds ptr (-1: none). A cudaMallocAsync during a capture
// becomes an allocation node whose address has memory only while the graph runs, so until then
// cudaPointerGetAttributes calls it unregistered host memory. Asked only of such pointers (it
// walks the graph's nodes), after the check for a pending error, so the errors these queries may
// leave (the legacy stream asked during another stream's global capture) are cleared. (An
// allocation that the capture has already freed still counts: the graph's order is not read.)
struct InCapture {
  cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
  int device = -1;
};
InCapture find_in_capture(cudaStream_t stream, const void* ptr) {
  InCapture found;
  cudaGraph_t graph = nullptr;
  std::size_t count = 0;
  std::vector<cudaGraphNode_t> nodes;
  if (cudaStreamGetCaptureInfo(stream, &found.status, nullptr, &graph) != cudaSuccess)
    found.status = cudaStreamCaptureStatusNone;
  if (found.status == cudaStreamCaptureStatusActive && cudaGraphGetNodes(graph, nullptr, &count) == cudaSuccess) {
    nodes.resize(count);
    if (count > 0 && cudaGraphGetNodes(graph, nodes.data(), &count) != cudaSuccess) count = 0;
  }
  const auto at = reinterpret_cast<std::uintptr_t>(ptr);
  for (std::size_t i = 0; i < count && found.device < 0; ++i) {
    cudaGraphNodeType type{};
    cudaMemAllocNodeParams alloc{};
    if (cudaGraphNodeGetType(nodes[i], &type) != cudaSuccess || type != cudaGraphNodeTypeMemAlloc ||
        cudaGraphMemAllocNodeGetParams(nodes[i], &alloc) != cudaSuccess)
      continue;
    const auto begin = reinterpret_cast<std::uintptr_t>(alloc.dptr);
    if (at >= begin && at - begin < alloc.bytesize) found.device = alloc.poolProps.location.id;
  }
  (void)cudaGetLastError();
  return found;
}

// Memory of `device` must be the current device's, or a peer's it can access.
void check_reachable(std::string_view fn, std::string_view name, int device) {
  int current = 0;
  DETNUM_CUDA_CHECK(fn, cudaGetDevice(&current));
  if (device == current) return;
  int peer = 0;
  DETNUM_CUDA_CHECK(fn, cudaDeviceCanAccessPeer(&peer, current, device));
  if (peer) return;  // whether access was enabled is the caller's to arrange
  fail(ErrorCode::wrong_memory_space, fn,
       std::string(name) + " must be memory the current device " + std::to_string(current) +
           " can access, got a pointer to device " + std::to_string(device));
}
}  // namespace

void check_host_accessible(std::string_view fn, std::string_view name, const void* ptr) {
  if (ptr == nullptr || !cuda_driver_loaded()) return;
  cudaPointerAttributes attr{};
  if (cudaPointerGetAttributes(&attr, ptr) != cudaSuccess) {
    (void)cudaGetLastError();  // the driver does not know this pointer: host memory
    return;
  }
  if (attr.type == cudaMemoryTypeDevice)
    fail(ErrorCode::wrong_memory_space, fn,
         std::string(name) + " must be host memory (use detnum::cuda:: for device memory), got device pointer " +
             address(ptr) + " on device " + std::to_string(attr.device));
}

void check_device_accessible(std::string_view fn, std::string_view name, const void* ptr, CUstream_st* stream) {
  if (ptr == nullptr) return;
  cudaPointerAttributes attr{};
  DETNUM_CUDA_CHECK(fn, cudaPointerGetAttributes(&attr, ptr));  // (no driver, no device: this fails first)
  // Every CUDA entry point checks its device pointers before its first launch, so this is where
  // an error left pending by earlier work is caught: otherwise the check after this call's own
  // launch would report it as this call's, after the kernel had written its outputs.
  if (const cudaError_t pending = cudaPeekAtLastError(); pending != cudaSuccess)
    fail(ErrorCode::cuda_error, fn,
         std::string("a CUDA error from before this call is pending: ") + cudaGetErrorName(pending) + ": " +
             cudaGetErrorString(pending) + " (cudaGetLastError() returns and clears it); nothing was run");
  switch (attr.type) {
    case cudaMemoryTypeManaged:
      return;
    case cudaMemoryTypeHost:  // pinned: usable by a kernel only where it is mapped at the same address
      if (attr.devicePointer == ptr) return;
      fail(ErrorCode::wrong_memory_space, fn,
           std::string(name) + " must be device, managed or mapped memory, got pinned host pointer " + address(ptr) +
               " that is not mapped at the same device address");
    case cudaMemoryTypeDevice:
      return check_reachable(fn, name, attr.device);
    default: {
      const InCapture found = find_in_capture(stream, ptr);
      if (found.device >= 0) return check_reachable(fn, name, found.device);
      if (found.status == cudaStreamCaptureStatusInvalidated)
        fail(ErrorCode::cuda_error, fn,
             "the capture on this call's stream was invalidated by an earlier error, and " + std::string(name) + " (" +
                 address(ptr) + ") is no memory the device knows; nothing was run");
      fail(ErrorCode::wrong_memory_space, fn,
           std::string(name) + " must be device, managed or mapped memory, got host pointer " + address(ptr));
    }
  }
}

}  // namespace detnum::detail
