// Reductions on CUDA against the scalar reference, bit for bit: every op, every type, the sizes
// and input families of reduce_cases.hpp, several launch configurations and both workspace modes
// (the caller's, pre-filled with a sentinel so that no kernel can rely on its contents, with guard
// bytes after it; and Workspace{}, stream-ordered memory of detnum's). Plus streams, the errors
// only a GPU machine can produce (reduce_large_gpu_test.cu goes past 2^31 elements).
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "support/errors.hpp"
#include "detnum/cuda/reduce.hpp"
#include "detnum/error.hpp"
#include "detnum/reduce.hpp"
#include "reduce_cases.hpp"
#include "support/gpu.hpp"
#include "support/large_fill.cuh"

namespace detnum {
namespace {

using test::DeviceBuffer;
using test::kGuardBytes;
using test::kSentinel;
using test::untouched;
using test::Family;
using test::fill_large;
using test::large_value;

const cuda::LaunchConfig kLaunches[] = {{256, 0}, {128, 7}, {1024, 1}, {32, 1000}, {64, 3}};

enum class Op { sum, asum, dot, nrm2, mean, variance, variance_ddof1, max, min, amax, amin, argmax, argmin };
const Op kOps[] = {Op::sum, Op::asum, Op::dot,  Op::nrm2, Op::mean,   Op::variance, Op::variance_ddof1,
                   Op::max, Op::min,  Op::amax, Op::amin, Op::argmax, Op::argmin};

const char* name_of(Op op) {
  switch (op) {
    case Op::sum: return "sum";
    case Op::asum: return "asum";
    case Op::dot: return "dot";
    case Op::nrm2: return "nrm2";
    case Op::mean: return "mean";
    case Op::variance: return "variance";
    case Op::variance_ddof1: return "variance(ddof 1)";
    case Op::max: return "max";
    case Op::min: return "min";
    case Op::amax: return "amax";
    case Op::amin: return "amin";
    case Op::argmax: return "argmax";
    case Op::argmin: return "argmin";
  }
  return "?";
}
bool is_extreme(Op op) { return op >= Op::max; }
bool is_index(Op op) { return op == Op::argmax || op == Op::argmin; }

template <class T> const char* type_name();
template <> const char* type_name<float>() { return "float"; }
template <> const char* type_name<double>() { return "double"; }
template <> const char* type_name<bf16>() { return "bf16"; }
template <> const char* type_name<fp16>() { return "fp16"; }

// A result as its bits (a float, a double or an index), printable.
struct Value {
  std::uint64_t bits = 0;
  int bytes = 0;
  bool is_index = false;
  bool operator==(const Value& o) const { return bits == o.bits && bytes == o.bytes; }
};
template <class A>
Value value_of(A v) {
  Value r;
  std::memcpy(&r.bits, &v, sizeof v);
  r.bytes = sizeof v;
  return r;
}
Value index_value(std::int64_t i) {
  Value r = value_of(i);
  r.is_index = true;
  return r;
}
std::string describe(const Value& v) {
  char buf[96];
  if (v.is_index) {
    std::snprintf(buf, sizeof buf, "index %" PRId64, static_cast<std::int64_t>(v.bits));
  } else if (v.bytes == 4) {
    float f;
    std::memcpy(&f, &v.bits, 4);
    std::snprintf(buf, sizeof buf, "0x%08" PRIx64 " (%.9g)", v.bits, static_cast<double>(f));
  } else {
    double d;
    std::memcpy(&d, &v.bits, 8);
    std::snprintf(buf, sizeof buf, "0x%016" PRIx64 " (%.17g)", v.bits, d);
  }
  return buf;
}

template <class T>
Value reference(Op op, const T* x, const T* y, std::int64_t n) {
  switch (op) {
    case Op::sum: return value_of(ref::sum(x, n));
    case Op::asum: return value_of(ref::asum(x, n));
    case Op::dot: return value_of(ref::dot(x, y, n));
    case Op::nrm2: return value_of(ref::nrm2(x, n));
    case Op::mean: return value_of(ref::mean(x, n));
    case Op::variance: return value_of(ref::variance(x, n, Ddof{0}));
    case Op::variance_ddof1: return value_of(ref::variance(x, n, Ddof{1}));
    case Op::max: return value_of(ref::max(x, n));
    case Op::min: return value_of(ref::min(x, n));
    case Op::amax: return value_of(ref::amax(x, n));
    case Op::amin: return value_of(ref::amin(x, n));
    case Op::argmax: return index_value(ref::argmax(x, n));
    case Op::argmin: return index_value(ref::argmin(x, n));
  }
  return {};
}

// Queues op on the stream; `out` is device memory for one result.
template <class T>
void run(Op op, const T* x, const T* y, std::int64_t n, void* out, cudaStream_t s, cuda::Workspace ws,
         cuda::LaunchConfig l) {
  using A = accum_t<T>;
  auto* r = static_cast<A*>(out);
  auto* ri = static_cast<std::int64_t*>(out);
  switch (op) {
    case Op::sum: return cuda::sum(x, n, r, s, ws, l);
    case Op::asum: return cuda::asum(x, n, r, s, ws, l);
    case Op::dot: return cuda::dot(x, y, n, r, s, ws, l);
    case Op::nrm2: return cuda::nrm2(x, n, r, s, ws, l);
    case Op::mean: return cuda::mean(x, n, r, s, ws, l);
    case Op::variance: return cuda::variance(x, n, Ddof{0}, r, s, ws, l);
    case Op::variance_ddof1: return cuda::variance(x, n, Ddof{1}, r, s, ws, l);
    case Op::max: return cuda::max(x, n, r, s, ws, l);
    case Op::min: return cuda::min(x, n, r, s, ws, l);
    case Op::amax: return cuda::amax(x, n, r, s, ws, l);
    case Op::amin: return cuda::amin(x, n, r, s, ws, l);
    case Op::argmax: return cuda::argmax(x, n, ri, s, ws, l);
    case Op::argmin: return cuda::argmin(x, n, ri, s, ws, l);
  }
}


// One op on the device, its result read back; the result slot and the caller's workspace start
// as sentinels, and the bytes past them must still be sentinels afterwards.
template <class T>
Value device_result(Op op, const T* dx, const T* dy, std::int64_t n, cuda::LaunchConfig launch, bool caller_ws,
                    unsigned char* out, unsigned char* ws, std::size_t ws_bytes) {
  constexpr std::size_t kOut = 16;
  EXPECT_EQ(cudaMemset(out, kSentinel, kOut), cudaSuccess);
  cuda::Workspace w{};
  if (caller_ws) {
    EXPECT_EQ(cudaMemset(ws, kSentinel, ws_bytes + kGuardBytes), cudaSuccess);
    w = {ws, ws_bytes};
  }
  run(op, dx, dy, n, out, nullptr, w, launch);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  Value v;
  v.is_index = is_index(op);
  v.bytes = is_index(op) ? 8 : static_cast<int>(sizeof(accum_t<T>));
  EXPECT_EQ(cudaMemcpy(&v.bits, out, static_cast<std::size_t>(v.bytes), cudaMemcpyDeviceToHost), cudaSuccess);
  EXPECT_EQ(untouched(out, static_cast<std::size_t>(v.bytes), kOut), "") << "result slot";
  if (caller_ws) EXPECT_EQ(untouched(ws, ws_bytes, ws_bytes + kGuardBytes), "") << "past the workspace";
  return v;
}

// The shared sizes, and 2^24 and 2^24 + 1: the last block stages a level of at most 2048
// partials in shared memory (2^24 elements: 2048 chunks), and walks a longer one from global memory.
std::vector<std::int64_t> gpu_sizes() {
  std::vector<std::int64_t> s = test::reduce_sizes();
  s.push_back(std::int64_t{1} << 24);
  s.push_back((std::int64_t{1} << 24) + 1);
  return s;
}

// Every op at every size, family, launch and workspace mode against the reference.
template <class T>
void expect_all_match_reference() {
  DeviceBuffer<unsigned char> out(16);
  int failures = 0;
  for (const Family family : {Family::mixed, Family::finite}) {
    for (const std::int64_t n : gpu_sizes()) {
      const std::vector<T> x = test::reduce_input<T>(n, 1 + static_cast<std::uint64_t>(n), family);
      const std::vector<T> y = test::reduce_input<T>(n, 7 + static_cast<std::uint64_t>(n), family);
      DeviceBuffer<T> dx(static_cast<std::size_t>(n) + 1), dy(static_cast<std::size_t>(n) + 1);
      if (n > 0) {
        ASSERT_EQ(cudaMemcpy(dx.get(), x.data(), x.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
        ASSERT_EQ(cudaMemcpy(dy.get(), y.data(), y.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
      }
      const std::size_t ws_bytes = cuda::reduce_workspace_bytes(n);
      DeviceBuffer<unsigned char> ws(ws_bytes + kGuardBytes);
      for (const Op op : kOps) {
        const std::string where = std::string(name_of(op)) + "<" + type_name<T>() + ">, n " + std::to_string(n) +
                                  (family == Family::mixed ? ", mixed" : ", finite");
        if (is_extreme(op) && n == 0) {
          try {
            run(op, dx.get(), dy.get(), n, out.get(), nullptr, {}, {});
            ADD_FAILURE() << where << ": no error for n = 0";
          } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::size_out_of_range) << e.what();
          }
          continue;
        }
        const Value want = reference(op, x.data(), y.data(), n);
        for (const cuda::LaunchConfig& launch : kLaunches)
          for (const bool caller_ws : {true, false}) {
            const Value got =
                device_result(op, dx.get(), dy.get(), n, launch, caller_ws, out.get(), ws.get(), ws_bytes);
            if (!(got == want)) {
              ADD_FAILURE() << where << ", launch " << launch.block_threads << "x" << launch.grid_blocks
                            << (caller_ws ? ", caller's workspace" : ", Workspace{}") << ": expected "
                            << describe(want) << ", got " << describe(got);
              if (++failures >= 20) FAIL() << "stopping after 20 mismatches";
            }
          }
      }
    }
  }
}

TEST(ReduceGpu, Float32MatchesReference) {
  DETNUM_REQUIRE_GPU();
  expect_all_match_reference<float>();
}
TEST(ReduceGpu, Float64MatchesReference) {
  DETNUM_REQUIRE_GPU();
  expect_all_match_reference<double>();
}
TEST(ReduceGpu, Bf16MatchesReference) {
  DETNUM_REQUIRE_GPU();
  expect_all_match_reference<bf16>();
}
TEST(ReduceGpu, Fp16MatchesReference) {
  DETNUM_REQUIRE_GPU();
  expect_all_match_reference<fp16>();
}

// Pointers off the 16-byte (8-byte for 16-bit types) boundary take the element-by-element path:
// the same bits.
template <class T>
void expect_unaligned_match() {
  DeviceBuffer<unsigned char> out(16);
  for (const std::int64_t n : {std::int64_t{8193}, std::int64_t{100003}}) {
    const std::vector<T> x = test::reduce_input<T>(n, 3, Family::finite);
    const std::vector<T> y = test::reduce_input<T>(n, 4, Family::finite);
    DeviceBuffer<T> dx(static_cast<std::size_t>(n) + 3), dy(static_cast<std::size_t>(n) + 3);
    for (const std::size_t shift : {1, 3}) {
      ASSERT_EQ(cudaMemcpy(dx.get() + shift, x.data(), x.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
      ASSERT_EQ(cudaMemcpy(dy.get() + 1, y.data(), y.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
      for (const Op op : kOps) {
        const Value want = reference(op, x.data(), y.data(), n);
        const Value got = device_result(op, dx.get() + shift, dy.get() + 1, n, {96, 0}, false, out.get(), nullptr, 0);
        EXPECT_TRUE(got == want) << name_of(op) << "<" << type_name<T>() << ">, n " << n << ", shift " << shift
                                 << ": expected " << describe(want) << ", got " << describe(got);
      }
    }
  }
}

TEST(ReduceGpu, UnalignedPointersMatchReference) {
  DETNUM_REQUIRE_GPU();
  expect_unaligned_match<float>();
  expect_unaligned_match<double>();
  expect_unaligned_match<bf16>();
  expect_unaligned_match<fp16>();
}

// Inputs made only of special values (the random families mix them in one in 64): every op at
// every launch against the reference, which reduce_test.cpp pins to the values ORDER.md states.
template <class T>
void expect_special_match(const std::vector<T>& x, const std::string& what) {
  const auto n = static_cast<std::int64_t>(x.size());
  DeviceBuffer<T> dx(x.size());
  DeviceBuffer<unsigned char> out(16);
  ASSERT_EQ(cudaMemcpy(dx.get(), x.data(), x.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
  for (const Op op : kOps) {
    const Value want = reference(op, x.data(), x.data(), n);
    for (const cuda::LaunchConfig& launch : kLaunches) {
      const Value got = device_result(op, dx.get(), dx.get(), n, launch, false, out.get(), nullptr, 0);
      EXPECT_TRUE(got == want) << what << ": " << name_of(op) << " at " << launch.block_threads << "x"
                               << launch.grid_blocks << ": expected " << describe(want) << ", got " << describe(got);
    }
  }
}

template <class T>
std::vector<T> filled(std::int64_t n, T v, std::initializer_list<std::pair<std::int64_t, T>> at = {}) {
  std::vector<T> x(static_cast<std::size_t>(n), v);
  for (const auto& [i, e] : at) x[static_cast<std::size_t>(i)] = e;
  return x;
}

TEST(ReduceGpu, SpecialValuesMatchReference) {
  DETNUM_REQUIRE_GPU();
  const float inf = std::numeric_limits<float>::infinity(), nan = float_from_bits(0xFFC12345u);
  for (const std::int64_t n : {1, 3, 128, 129, 8192, 8193, 100000}) {
    const std::string at = ", n = " + std::to_string(n);
    expect_special_match(filled(n, -0.0f), "all -0" + at);
    expect_special_match(filled(n, -0.0f, {{n / 2, 0.0f}}), "-0 and one +0" + at);
    expect_special_match(filled(n, -0.0), "all double -0" + at);
  }
  for (const std::int64_t n : {3, 300, 70000}) {
    const std::string at = ", n = " + std::to_string(n);
    expect_special_match(filled(n, 1.0f, {{1, inf}}), "+inf" + at);
    expect_special_match(filled(n, 1.0f, {{1, inf}, {n - 1, -inf}}), "+-inf" + at);
    expect_special_match(filled(n, 1.0f, {{1, inf}, {n - 1, nan}}), "NaN" + at);
    expect_special_match(filled(n, 2.0, {{n / 2, double_from_bits(0xFFF0000000000BADull)}}), "double NaN" + at);
    expect_special_match(filled(n, bf16{0x3F80}, {{n - 1, bf16{0xFFC1}}}), "bf16 NaN" + at);
    expect_special_match(filled(n, fp16{0x3C00}, {{n / 3, fp16{0x7C01}}}), "fp16 NaN" + at);
  }
  for (const std::int64_t n : {1, 4, 1000, 20000}) {
    const std::string at = ", n = " + std::to_string(n);
    expect_special_match(filled(n, std::numeric_limits<float>::denorm_min()), "float subnormals" + at);
    // double nrm2 scales subnormals by more than 2^1023 (two multiplications).
    expect_special_match(filled(n, std::numeric_limits<double>::denorm_min()), "double subnormals" + at);
    expect_special_match(filled(n, fp16{0x0001}), "fp16 subnormals" + at);
  }
  for (const std::int64_t n : {2, 3, 256, 9000}) {
    const std::string at = ", n = " + std::to_string(n);
    expect_special_match(filled(n, FLT_MAX), "FLT_MAX" + at);
    std::vector<float> alternating = filled(n, FLT_MAX);
    for (std::int64_t i = 1; i < n; i += 2) alternating[static_cast<std::size_t>(i)] = -FLT_MAX;
    expect_special_match(alternating, "+-FLT_MAX" + at);
    expect_special_match(filled(n, 0x1p1022), "2^1022" + at);
  }
}

// Ties and NaNs in the extremes: the lowest index wins whichever block sees it first.
TEST(ReduceGpu, ExtremesTakeTheFirstTieAndTheFirstNan) {
  DETNUM_REQUIRE_GPU();
  const std::int64_t n = 3 * 8192 * 100 + 17;
  std::vector<float> x(static_cast<std::size_t>(n), 1.0f);
  for (const std::int64_t i : {std::int64_t{5000}, std::int64_t{700000}, n - 1}) x[i] = 7.0f;   // ties of max
  for (const std::int64_t i : {std::int64_t{9000}, std::int64_t{800000}}) x[i] = -7.0f;        // ties of min
  x[12345] = -0.0f;
  DeviceBuffer<float> dx(x.size());
  DeviceBuffer<unsigned char> out(16);
  ASSERT_EQ(cudaMemcpy(dx.get(), x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice), cudaSuccess);
  for (const cuda::LaunchConfig& launch : kLaunches) {
    for (const Op op : {Op::argmax, Op::argmin, Op::amax, Op::amin})
      EXPECT_TRUE(device_result(op, dx.get(), dx.get(), n, launch, false, out.get(), nullptr, 0) ==
                  reference(op, x.data(), x.data(), n))
          << name_of(op) << " at " << launch.block_threads << "x" << launch.grid_blocks;
  }
  // NaNs late and early: the first one.
  x[600001] = float_from_bits(0xFFC12345u);
  x[400003] = float_from_bits(0x7F800001u);
  ASSERT_EQ(cudaMemcpy(dx.get(), x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice), cudaSuccess);
  for (const cuda::LaunchConfig& launch : kLaunches)
    for (const Op op : {Op::argmax, Op::argmin, Op::max, Op::amin}) {
      const Value got = device_result(op, dx.get(), dx.get(), n, launch, false, out.get(), nullptr, 0);
      EXPECT_TRUE(got == reference(op, x.data(), x.data(), n)) << name_of(op) << ": " << describe(got);
    }
}

// On a stream of the caller's, with and without a workspace, repeated: the same bits each time.
TEST(ReduceGpu, OnAStreamRepeatedly) {
  DETNUM_REQUIRE_GPU();
  const std::int64_t n = 1000003;
  const std::vector<float> x = test::reduce_input<float>(n, 11, Family::finite);
  const float want = ref::sum(x.data(), n);
  const float want_var = ref::variance(x.data(), n, Ddof{1});
  cudaStream_t stream;
  ASSERT_EQ(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), cudaSuccess);
  DeviceBuffer<float> dx(x.size()), results(8);
  DeviceBuffer<unsigned char> ws(cuda::reduce_workspace_bytes(n));
  ASSERT_EQ(cudaMemcpy(dx.get(), x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice), cudaSuccess);
  for (int r = 0; r < 4; ++r) {
    const cuda::Workspace w = r % 2 ? cuda::Workspace{ws.get(), ws.size()} : cuda::Workspace{};
    cuda::sum(dx.get(), n, results.get() + 2 * r, stream, w);
    cuda::variance(dx.get(), n, Ddof{1}, results.get() + 2 * r + 1, stream, w);
  }
  std::vector<float> got(8);
  ASSERT_EQ(cudaMemcpyAsync(got.data(), results.get(), 8 * sizeof(float), cudaMemcpyDeviceToHost, stream), cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  ASSERT_EQ(cudaStreamDestroy(stream), cudaSuccess);
  for (int r = 0; r < 4; ++r) {
    EXPECT_TRUE(test::same_value(want, got[2 * r])) << "sum, call " << r;
    EXPECT_TRUE(test::same_value(want_var, got[2 * r + 1])) << "variance, call " << r;
  }
}

// x rewritten by a kernel right before each call on the same stream, with no wait between: every
// call must read the values of its own round (a launch that let a pass start early, before the
// work ahead of it on the stream, would read the round before's).

TEST(ReduceGpu, ReadsTheInputTheKernelBeforeItWrote) {
  DETNUM_REQUIRE_GPU();
  const std::int64_t n = 3 * detail::kReduceChunk * 100 + 17;  // several levels, a partial chunk
  constexpr int kRounds = 4;
  cudaStream_t stream;
  ASSERT_EQ(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), cudaSuccess);
  DeviceBuffer<float> dx(static_cast<std::size_t>(n)), results(2 * kRounds);
  DeviceBuffer<double> dd(static_cast<std::size_t>(n)), norms(kRounds);
  DeviceBuffer<unsigned char> ws(cuda::reduce_workspace_bytes(n));
  for (int r = 0; r < kRounds; ++r) {
    const cuda::Workspace w = r % 2 ? cuda::Workspace{ws.get(), ws.size()} : cuda::Workspace{};
    fill_large<<<256, 256, 0, stream>>>(dx.get(), n, 977 * r);
    cuda::sum(dx.get(), n, results.get() + 2 * r, stream, w);
    fill_large<<<256, 256, 0, stream>>>(dx.get(), n, 977 * (r + kRounds));
    cuda::variance(dx.get(), n, Ddof{1}, results.get() + 2 * r + 1, stream, w);
    fill_large<<<256, 256, 0, stream>>>(dd.get(), n, 977 * r);
    cuda::nrm2(static_cast<const double*>(dd.get()), n, norms.get() + r, stream, w);
  }
  DETNUM_TEST_CUDA(cudaGetLastError());
  std::vector<float> got(2 * kRounds);
  std::vector<double> got_norms(kRounds);
  DETNUM_TEST_CUDA(cudaMemcpyAsync(got.data(), results.get(), got.size() * sizeof(float), cudaMemcpyDeviceToHost, stream));
  DETNUM_TEST_CUDA(cudaMemcpyAsync(got_norms.data(), norms.get(), got_norms.size() * sizeof(double),
                                   cudaMemcpyDeviceToHost, stream));
  DETNUM_TEST_CUDA(cudaStreamSynchronize(stream));
  ASSERT_EQ(cudaStreamDestroy(stream), cudaSuccess);
  std::vector<float> x(static_cast<std::size_t>(n));
  std::vector<double> xd(static_cast<std::size_t>(n));
  for (int r = 0; r < kRounds; ++r) {
    for (std::int64_t i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = large_value(i + 977 * r);
    EXPECT_TRUE(test::same_value(ref::sum(x.data(), n), got[2 * r])) << "sum, round " << r;
    for (std::int64_t i = 0; i < n; ++i) xd[static_cast<std::size_t>(i)] = large_value(i + 977 * r);
    EXPECT_TRUE(test::same_value(ref::nrm2(xd.data(), n), got_norms[static_cast<std::size_t>(r)])) << "nrm2, round " << r;
    for (std::int64_t i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = large_value(i + 977 * (r + kRounds));
    EXPECT_TRUE(test::same_value(ref::variance(x.data(), n, Ddof{1}), got[2 * r + 1])) << "variance, round " << r;
  }
}

using test::expect_error;

TEST(ReduceGpu, PointersInTheWrongMemorySpace) {
  DETNUM_REQUIRE_GPU();
  std::vector<float> host(64, 1.0f);
  float host_result = 0.0f;
  std::int64_t host_index = 0;
  DeviceBuffer<float> dev(64), dev_result(1);
  expect_error([&] { cuda::sum(dev.get(), 64, &host_result); }, ErrorCode::wrong_memory_space,
               "cuda::sum: result must be device, managed or mapped memory");
  expect_error([&] { cuda::argmax(dev.get(), 64, &host_index); }, ErrorCode::wrong_memory_space,
               "cuda::argmax: result must be device");
  expect_error([&] { cuda::dot(dev.get(), host.data(), 64, dev_result.get()); }, ErrorCode::wrong_memory_space,
               "cuda::dot: y must be device");
  expect_error([&] { cuda::nrm2(host.data(), 64, dev_result.get()); }, ErrorCode::wrong_memory_space,
               "cuda::nrm2: x must be device");
  expect_error([&] { cuda::sum(dev.get(), 64, dev_result.get(), nullptr, {host.data(), 4096}); },
               ErrorCode::wrong_memory_space, "cuda::sum: ws.ptr must be device");
}

TEST(ReduceGpu, InvalidArguments) {
  DETNUM_REQUIRE_GPU();
  DeviceBuffer<float> d(1 << 16), r(1);
  DeviceBuffer<unsigned char> ws(cuda::reduce_workspace_bytes(1 << 16) + 256);
  expect_error([&] { cuda::sum(d.get(), 64, r.get(), nullptr, {}, {100, 0}); }, ErrorCode::invalid_argument,
               "cuda::sum: launch.block_threads must be a multiple of 32 in [32, 1024], got 100");
  expect_error([&] { cuda::mean(d.get(), 64, r.get(), nullptr, {}, {64, -1}); }, ErrorCode::invalid_argument,
               "cuda::mean: launch.grid_blocks must be 0 (fill the device) or positive, got -1");
  expect_error([&] { cuda::variance(d.get(), 64, Ddof{-1}, r.get()); }, ErrorCode::invalid_argument,
               "cuda::variance: ddof must be >= 0, got -1");
  expect_error([&] { cuda::sum(d.get(), 1 << 16, r.get(), nullptr, {ws.get(), 256}); }, ErrorCode::invalid_argument,
               "cuda::sum: ws.bytes must be at least reduce_workspace_bytes(n)");
  expect_error([&] { cuda::asum(d.get(), 1 << 16, r.get(), nullptr, {ws.get() + 8, ws.size() - 8}); },
               ErrorCode::invalid_argument, "cuda::asum: ws.ptr must be 256-byte aligned");
  expect_error([&] { cuda::sum(d.get(), 64, static_cast<float*>(nullptr)); }, ErrorCode::null_pointer,
               "cuda::sum: result must not be null");
  expect_error([&] { cuda::sum(static_cast<const float*>(nullptr), 64, r.get()); }, ErrorCode::null_pointer,
               "cuda::sum: x must not be null");
  expect_error([&] { cuda::sum(d.get(), -1, r.get()); }, ErrorCode::size_out_of_range, "cuda::sum: n must be >= 0");
  expect_error([&] { cuda::argmin(d.get(), 0, reinterpret_cast<std::int64_t*>(r.get())); },
               ErrorCode::size_out_of_range, "cuda::argmin: n must be >= 1");
}

}  // namespace
}  // namespace detnum
