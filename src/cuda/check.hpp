// Every CUDA runtime call in detnum goes through DETNUM_CUDA_CHECK, which turns a failure into
// detnum::Error(cuda_error) naming the detnum function, the call that failed and CUDA's message.
#pragma once

#include <cuda_runtime_api.h>

#include <string_view>

namespace detnum::detail {

[[noreturn]] void throw_cuda_error(std::string_view fn, const char* call, cudaError_t err, const char* file, int line);

}  // namespace detnum::detail

#define DETNUM_CUDA_CHECK(fn, call)                                                         \
  do {                                                                                      \
    const cudaError_t detnum_err_ = (call);                                                 \
    if (detnum_err_ != cudaSuccess)                                                         \
      ::detnum::detail::throw_cuda_error((fn), #call, detnum_err_, __FILE__, __LINE__);     \
  } while (0)
