// Fingerprints of device tensors (detnum/cuda/fingerprint.hpp): the host's hash layout
// (common/fingerprint_detail.hpp) fed piece by piece through pinned memory, and the statistics
// from the CUDA reductions, which give the CPU's bits.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "common/memory_space.hpp"
#include "common/fingerprint_detail.hpp"
#include "common/validate.hpp"
#include "cuda/check.hpp"
#include "detnum/cuda/fingerprint.hpp"
#include "detnum/cuda/reduce.hpp"
#include "detnum/detail/reduce_order.hpp"

namespace detnum::cuda {
namespace {

constexpr std::size_t kPieceBytes = std::size_t{8} << 20;

// counts[0] += NaNs, counts[1] += infinities among x[0, n). Integer atomics only, one per warp.
template <class T>
__global__ void count_specials_kernel(const T* __restrict__ x, std::int64_t n, unsigned long long* counts) {
  unsigned long long nans = 0, infs = 0;
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const auto v = detail::widen(x[i]);
    nans += v != v ? 1 : 0;
    infs += isinf(v) ? 1 : 0;
  }
  for (int d = 16; d >= 1; d /= 2) {
    nans += __shfl_down_sync(0xFFFFFFFFu, nans, d);
    infs += __shfl_down_sync(0xFFFFFFFFu, infs, d);
  }
  if (threadIdx.x % 32 == 0 && (nans | infs) != 0) {
    atomicAdd(counts, nans);
    atomicAdd(counts + 1, infs);
  }
}

// Device memory of one call, freed on scope exit.
class DeviceScratch {
 public:
  DeviceScratch(const char* fn, std::size_t bytes) { DETNUM_CUDA_CHECK(fn, cudaMalloc(&p_, bytes)); }
  ~DeviceScratch() { (void)cudaFree(p_); }
  DeviceScratch(const DeviceScratch&) = delete;
  DeviceScratch& operator=(const DeviceScratch&) = delete;
  unsigned char* get() const { return static_cast<unsigned char*>(p_); }

