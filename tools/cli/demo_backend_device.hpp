// Device memory for the CUDA backends of the demo's model (detnum's, and the conventional one of
// the training-step benchmark): one stream of device 0, buffers zeroed on allocation and freed
// with the backend, copies that wait for the stream, device fingerprints, and one scratch buffer
// that the ops' workspaces share (they run one after another on the stream).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "demo_backend.hpp"

namespace detnum::cli {

class DeviceMemoryBackend : public DemoBackend {
 public:
  DeviceMemoryBackend();  // throws std::runtime_error without a usable device
  ~DeviceMemoryBackend() override;
  DeviceMemoryBackend(const DeviceMemoryBackend&) = delete;
  DeviceMemoryBackend& operator=(const DeviceMemoryBackend&) = delete;

  float* floats(std::int64_t n) override { return static_cast<float*>(alloc(n * 4)); }
  std::int32_t* ints(std::int64_t n) override { return static_cast<std::int32_t*>(alloc(n * 4)); }
  std::uint8_t* bytes(std::int64_t n) override { return static_cast<std::uint8_t*>(alloc(n)); }
  void upload(float* dst, const float* src, std::int64_t n) override { copy(dst, src, n * 4, cudaMemcpyHostToDevice); }
  void upload(std::int32_t* dst, const std::int32_t* src, std::int64_t n) override {
    copy(dst, src, n * 4, cudaMemcpyHostToDevice);
  }
  void download(float* dst, const float* src, std::int64_t n) override { copy(dst, src, n * 4, cudaMemcpyDeviceToHost); }
  Fingerprint fingerprint(const float* x, std::vector<std::int64_t> shape) override;

 protected:
  cudaStream_t stream() const { return stream_; }
  const std::string& device_name() const { return device_; }
  // At least `bytes` of device memory (256-byte aligned), kept and grown as needed: an op's
  // workspace, as a training loop would keep it, rather than stream-ordered memory per call.
  void* scratch(std::size_t bytes);

 private:
  void* alloc(std::int64_t bytes);
  void copy(void* dst, const void* src, std::int64_t bytes, cudaMemcpyKind kind);

  cudaStream_t stream_ = nullptr;
  std::string device_;
  std::vector<void*> allocations_;
  void* scratch_ = nullptr;
  std::size_t scratch_bytes_ = 0;
};

// Throws std::runtime_error naming `what` when e is not cudaSuccess.
void check_cuda(cudaError_t e, const char* what);

// Whether device 0 can be used; if not, `why` says why.
bool cuda_device_usable(std::string& why);

// A B on device 0, or nullptr (and `why`) without a usable device or when B's set-up fails.
template <class B>
std::unique_ptr<DemoBackend> make_device_backend(std::string& why) {
  if (!cuda_device_usable(why)) return nullptr;
  try {
    return std::make_unique<B>();
  } catch (const std::exception& e) {
    why = e.what();
    return nullptr;
  }
}

}  // namespace detnum::cli
