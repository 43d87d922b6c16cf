// Scratch memory kept by a thread for its later calls: a fresh allocation per call is fresh
// pages to fault in on every call (a few milliseconds for the megabytes of a GEMM's packed
// panels or attention's scores), which the kernel zeroes first. Grows to the largest request and
// is freed when the thread ends. Not initialized: its users write every entry they read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace detnum::detail {

class ThreadScratch {
 public:
  float* at_least(std::int64_t floats) {
    if (floats > size_) {
      data_ = std::make_unique_for_overwrite<float[]>(static_cast<std::size_t>(floats));
      size_ = floats;
    }
    return data_.get();
  }

 private:
  std::unique_ptr<float[]> data_;
  std::int64_t size_ = 0;
};

}  // namespace detnum::detail