 private:
  void* p_ = nullptr;
};

template <class T>
TensorStats float_stats(const char* fn, const T* x, std::int64_t n, cudaStream_t stream) {
  using A = accum_t<T>;
  // Four results and two counters in one allocation.
  DeviceScratch scratch(fn, 4 * sizeof(A) + 2 * sizeof(unsigned long long));
  auto* counts = reinterpret_cast<unsigned long long*>(scratch.get());
  A* r = reinterpret_cast<A*>(scratch.get() + 2 * sizeof(unsigned long long));
  DETNUM_CUDA_CHECK(fn, cudaMemsetAsync(counts, 0, 2 * sizeof(unsigned long long), stream));
  if (n > 0) {
    const int grid = static_cast<int>(std::min<std::int64_t>(1024, (n + 255) / 256));
    count_specials_kernel<<<grid, 256, 0, stream>>>(x, n, counts);
    DETNUM_CUDA_CHECK(fn, cudaGetLastError());
    min(x, n, r + 0, stream);
    max(x, n, r + 1, stream);
  }
  sum(x, n, r + 2, stream);
  nrm2(x, n, r + 3, stream);
  unsigned long long host_counts[2];
  A host_r[4];
  DETNUM_CUDA_CHECK(fn, cudaMemcpyAsync(host_counts, counts, sizeof host_counts, cudaMemcpyDefault, stream));
  DETNUM_CUDA_CHECK(fn, cudaMemcpyAsync(host_r, r, sizeof host_r, cudaMemcpyDefault, stream));
  DETNUM_CUDA_CHECK(fn, cudaStreamSynchronize(stream));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  TensorStats s;
  s.count = n;
  s.nans = static_cast<std::int64_t>(host_counts[0]);
  s.infs = static_cast<std::int64_t>(host_counts[1]);
  s.min = n == 0 ? nan : static_cast<double>(host_r[0]);
  s.max = n == 0 ? nan : static_cast<double>(host_r[1]);
  s.sum = static_cast<double>(host_r[2]);
  s.l2 = static_cast<double>(host_r[3]);
  return s;
}

// Two pinned buffers, freed on scope exit.
class PinnedPieces {
 public:
  PinnedPieces(const char* fn, std::size_t bytes) : bytes_(bytes) {
    try {  // a failure part-way frees what was made (the destructor does not run then)
      for (void*& p : p_) DETNUM_CUDA_CHECK(fn, cudaMallocHost(&p, bytes));
      for (cudaEvent_t& e : done_) DETNUM_CUDA_CHECK(fn, cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
    } catch (...) {
      release();
      throw;
    }
  }
  ~PinnedPieces() { release(); }
  PinnedPieces(const PinnedPieces&) = delete;
  PinnedPieces& operator=(const PinnedPieces&) = delete;
  unsigned char* buffer(int i) const { return static_cast<unsigned char*>(p_[i]); }
  cudaEvent_t done(int i) const { return done_[i]; }

 private:
  void release() {
    for (void* p : p_)
      if (p != nullptr) (void)cudaFreeHost(p);
    for (cudaEvent_t e : done_)
      if (e != nullptr) (void)cudaEventDestroy(e);
  }
  std::size_t bytes_;
  void* p_[2] = {nullptr, nullptr};
  cudaEvent_t done_[2] = {nullptr, nullptr};
};

}  // namespace

Fingerprint fingerprint(const TensorView& view, cudaStream_t stream) {
  constexpr const char* fn = "cuda::fingerprint";
  const std::int64_t n = detail::check_tensor_view(fn, view);
  if (n > 0) detail::check_device_accessible(fn, "view.data", view.data, stream);
  const std::size_t total = static_cast<std::size_t>(n) * dtype_size(view.dtype);

  const detail::HashState state;
  detail::start_hash(state.get(), view);
  detail::IntegerStats integers;
  const bool integral = view.dtype == Dtype::i32 || view.dtype == Dtype::i64 || view.dtype == Dtype::u8;
  if (total > 0) {
    // Whole elements per piece, so that the integer statistics see whole values.
    const std::size_t piece = std::min(total, kPieceBytes / dtype_size(view.dtype) * dtype_size(view.dtype));
    PinnedPieces pinned(fn, piece);
    const auto* src = static_cast<const unsigned char*>(view.data);
    const auto queue = [&](std::size_t offset, int i) {
      DETNUM_CUDA_CHECK(fn, cudaMemcpyAsync(pinned.buffer(i), src + offset, std::min(piece, total - offset),
                                            cudaMemcpyDefault, stream));
      DETNUM_CUDA_CHECK(fn, cudaEventRecord(pinned.done(i), stream));
    };
    queue(0, 0);
    for (std::size_t offset = 0, i = 0; offset < total; offset += piece, i ^= 1) {
      if (offset + piece < total) queue(offset + piece, static_cast<int>(i ^ 1));  // the next piece meanwhile
      DETNUM_CUDA_CHECK(fn, cudaEventSynchronize(pinned.done(static_cast<int>(i))));
      const std::size_t bytes = std::min(piece, total - offset);
      XXH3_128bits_update(state.get(), pinned.buffer(static_cast<int>(i)), bytes);
      if (integral)
        integers.add(view.dtype, pinned.buffer(static_cast<int>(i)), static_cast<std::int64_t>(bytes / dtype_size(view.dtype)));
    }
  }
  Fingerprint f{detail::finish_hash(state.get()), view.dtype, view.shape, {}};
  switch (view.dtype) {
    case Dtype::f32: f.stats = float_stats(fn, static_cast<const float*>(view.data), n, stream); break;
    case Dtype::f64: f.stats = float_stats(fn, static_cast<const double*>(view.data), n, stream); break;
    case Dtype::bf16: f.stats = float_stats(fn, static_cast<const bf16*>(view.data), n, stream); break;
    case Dtype::fp16: f.stats = float_stats(fn, static_cast<const fp16*>(view.data), n, stream); break;
    default: f.stats = integers.finish();
  }
  return f;
}

}  // namespace detnum::cuda
