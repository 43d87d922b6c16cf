// Memory-space checks with the CUDA runtime, and the CUDA error path.
#include <dlfcn.h>

#include <string>

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
// in a process that never touched CUDA is answered without loading (and initializing) it.
bool cuda_driver_loaded() {
  void* handle = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  dlclose(handle);
  return true;
}

std::string address(const void* ptr) { return std::to_string(reinterpret_cast<std::uintptr_t>(ptr)); }
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

void check_device_accessible(std::string_view fn, std::string_view name, const void* ptr) {
  if (ptr == nullptr) return;
  cudaPointerAttributes attr{};
  DETNUM_CUDA_CHECK(fn, cudaPointerGetAttributes(&attr, ptr));
  const bool ok = attr.type == cudaMemoryTypeDevice || attr.type == cudaMemoryTypeManaged ||
                  (attr.type == cudaMemoryTypeHost && attr.devicePointer != nullptr);
  if (!ok)
    fail(ErrorCode::wrong_memory_space, fn,
         std::string(name) + " must be device, managed or mapped memory, got host pointer " + address(ptr));
}

}  // namespace detnum::detail
