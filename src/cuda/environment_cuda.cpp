// The CUDA half of detnum::capture_environment(): runtime and driver versions and one entry per
// device. A machine without a driver or a device is an answer, not an error: cuda_status then
// holds CUDA's message.
#include <cuda_runtime_api.h>

#include <string>

#include "common/environment_detail.hpp"

namespace detnum::detail {

namespace {
// CUDA encodes versions as 1000 * major + 10 * minor.
std::string cuda_version_string(int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); }

std::string describe(const char* call, cudaError_t err) {
  return std::string(call) + " failed: " + cudaGetErrorString(err) + " (" + cudaGetErrorName(err) + ")";
}
}  // namespace

void capture_cuda_environment(Environment& env) {
  env.gpus.clear();
  int runtime = 0, driver = 0;
  env.cuda_runtime_version = cudaRuntimeGetVersion(&runtime) == cudaSuccess ? cuda_version_string(runtime) : "unknown";
  if (cudaDriverGetVersion(&driver) != cudaSuccess) env.cuda_driver_version = "unknown";
  else env.cuda_driver_version = driver == 0 ? "none" : cuda_version_string(driver);

  int count = 0;
  if (const cudaError_t err = cudaGetDeviceCount(&count); err != cudaSuccess) {
    (void)cudaGetLastError();
    env.cuda_status = describe("cudaGetDeviceCount", err);
    return;
  }
  env.cuda_status = "ok";
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp prop{};
    if (const cudaError_t err = cudaGetDeviceProperties(&prop, d); err != cudaSuccess) {
      (void)cudaGetLastError();
      env.cuda_status = describe(("cudaGetDeviceProperties(" + std::to_string(d) + ")").c_str(), err);
      continue;
    }
    GpuInfo g;
    g.index = d;
    g.name = prop.name;
    g.compute_major = prop.major;
    g.compute_minor = prop.minor;
    g.sm_count = prop.multiProcessorCount;
    g.memory_bytes = prop.totalGlobalMem;
    env.gpus.push_back(std::move(g));
  }
}

}  // namespace detnum::detail
