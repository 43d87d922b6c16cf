// Reductions on CUDA: the same bits as src/cpu/reduce_ref.cpp (docs/ORDER.md, "Reductions") for
// every n, every grid and block size and every device.
//
// The order. A chunk is 8192 elements in 64 steps of 128 lanes; lane l folds in the chunk's
// elements l mod 128 in increasing order from -0, then the lanes fold in halves (l += l + 64, ...
// l += l + 1). One warp computes one whole chunk: thread t holds 4 of the 128 lanes in registers
// and takes each step's elements with 16-byte loads (float4; double2 twice; 8 bytes for the
// 16-bit types), so
//   float, bf16, fp16 (W = 4 elements per load):   thread t holds lanes 4t .. 4t + 3
//   double            (W = 2, two loads per step): thread t holds lanes 2t, 2t + 1, 64 + 2t, 65 + 2t
// and the fold pairs exactly the lanes that detail::fold_lanes pairs: halves that lie in one
// thread add in registers, the others come over __shfl_down_sync from the thread that holds lane
// l + h (fold_warp below). Every addition is `a[l] + a[l + h]` with the same operands as the
// reference, so the chunk partial is the reference's, whatever warp computes it.
//
// One launch per pass. Warps take chunks grid-stride, numbered block-first (virtual warp
// v = warp * gridDim + block) so that a small n still spreads over every SM. Each chunk's partial
// goes to the workspace at its chunk index. Then every block takes an integer ticket (atomicAdd
// on an unsigned: integers only, never a floating-point atomic); the block that draws the last
// ticket has seen every partial (fences on both sides) and reduces them level by level in the
// same canonical order (chunks of the partials, lanes, fold) until one value remains, applies
// the op's last step (division, sqrt, scaling) and writes the canonical-NaN result. A level of
// at most 2048 partials (level 2 for n <= 2^24) is first copied into shared memory by the whole
// block.
//
// The ticket. The workspace is the caller's and its contents are arbitrary (tests fill it with a
// sentinel), so each call zeroes the ticket with cudaMemsetAsync before its first launch. The
// last block also puts it back to zero, which is what the second pass of variance and of the
// double nrm2 relies on (no second memset).
//
// Workspace layout (reduce_workspace_bytes(n), 256-byte aligned):
//   [0, 4)        the ticket          [8, 16)  aux: the mean for variance, amax for double nrm2
//   [256, ...)    the partials of level 1 (one per chunk), then of level 2, ... each level's
//                 region rounded up to 32 entries (entries of 8 bytes at most)
// Extremes keep one index per busy warp in the level-1 region instead: their result involves no
// rounding, so partial results may combine in any order; ties and NaNs are made deterministic by
// comparing (key, index) pairs in a total order (NaN above everything, then value with +0 > -0,
// then the lower index).
//
// Loads stay in flight: each thread issues a batch of 16-byte loads (256 bytes per thread for
// blocks up to 256 threads, 128 bytes for the 1024-thread variant whose registers are capped at
// 64) before it adds any of them, so a warp keeps 4-8 KB in flight even when only one warp per SM
// has work (n = 2^20). Full, aligned chunks take that path; the last partial chunk and misaligned
// pointers take a checked element-by-element path with the same order, 4 steps per batch and
// bounds checked on int offsets inside the chunk (larger batches there, int64 checks, or a
// ping-pong of two half-batches on the packed path all made nvcc take 128-250 registers for the
// float sum, 1-2 blocks per SM instead of 3 at 78-80 registers).
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "common/reduce_checks.hpp"
#include "common/validate.hpp"
#include "cuda/check.hpp"
#include "cuda/chunk_warp.cuh"
#include "cuda/launch.hpp"
#include "cuda/nrm2_each.hpp"
#include "cuda/stream_workspace.hpp"
#include "cuda/tensor_groups.cuh"
#include "detnum/cuda/reduce.hpp"
#include "detnum/detail/reduce_order.hpp"

