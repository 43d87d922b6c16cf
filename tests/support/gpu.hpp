// GPU tests skip, honestly and visibly, on machines without a CUDA device.
#pragma once

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace detnum::test {

inline bool has_cuda_device() {
  int count = 0;
  const bool ok = cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
  (void)cudaGetLastError();
  return ok;
}

#define DETNUM_REQUIRE_GPU()                                                \
  do {                                                                      \
    if (!::detnum::test::has_cuda_device()) GTEST_SKIP() << "no CUDA device"; \
  } while (0)

#define DETNUM_TEST_CUDA(call)                                                                       \
  do {                                                                                               \
    const cudaError_t e_ = (call);                                                                   \
    ASSERT_EQ(e_, cudaSuccess) << #call << ": " << cudaGetErrorString(e_) << " at " << __FILE__ << ":" << __LINE__; \
  } while (0)

// Device memory for T[n], freed on scope exit.
template <class T>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t n) : n_(n) {
    if (n > 0 && cudaMalloc(&p_, n * sizeof(T)) != cudaSuccess) {
      std::fprintf(stderr, "cudaMalloc of %zu bytes failed\n", n * sizeof(T));
      std::abort();
    }
  }
  DeviceBuffer(DeviceBuffer&& o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(o.n_) {}
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { cudaFree(p_); }
  T* get() const { return p_; }
  std::size_t size() const { return n_; }

 private:
  T* p_ = nullptr;
  std::size_t n_;
};

// Device buffers a kernel must not touch start as this byte; guard bytes follow a workspace.
inline constexpr unsigned char kSentinel = 0xA5;
inline constexpr std::size_t kGuardBytes = 256;

// "" when bytes [from, to) of the device buffer are all sentinels, else the first that is not.
inline std::string untouched(const unsigned char* d, std::size_t from, std::size_t to) {
  std::vector<unsigned char> h(to - from);
  if (cudaMemcpy(h.data(), d + from, h.size(), cudaMemcpyDeviceToHost) != cudaSuccess) return "copy failed";
  for (std::size_t i = 0; i < h.size(); ++i)
    if (h[i] != kSentinel) return "byte " + std::to_string(from + i) + " was written";
  return "";
}

// A host vector copied into fresh device memory, and device memory copied back (a failed copy is
// a test failure).
template <class T>
DeviceBuffer<T> to_device(const std::vector<T>& h) {
  DeviceBuffer<T> d(h.size());
  if (!h.empty()) EXPECT_EQ(cudaMemcpy(d.get(), h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
  return d;
}
template <class T>
std::vector<T> to_host(const DeviceBuffer<T>& d) {
  std::vector<T> h(d.size());
  if (!h.empty()) EXPECT_EQ(cudaMemcpy(h.data(), d.get(), h.size() * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
  return h;
}

}  // namespace detnum::test
