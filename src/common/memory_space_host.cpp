// Built when the CUDA backend is not: there is no device memory to mistake for host memory.
#include "common/memory_space.hpp"

namespace detnum::detail {
void check_host_accessible(std::string_view, std::string_view, const void*) {}
void check_device_accessible(std::string_view, std::string_view, const void*, CUstream_st*) {}
}  // namespace detnum::detail