namespace detnum::cuda {
namespace {

using namespace warp;

constexpr std::size_t kHeaderBytes = 256;       // ticket, aux, padding
constexpr std::size_t kAuxOffset = 8;
constexpr std::int64_t kLevelRound = 32;        // entries; 256 bytes of doubles
constexpr std::size_t kEntryBytes = 8;          // the widest partial: double, or an int64 index
constexpr std::int64_t kNoIndex = std::numeric_limits<std::int64_t>::max();

__host__ __device__ constexpr std::int64_t level_entries(std::int64_t m) {
  return (m + kLevelRound - 1) / kLevelRound * kLevelRound;
}

// --- The steps of ORDER.md's ops (a = the lane's accumulator) ----------------------------------

__device__ __forceinline__ float fused(float a, float b, float c) { return fmaf(a, b, c); }
__device__ __forceinline__ double fused(double a, double b, double c) { return fma(a, b, c); }
__device__ __forceinline__ float magnitude(float v) { return fabsf(v); }
__device__ __forceinline__ double magnitude(double v) { return fabs(v); }
__device__ __forceinline__ bool is_nan(float v) { return (bits_of(v) & 0x7FFFFFFFu) > 0x7F800000u; }
__device__ __forceinline__ bool is_nan(double v) {
  return (bits_of(v) & 0x7FFFFFFFFFFFFFFFull) > 0x7FF0000000000000ull;
}

template <class T>
struct AsumStep {
  using In = T;
  using A = detail::accum_t<T>;
  static constexpr int kInputs = 1;
  __device__ bool prepare() { return true; }
  __device__ A operator()(A a, T x, T) const { return a + magnitude(detail::widen(x)); }
};

template <class T>
struct DotStep {
  using In = T;
  using A = detail::accum_t<T>;
  static constexpr int kInputs = 2;
  __device__ bool prepare() { return true; }
  __device__ A operator()(A a, T x, T y) const { return fused(detail::widen(x), detail::widen(y), a); }
};

// float, bf16, fp16: squares are exact in double.
template <class T>
struct Nrm2Step {
  using In = T;
  using A = double;
  static constexpr int kInputs = 1;
  __device__ bool prepare() { return true; }
  __device__ double operator()(double a, T x, T) const {
    const double v = static_cast<double>(detail::widen(x));
    return fused(v, v, a);
  }
};

// d = w(x) - mean, with the mean that pass 1 left in the workspace.
template <class T>
struct VarianceStep {
  using In = T;
  using A = detail::accum_t<T>;
  static constexpr int kInputs = 1;
  const A* mean_at;
  A mean;
  __device__ bool prepare() {
    mean = __ldcg(mean_at);
    return true;
  }
  __device__ A operator()(A a, T x, T) const {
    const A d = detail::widen(x) - mean;
    return fused(d, d, a);
  }
};

// 2^k for k in [-1074, 1023], exactly.
__device__ __forceinline__ double pow2(int k) {
  return k >= -1022 ? double_from_bits(static_cast<std::uint64_t>(k + 1023) << 52)
                    : double_from_bits(std::uint64_t{1} << (k + 1074));
}
// floor(log2 s) for finite s > 0, subnormals included (std::ilogb).
__device__ __forceinline__ int exponent_of(double s) {
  const std::uint64_t u = bits_of(s);
  const int e = static_cast<int>((u >> 52) & 0x7FF);
  if (e != 0) return e - 1023;
  return (63 - __clzll(static_cast<long long>(u & 0x000FFFFFFFFFFFFFull))) - 1074;
}
// amax results for which the double nrm2 is amax itself: NaN, +0, +Inf.
__device__ __forceinline__ bool nrm2_is_amax(double s) {
  return is_nan(s) || s == 0.0 || bits_of(s) == 0x7FF0000000000000ull;
}

// double: t = x * 2^-k with s = amax from pass 1 and 2^k <= s < 2^(k+1) (ORDER.md).
struct ScaledNrm2Step {
  using In = double;
  using A = double;
  static constexpr int kInputs = 1;
  const double* amax_at;
  double down, down2;
  __device__ bool prepare() {
    const double s = __ldcg(amax_at);
    if (nrm2_is_amax(s)) return false;
    const int k = exponent_of(s);
    down = -k <= 1023 ? pow2(-k) : pow2(1023);
    down2 = -k <= 1023 ? 1.0 : pow2(-k - 1023);
    return true;
  }
  __device__ double operator()(double a, double x, double) const {
    const double t = x * down * down2;
    return fused(t, t, a);
  }
};

// --- What happens to the total ------------------------------------------------------------------

template <class A>
struct WriteTotal {
  A* out;
  __device__ void operator()(A total) const { *out = canonicalize(total); }
};

template <class A>
struct WriteQuotient {  // mean, variance: one IEEE division by A(n) or A(n - ddof)
  A* out;
  A divisor;
  __device__ void operator()(A total) const { *out = canonicalize(total / divisor); }
};

struct WriteRootAsFloat {  // nrm2 of float, bf16, fp16
  float* out;
  __device__ void operator()(double total) const { *out = canonicalize(static_cast<float>(sqrt(total))); }
};

struct WriteScaledRoot {  // nrm2 of double
  double* out;
  const double* amax_at;
  __device__ void operator()(double total) const {
    const double s = __ldcg(amax_at);
    *out = nrm2_is_amax(s) ? canonicalize(s) : canonicalize(sqrt(total) * pow2(exponent_of(s)));
  }
};

// --- The workspace and the ticket ----------------------------------------------------------------

struct WorkspaceView {
  unsigned* ticket;
  void* aux;
  void* partials;
};

WorkspaceView view_of(void* ws) {
  auto* b = static_cast<unsigned char*>(ws);
  return {reinterpret_cast<unsigned*>(b), b + kAuxOffset, b + kHeaderBytes};
}

// Every block calls this once, after writing its partials; true in the one block that arrives
// last, which may then read every block's partials.
__device__ __forceinline__ bool arrive_last(unsigned* ticket) {
  __shared__ bool last;
  __threadfence();  // this thread's partials are visible device-wide before its block's ticket
  __syncthreads();
  if (threadIdx.x == 0) last = atomicAdd(ticket, 1u) == gridDim.x - 1;
  __syncthreads();
  if (last) __threadfence();
  return last;
}

// --- Sums and everything built on them ---------------------------------------------------------

// The last block's level when it is one chunk of at most kStagedEntries partials (at most 16
// steps: level 2 for n <= 2^24, and the last level of larger n): the whole block copies it into
// shared memory with all its loads in flight, then warp 0 walks it there with chunk_partial, in
// the same order. From global memory the checked path takes a round trip per kCheckedBatch
// steps, four of them at n = 2^24, while the other warps wait. Two vectors per thread per round:
// one round for 2048 floats with 256 threads, and the float sum stays at 80
// registers (three blocks of 256 threads per SM, as before). Every block reserves the 8 KB (16 KB
// for double accumulators): that limits blocks per SM only for blocks of 32 threads.
constexpr int kStagedEntries = 2048;
static_assert(kStagedEntries <= detail::kReduceChunk, "a staged level is one chunk");

template <class A>
__device__ __forceinline__ void stage_level(const A* __restrict__ src, int len, A* staged) {
  using Vec = typename Packed<A>::Vec;
  constexpr int W = Packed<A>::W, kRound = 2;  // 4 took the float sum from 78 to 97 registers
  const int threads = static_cast<int>(blockDim.x), full = len / W;
  for (int v0 = 0; v0 < full; v0 += kRound * threads) {
    Vec r[kRound];
#pragma unroll
    for (int u = 0; u < kRound; ++u) {
      const int v = v0 + u * threads + static_cast<int>(threadIdx.x);
      if (v < full) r[u] = load_packed<A, true>(src + v * W);
    }
#pragma unroll
    for (int u = 0; u < kRound; ++u) {
      const int v = v0 + u * threads + static_cast<int>(threadIdx.x);
      if (v < full) reinterpret_cast<Vec*>(staged)[v] = r[u];
    }
  }
  for (int i = full * W + static_cast<int>(threadIdx.x); i < len; i += threads) staged[i] = __ldcg(src + i);
}

template <class Step, class Finish, int kMaxThreads>
__global__ void __launch_bounds__(kMaxThreads)
    reduce_kernel(Step step, Finish finish, const typename Step::In* __restrict__ x,
                  const typename Step::In* __restrict__ y, std::int64_t n, bool vec, WorkspaceView ws) {
  using T = typename Step::In;
  using A = typename Step::A;
  constexpr int kBatch = batch_steps<T, Step::kInputs, kMaxThreads>();
  constexpr int kLevelBatch = batch_steps<A, 1, kMaxThreads>();
  const int t = static_cast<int>(threadIdx.x) % kWarp, w = static_cast<int>(threadIdx.x) / kWarp;
  const int warps_per_block = static_cast<int>(blockDim.x) / kWarp;
  const std::int64_t m = detail::reduce_chunks(n);
  A* const partials = static_cast<A*>(ws.partials);

  const bool active = step.prepare();  // block-uniform: every thread reads the same value
  if (active) {
    const std::int64_t warps = static_cast<std::int64_t>(gridDim.x) * warps_per_block;
    for (std::int64_t c = static_cast<std::int64_t>(w) * gridDim.x + blockIdx.x; c < m; c += warps) {
      const A p = chunk_partial<false, kBatch, kCheckedBatch>(step, x, y, n, c, vec, t);
      if (t == 0) partials[c] = p;
    }
  }
  if (!arrive_last(ws.ticket)) return;

  // The last block: levels 2, 3, ... until one value remains (ORDER.md step 5).
  const A* src = partials;
  A* dst = partials + level_entries(m);
  std::int64_t len = m;
  __shared__ __align__(16) A staged[kStagedEntries];
  if (active) {
    while (len > 1) {
      const std::int64_t next = detail::reduce_chunks(len);
      if (len <= kStagedEntries) {
        stage_level(src, static_cast<int>(len), staged);
        __syncthreads();
        if (w == 0) {
          // The same walk as from global memory (walk_chunk's checked path), reading shared memory.
          const A p = chunk_partial<false, kLevelBatch, kCheckedBatch>(AddStep<A>{}, static_cast<const A*>(staged),
                                                                       static_cast<const A*>(nullptr), len, 0, false, t);
          if (t == 0) dst[0] = p;
        }
      } else {
        for (std::int64_t c = w; c < next; c += warps_per_block) {
          const A p = chunk_partial<true, kLevelBatch, kCheckedBatch>(AddStep<A>{}, src,
                                                                      static_cast<const A*>(nullptr), len, c, true, t);
          if (t == 0) dst[c] = p;
        }
      }
      __syncthreads();
      src = dst;
      dst += level_entries(next);
      len = next;
    }
  }
  if (threadIdx.x == 0) {
    finish(active ? __ldcg(src) : A(0));
    *ws.ticket = 0;  // ready for the next pass on this stream
  }
}

// --- Extremes ------------------------------------------------------------------------------------

enum class Extreme { max, min, amax, amin };

// Keys in which "better" is "greater": NaN above everything; max: the value's order with
// +0 > -0; min: the reverse; amax, amin: the same on |value|. Non-NaN keys are never ~0 or 0.
__device__ __forceinline__ std::uint32_t ordered(float v) {
  const std::uint32_t u = bits_of(v);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}
__device__ __forceinline__ std::uint64_t ordered(double v) {
  const std::uint64_t u = bits_of(v);
  return (u & 0x8000000000000000ull) ? ~u : (u | 0x8000000000000000ull);
}
template <Extreme E, class A>
__device__ __forceinline__ std::uint64_t extreme_key(A v) {
  if (is_nan(v)) return ~std::uint64_t{0};
  const auto k = ordered(E == Extreme::amax || E == Extreme::amin ? magnitude(v) : v);  // 32 or 64 bits
  const decltype(k) reversed = ~k;
  return E == Extreme::min || E == Extreme::amin ? reversed : k;
}

struct Best {
  std::uint64_t key;
  std::int64_t index;
};
// A total order on (key, index) pairs with distinct indices: combining in any order gives the
// same winner.
__device__ __forceinline__ Best better(Best a, Best b) {
  return a.key > b.key || (a.key == b.key && a.index < b.index) ? a : b;
}
__device__ __forceinline__ Best warp_best(Best b) {
#pragma unroll
  for (int d = 16; d >= 1; d /= 2) {
    const Best o{__shfl_xor_sync(kFullMask, b.key, d), __shfl_xor_sync(kFullMask, b.index, d)};
    b = better(b, o);
  }
  return b;
}

// result: the index (kIndex) or the value, |value| for amax/amin, as accum_t<T>.
template <class T, Extreme E, bool kIndex, int kMaxThreads>
__global__ void __launch_bounds__(kMaxThreads)
    extreme_kernel(const T* __restrict__ x, std::int64_t n, bool vec, WorkspaceView ws, void* result) {
  using A = detail::accum_t<T>;
  // (key, index) per element costs registers: half the batch of a sum.
  constexpr int kBatch = batch_steps<T, 2, kMaxThreads>();
  const int t = static_cast<int>(threadIdx.x) % kWarp, w = static_cast<int>(threadIdx.x) / kWarp;
  const int warps_per_block = static_cast<int>(blockDim.x) / kWarp;
  const std::int64_t m = detail::reduce_chunks(n);
  const std::int64_t warps = static_cast<std::int64_t>(gridDim.x) * warps_per_block;
  auto* const slots = static_cast<std::int64_t*>(ws.partials);  // one per warp that had a chunk

  const std::int64_t v = static_cast<std::int64_t>(w) * gridDim.x + blockIdx.x;
  Best b{0, kNoIndex};
  const auto visit = [&](int, std::int64_t i, T xe, T) { b = better(b, Best{extreme_key<E>(detail::widen(xe)), i}); };
  for (std::int64_t c = v; c < m; c += warps)
    walk_chunk<1, false, kBatch, kCheckedBatch>(x, static_cast<const T*>(nullptr), n, c, vec, t, visit);
  b = warp_best(b);
  if (t == 0 && v < m) slots[v] = b.index;
  if (!arrive_last(ws.ticket)) return;

  __shared__ Best per_warp[1024 / kWarp];
  b = Best{0, kNoIndex};
  const std::int64_t used = warps < m ? warps : m;
  for (std::int64_t s = threadIdx.x; s < used; s += blockDim.x) {
    const std::int64_t i = __ldcg(slots + s);
    b = better(b, Best{extreme_key<E>(detail::widen(x[i])), i});
  }
  b = warp_best(b);
  if (t == 0) per_warp[w] = b;
  __syncthreads();
  if (w == 0) {
    b = warp_best(t < warps_per_block ? per_warp[t] : Best{0, kNoIndex});
    if (t == 0) {
      if constexpr (kIndex) {
        *static_cast<std::int64_t*>(result) = b.index;
      } else {
        const A value = detail::widen(x[b.index]);
        *static_cast<A*>(result) =
            canonicalize(E == Extreme::amax || E == Extreme::amin ? magnitude(value) : value);
      }
      *ws.ticket = 0;
    }
  }
}

template <class R>
__global__ void write_value_kernel(R* out, R value) {
  *out = value;
}

// --- Host side ------------------------------------------------------------------------------------

template <class R>
void write_value(const char* fn, R* out, R value, cudaStream_t stream) {
  write_value_kernel<<<1, 1, 0, stream>>>(out, value);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

// The caller's workspace (checked), or stream-ordered memory of this call. Either way the ticket
// is zeroed on the stream before any kernel of the call.
class CallWorkspace {
 public:
  CallWorkspace(const char* fn, Workspace ws, std::int64_t n, cudaStream_t stream) : stream_(stream) {
    if (ws.bytes == 0) {
      DETNUM_CUDA_CHECK(fn, cudaMallocAsync(&ptr_, reduce_workspace_bytes(n), stream));
      owned_ = true;
    } else {
      ptr_ = ws.ptr;
    }
    if (const cudaError_t err = cudaMemsetAsync(ptr_, 0, sizeof(unsigned), stream); err != cudaSuccess) {
      if (owned_) (void)cudaFreeAsync(ptr_, stream);  // no destructor runs for a constructor that throws
      detail::throw_cuda_error(fn, "cudaMemsetAsync(ptr_, 0, sizeof(unsigned), stream)", err, __FILE__, __LINE__);
    }
  }
  ~CallWorkspace() {
    if (owned_ && cudaFreeAsync(ptr_, stream_) != cudaSuccess) (void)cudaGetLastError();
  }
  CallWorkspace(const CallWorkspace&) = delete;
  CallWorkspace& operator=(const CallWorkspace&) = delete;
  WorkspaceView view() const { return view_of(ptr_); }

 private:
  void* ptr_ = nullptr;
  cudaStream_t stream_;
  bool owned_ = false;
};

void check_workspace(const char* fn, Workspace ws, std::int64_t n, cudaStream_t stream,
                     std::initializer_list<CallBuffer> buffers) {
  if (ws.bytes != 0)
    check_caller_workspace(fn, ws, reduce_workspace_bytes(n), "reduce_workspace_bytes(n)", stream, buffers);
}

// Every entry point's checks: x (and y) on the device for n elements, result, launch, workspace.
template <class T, class R>
void check_call(const char* fn, const T* x, const T* y, bool has_y, std::int64_t n, bool nonempty, const R* result,
                cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  detail::check_reduce_input(fn, "x", x, n, sizeof(T), nonempty, detail::device_reader(stream));
  if (has_y) detail::check_reduce_input(fn, "y", y, n, sizeof(T), false, detail::device_reader(stream));
  detail::check_not_null(fn, "result", result, 1);
  detail::check_device_accessible(fn, "result", result, stream);
  detail::check_launch(fn, launch);
  const auto bytes = n * static_cast<std::int64_t>(sizeof(T));
  check_workspace(fn, ws, n, stream, {{"x", x, bytes}, {"y", y, has_y ? bytes : 0}, {"result", result, sizeof(R)}});
}

template <class Kernel>
int grid_for(const char* fn, Kernel kernel, std::int64_t chunks, LaunchConfig launch) {
  if (launch.grid_blocks > 0) return launch.grid_blocks;
  const std::int64_t resident =
      detail::resident_blocks(fn, reinterpret_cast<const void*>(kernel), launch.block_threads);
  return static_cast<int>(std::max<std::int64_t>(1, std::min(resident, chunks)));
}

template <int kMaxThreads, class Step, class Finish>
void launch_reduce_as(const char* fn, const Step& step, const Finish& finish, const typename Step::In* x,
                      const typename Step::In* y, std::int64_t n, WorkspaceView ws, cudaStream_t stream,
                      LaunchConfig launch) {
  const auto kernel = reduce_kernel<Step, Finish, kMaxThreads>;
  const int grid = grid_for(fn, kernel, detail::reduce_chunks(n), launch);
  const bool vec = aligned_for_packed(x) && (Step::kInputs == 1 || aligned_for_packed(y));
  kernel<<<grid, launch.block_threads, 0, stream>>>(step, finish, x, y, n, vec, ws);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

// One pass, n >= 1. Blocks up to 256 threads take the kernel with the larger load batches.
template <class Step, class Finish>
void launch_reduce(const char* fn, const Step& step, const Finish& finish, const typename Step::In* x,
                   const typename Step::In* y, std::int64_t n, WorkspaceView ws, cudaStream_t stream,
                   LaunchConfig launch) {
  if (launch.block_threads <= 256) launch_reduce_as<256>(fn, step, finish, x, y, n, ws, stream, launch);
  else launch_reduce_as<1024>(fn, step, finish, x, y, n, ws, stream, launch);
}

template <class T, Extreme E, bool kIndex, int kMaxThreads>
void launch_extreme_as(const char* fn, const T* x, std::int64_t n, WorkspaceView ws, void* result,
                       cudaStream_t stream, LaunchConfig launch) {
  const auto kernel = extreme_kernel<T, E, kIndex, kMaxThreads>;
  const int grid = grid_for(fn, kernel, detail::reduce_chunks(n), launch);
  kernel<<<grid, launch.block_threads, 0, stream>>>(x, n, aligned_for_packed(x), ws, result);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

template <class T, Extreme E, bool kIndex>
void launch_extreme(const char* fn, const T* x, std::int64_t n, WorkspaceView ws, void* result, cudaStream_t stream,
                    LaunchConfig launch) {
  if (launch.block_threads <= 256) launch_extreme_as<T, E, kIndex, 256>(fn, x, n, ws, result, stream, launch);
  else launch_extreme_as<T, E, kIndex, 1024>(fn, x, n, ws, result, stream, launch);
}

// A single-pass op whose empty sum is +0.
template <class Step, class Finish, class T, class R>
void single_pass(const char* fn, const Step& step, const Finish& finish, const T* x, const T* y, std::int64_t n,
                 R* result, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  check_call(fn, x, y, Step::kInputs == 2, n, false, result, stream, ws, launch);
  if (n == 0) return write_value(fn, result, R(0), stream);
  CallWorkspace call(fn, ws, n, stream);
  launch_reduce(fn, step, finish, x, y, n, call.view(), stream, launch);
}

template <class T, Extreme E, bool kIndex, class R>
void extreme(const char* fn, const T* x, std::int64_t n, R* result, cudaStream_t stream, Workspace ws,
             LaunchConfig launch) {
  check_call(fn, x, static_cast<const T*>(nullptr), false, n, true, result, stream, ws, launch);
  CallWorkspace call(fn, ws, n, stream);
  launch_extreme<T, E, kIndex>(fn, x, n, call.view(), result, stream, launch);
}

}  // namespace

std::size_t reduce_workspace_bytes(std::int64_t n) {
  detail::check_size("cuda::reduce_workspace_bytes", "n", n, 1);
  std::int64_t entries = 0;
  for (std::int64_t m = detail::reduce_chunks(n);; m = detail::reduce_chunks(m)) {
    entries += level_entries(m);
    if (m <= 1) break;
  }
  const std::size_t bytes = kHeaderBytes + kEntryBytes * static_cast<std::size_t>(entries);
  return workspace_round(bytes);
}

template <Reducible T>
void sum(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  single_pass("cuda::sum", SumStep<T>{}, WriteTotal<accum_t<T>>{result}, x, static_cast<const T*>(nullptr), n, result,
              stream, ws, launch);
}

template <Reducible T>
void asum(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  single_pass("cuda::asum", AsumStep<T>{}, WriteTotal<accum_t<T>>{result}, x, static_cast<const T*>(nullptr), n,
              result, stream, ws, launch);
}

template <Reducible T>
void dot(const T* x, const T* y, std::int64_t n, accum_t<T>* result, cudaStream_t stream, Workspace ws,
         LaunchConfig launch) {
  single_pass("cuda::dot", DotStep<T>{}, WriteTotal<accum_t<T>>{result}, x, y, n, result, stream, ws, launch);
}

template <Reducible T>
void nrm2(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  constexpr const char* fn = "cuda::nrm2";
  if constexpr (std::is_same_v<T, double>) {
    check_call(fn, x, static_cast<const T*>(nullptr), false, n, false, result, stream, ws, launch);
    if (n == 0) return write_value(fn, result, 0.0, stream);
    CallWorkspace call(fn, ws, n, stream);
    const WorkspaceView v = call.view();
    auto* amax_at = static_cast<double*>(v.aux);
    launch_extreme<double, Extreme::amax, false>(fn, x, n, v, amax_at, stream, launch);
    launch_reduce(fn, ScaledNrm2Step{amax_at, 0.0, 0.0}, WriteScaledRoot{result, amax_at}, x,
                  static_cast<const double*>(nullptr), n, v, stream, launch);
  } else {
    single_pass(fn, Nrm2Step<T>{}, WriteRootAsFloat{result}, x, static_cast<const T*>(nullptr), n, result, stream, ws,
                launch);
  }
}

template <Reducible T>
void mean(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  constexpr const char* fn = "cuda::mean";
  using A = accum_t<T>;
  check_call(fn, x, static_cast<const T*>(nullptr), false, n, false, result, stream, ws, launch);
  if (n == 0) return write_value(fn, result, canonicalize(A(NAN)), stream);
  CallWorkspace call(fn, ws, n, stream);
  launch_reduce(fn, SumStep<T>{}, WriteQuotient<A>{result, static_cast<A>(n)}, x, static_cast<const T*>(nullptr), n,
                call.view(), stream, launch);
}

template <Reducible T>
void variance(const T* x, std::int64_t n, Ddof d, accum_t<T>* result, cudaStream_t stream, Workspace ws,
              LaunchConfig launch) {
  constexpr const char* fn = "cuda::variance";
  const std::int64_t ddof = d.value;
  using A = accum_t<T>;
  check_call(fn, x, static_cast<const T*>(nullptr), false, n, false, result, stream, ws, launch);
  detail::check_ddof(fn, ddof);
  if (n - ddof <= 0) return write_value(fn, result, canonicalize(A(NAN)), stream);
  CallWorkspace call(fn, ws, n, stream);
  const WorkspaceView v = call.view();
  auto* mean_at = static_cast<A*>(v.aux);
  launch_reduce(fn, SumStep<T>{}, WriteQuotient<A>{mean_at, static_cast<A>(n)}, x, static_cast<const T*>(nullptr), n, v,
                stream, launch);
  launch_reduce(fn, VarianceStep<T>{mean_at, A(0)}, WriteQuotient<A>{result, static_cast<A>(n - ddof)}, x,
                static_cast<const T*>(nullptr), n, v, stream, launch);
}

template <Reducible T>
void max(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  extreme<T, Extreme::max, false>("cuda::max", x, n, result, stream, ws, launch);
}
template <Reducible T>
void min(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  extreme<T, Extreme::min, false>("cuda::min", x, n, result, stream, ws, launch);
}
template <Reducible T>
void amax(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  extreme<T, Extreme::amax, false>("cuda::amax", x, n, result, stream, ws, launch);
}
template <Reducible T>
void amin(const T* x, std::int64_t n, accum_t<T>* result, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  extreme<T, Extreme::amin, false>("cuda::amin", x, n, result, stream, ws, launch);
}
template <Reducible T>
void argmax(const T* x, std::int64_t n, std::int64_t* result, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  extreme<T, Extreme::max, true>("cuda::argmax", x, n, result, stream, ws, launch);
}
template <Reducible T>
void argmin(const T* x, std::int64_t n, std::int64_t* result, cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  extreme<T, Extreme::min, true>("cuda::argmin", x, n, result, stream, ws, launch);
}

namespace {

// --- The nrm2 of each of many float vectors (nrm2_each.hpp) -------------------------------------

constexpr int kEachPerLaunch = kTensorsPerLaunch;  // as the lists' elementwise launches
constexpr std::int64_t kEachLongest = detail::kReduceChunk * detail::kReduceChunk;  // one level of partials

// One launch's vectors: xs[k] of n[k] floats, whose chunks are numbered from first[k] on
// (first[count]: all of them), and whose norm goes to norms[slot[k]]. 1.8 KB of parameters.
struct EachGroup {
  const float* xs[kEachPerLaunch];
  std::int64_t n[kEachPerLaunch];
  std::int64_t first[kEachPerLaunch + 1];
  int slot[kEachPerLaunch];
  int count;
};

template <int kMaxThreads>
__global__ void __launch_bounds__(kMaxThreads)
    nrm2_each_kernel(EachGroup g, double* __restrict__ partials, unsigned* ticket, float* __restrict__ norms) {
  constexpr int kBatch = batch_steps<float, 1, kMaxThreads>();
  constexpr int kLevelBatch = batch_steps<double, 1, kMaxThreads>();
  const int t = static_cast<int>(threadIdx.x) % kWarp, w = static_cast<int>(threadIdx.x) / kWarp;
  const int warps_per_block = static_cast<int>(blockDim.x) / kWarp;
  const std::int64_t chunks = g.first[g.count], warps = static_cast<std::int64_t>(gridDim.x) * warps_per_block;
  int k = 0;  // the vector of chunk c: a warp's chunks only grow, so k only moves forward
  for (std::int64_t c = static_cast<std::int64_t>(w) * gridDim.x + blockIdx.x; c < chunks; c += warps) {
    while (c >= g.first[k + 1]) ++k;
    const float* x = g.xs[k];
    const double p = chunk_partial<false, kBatch, kCheckedBatch>(Nrm2Step<float>{}, x, static_cast<const float*>(nullptr),
                                                                 g.n[k], c - g.first[k], aligned_for_packed(x), t);
    if (t == 0) partials[c] = p;
  }
  if (!arrive_last(ticket)) return;
  // Each vector's total: its one partial, or one chunk of its partials (ORDER.md step 5); none: +0.
  for (int v = w; v < g.count; v += warps_per_block) {
    const std::int64_t m = g.first[v + 1] - g.first[v];
    const double* own = partials + g.first[v];
    double total = 0.0;
    if (m == 1) total = __ldcg(own);
    else if (m > 1)
      total = chunk_partial<true, kLevelBatch, kCheckedBatch>(AddStep<double>{}, own, static_cast<const double*>(nullptr),
                                                              m, 0, aligned_for_packed(own), t);
    if (t == 0) WriteRootAsFloat{norms + g.slot[v]}(total);
  }
  if (threadIdx.x == 0) *ticket = 0;  // ready for the next group on this stream
}

// The vectors of one launch each, in list order; longer ones are left to cuda::nrm2.
std::vector<EachGroup> each_groups(std::span<const GradTensor> xs) {
  std::vector<EachGroup> groups;
  for (std::size_t t = 0; t < xs.size(); ++t) {
    if (xs[t].n > kEachLongest) continue;
    if (groups.empty() || groups.back().count == kEachPerLaunch) groups.push_back(EachGroup{});
    EachGroup& g = groups.back();
    g.xs[g.count] = xs[t].data;
    g.n[g.count] = xs[t].n;
    g.slot[g.count] = static_cast<int>(t);
    g.first[g.count + 1] = g.first[g.count] + detail::reduce_chunks(xs[t].n);
    ++g.count;
  }
  return groups;
}

// The workspace: the ticket's header, the largest group's partials, then cuda::nrm2's workspace
// for the longest vector left to it.
struct EachSizes {
  std::size_t partials_bytes, reduce_bytes;
};
EachSizes each_sizes(std::span<const GradTensor> xs, const std::vector<EachGroup>& groups) {
  std::int64_t most = 0, longest = 0;
  for (const EachGroup& g : groups) most = std::max(most, g.first[g.count]);
  for (const GradTensor& x : xs)
    if (x.n > kEachLongest) longest = std::max(longest, x.n);
  const auto partials = static_cast<std::size_t>(level_entries(most)) * sizeof(double);
  return {workspace_round(partials),
          longest > 0 ? reduce_workspace_bytes(longest) : 0};
}

template <int kMaxThreads>
void launch_each_as(const char* fn, const EachGroup& g, double* partials, unsigned* ticket, float* norms,
                    cudaStream_t stream, LaunchConfig launch) {
  const auto kernel = nrm2_each_kernel<kMaxThreads>;
  const int grid = grid_for(fn, kernel, std::max<std::int64_t>(1, g.first[g.count]), launch);
  kernel<<<grid, launch.block_threads, 0, stream>>>(g, partials, ticket, norms);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

}  // namespace

std::size_t nrm2_each_workspace_bytes(std::span<const GradTensor> xs) {
  const EachSizes s = each_sizes(xs, each_groups(xs));
  return kHeaderBytes + s.partials_bytes + s.reduce_bytes;
}

void nrm2_each(const char* fn, std::span<const GradTensor> xs, float* norms, void* ws, cudaStream_t stream,
               LaunchConfig launch) {
  const std::vector<EachGroup> groups = each_groups(xs);
  const EachSizes s = each_sizes(xs, groups);
  auto* const base = static_cast<unsigned char*>(ws);
  auto* const ticket = reinterpret_cast<unsigned*>(base);
  auto* const partials = reinterpret_cast<double*>(base + kHeaderBytes);
  if (!groups.empty()) DETNUM_CUDA_CHECK(fn, cudaMemsetAsync(ticket, 0, sizeof(unsigned), stream));
  for (const EachGroup& g : groups) {
    if (launch.block_threads <= 256) launch_each_as<256>(fn, g, partials, ticket, norms, stream, launch);
    else launch_each_as<1024>(fn, g, partials, ticket, norms, stream, launch);
  }
  for (std::size_t t = 0; t < xs.size(); ++t)
    if (xs[t].n > kEachLongest)
      nrm2(static_cast<const float*>(xs[t].data), xs[t].n, norms + t, stream,
                 Workspace{base + kHeaderBytes + s.partials_bytes, s.reduce_bytes}, launch);
}

#define DETNUM_CUDA_REDUCE(T)                                                                                      \
  template void sum<T>(const T*, std::int64_t, accum_t<T>*, cudaStream_t, Workspace, LaunchConfig);               \
  template void asum<T>(const T*, std::int64_t, accum_t<T>*, cudaStream_t, Workspace, LaunchConfig);              \
  template void dot<T>(const T*, const T*, std::int64_t, accum_t<T>*, cudaStream_t, Workspace, LaunchConfig);     \
  template void nrm2<T>(const T*, std::int64_t, accum_t<T>*, cudaStream_t, Workspace, LaunchConfig);              \
  template void mean<T>(const T*, std::int64_t, accum_t<T>*, cudaStream_t, Workspace, LaunchConfig);              \
  template void variance<T>(const T*, std::int64_t, Ddof, accum_t<T>*, cudaStream_t, Workspace,           \
                            LaunchConfig);                                                                         \
  template void max<T>(const T*, std::int64_t, accum_t<T>*, cudaStream_t, Workspace, LaunchConfig);               \
  template void min<T>(const T*, std::int64_t, accum_t<T>*, cudaStream_t, Workspace, LaunchConfig);               \
  template void amax<T>(const T*, std::int64_t, accum_t<T>*, cudaStream_t, Workspace, LaunchConfig);              \
  template void amin<T>(const T*, std::int64_t, accum_t<T>*, cudaStream_t, Workspace, LaunchConfig);              \
  template void argmax<T>(const T*, std::int64_t, std::int64_t*, cudaStream_t, Workspace, LaunchConfig);          \
  template void argmin<T>(const T*, std::int64_t, std::int64_t*, cudaStream_t, Workspace, LaunchConfig);
DETNUM_CUDA_REDUCE(float)
DETNUM_CUDA_REDUCE(double)
DETNUM_CUDA_REDUCE(bf16)
DETNUM_CUDA_REDUCE(fp16)
#undef DETNUM_CUDA_REDUCE

}  // namespace detnum::cuda
