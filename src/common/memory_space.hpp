// Which side of the PCIe bus a pointer lives on. With the CUDA backend built these ask
// cudaPointerGetAttributes; without it every pointer is host memory.
#pragma once

#include <string_view>

struct CUstream_st;  // what a cudaStream_t points to: host-only code names a stream without CUDA's headers

namespace detnum::detail {

// Who reads a call's pointers: the host (a CPU entry point), or the kernels that a CUDA entry
// point launches on `stream` (whose capture state decides how a graph's allocation is checked).
struct Reader {
  bool device = false;
  CUstream_st* stream = nullptr;
};
inline constexpr Reader kHostReader{};
constexpr Reader device_reader(CUstream_st* stream) { return {true, stream}; }

// Throws wrong_memory_space if ptr is CUDA device memory (a CPU function cannot read it).
// Host, pinned and managed memory pass. Never initializes CUDA in a process that has not.
void check_host_accessible(std::string_view fn, std::string_view name, const void* ptr);

// Throws wrong_memory_space unless ptr is device, managed or mapped memory a kernel on `stream`
// can read, and cuda_error if an error of earlier CUDA work is pending (it is not the caller's
// call's). While `stream` is being captured, memory that the graph being captured allocates
// (cudaMallocAsync during the capture) passes too: it has an address but no memory until the
// graph runs, so the driver does not know it yet.
void check_device_accessible(std::string_view fn, std::string_view name, const void* ptr, CUstream_st* stream);

inline void check_accessible(std::string_view fn, std::string_view name, const void* ptr, Reader reader) {
  if (reader.device) check_device_accessible(fn, name, ptr, reader.stream);
  else check_host_accessible(fn, name, ptr);
}

}  // namespace detnum::detail
