// Which side of the PCIe bus a pointer lives on. With the CUDA backend built these ask
// cudaPointerGetAttributes; without it every pointer is host memory.
#pragma once

#include <string_view>

namespace detnum::detail {

// Throws wrong_memory_space if ptr is CUDA device memory (a CPU function cannot read it).
// Host, pinned and managed memory pass. Never initializes CUDA in a process that has not.
void check_host_accessible(std::string_view fn, std::string_view name, const void* ptr);

// Throws wrong_memory_space unless ptr is device, managed or mapped memory a kernel can read, and
// cuda_error if an error of earlier CUDA work is pending (it is not the caller's call's).
void check_device_accessible(std::string_view fn, std::string_view name, const void* ptr);

}  // namespace detnum::detail
