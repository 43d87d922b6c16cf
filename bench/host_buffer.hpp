// Host memory and thread counts for the CPU benchmarks. Not for the files compiled with -mavx2
// (the Eigen peers): their copy of an inline function could be the one the linker keeps, and
// run on a CPU without AVX2.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <thread>

namespace detnum_bench {

// 64-byte aligned host memory, as a framework's allocator gives.
template <class T>
class HostBuffer {
 public:
  explicit HostBuffer(std::int64_t count) {
    const auto bytes = (static_cast<std::size_t>(count) * sizeof(T) + 63) / 64 * 64;
    ptr_.reset(static_cast<T*>(std::aligned_alloc(64, bytes == 0 ? 64 : bytes)));
    if (!ptr_) throw std::bad_alloc();
  }
  T* get() const { return ptr_.get(); }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> ptr_;
};

inline int hardware_threads() {
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

}  // namespace detnum_bench
