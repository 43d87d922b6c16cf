// Dropout on CUDA at several launch configurations against the scalar reference, bit for bit,
// over the same cases as the CPU (dropout_cases.hpp); plus unaligned pointers, streams, and the
// errors only a GPU machine can produce.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "detnum/cuda/dropout.hpp"
#include "detnum/dropout.hpp"
#include "detnum/error.hpp"
#include "dropout_cases.hpp"
#include "support/gpu.hpp"

namespace detnum {
namespace {

using test::DeviceBuffer;
using test::DropoutBackend;
using test::DropoutOutput;

template <class T>
std::vector<T> to_host(const T* d, std::size_t n) {
  std::vector<T> h(n);
  if (n > 0 && cudaMemcpy(h.data(), d, n * sizeof(T), cudaMemcpyDeviceToHost) != cudaSuccess) ADD_FAILURE() << "copy back failed";
  return h;
}

template <class T>
void to_device(T* d, const std::vector<T>& h) {
  if (!h.empty() && cudaMemcpy(d, h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice) != cudaSuccess)
    ADD_FAILURE() << "copy failed";
}

// `shift` elements of padding in front of the buffers makes their addresses unaligned for the
// vector loads, so the scalar path is tested too.
template <class T>
DropoutBackend<T> cuda_backend(cuda::LaunchConfig launch, std::size_t shift = 0) {
  return {"cuda/" + std::to_string(launch.block_threads) + "x" + std::to_string(launch.grid_blocks) +
              (shift ? "/unaligned" : ""),
          [=](const std::vector<T>& x, const DropoutParams& p) {
            const auto n = static_cast<std::int64_t>(x.size());
            const auto mbytes = static_cast<std::size_t>(dropout_mask_bytes(n));
            DeviceBuffer<T> dx(x.size() + shift), dy(x.size() + shift);
            DeviceBuffer<std::uint8_t> dm(mbytes + shift);
            to_device(dx.get() + shift, x);
            cudaMemset(dm.get(), 0xAB, mbytes + shift);
            cuda::dropout_forward(dx.get() + shift, dy.get() + shift, n, p, dm.get() + shift, nullptr, launch);
            return DropoutOutput<T>{to_host(dy.get() + shift, x.size()), to_host(dm.get() + shift, mbytes)};
          },
          [=](const std::vector<T>& dy, const std::vector<std::uint8_t>& mask, float p) {
            DeviceBuffer<T> ddy(dy.size() + shift), ddx(dy.size() + shift);
            DeviceBuffer<std::uint8_t> dm(mask.size());
            to_device(ddy.get() + shift, dy);
            to_device(dm.get(), mask);
            cuda::dropout_backward(ddy.get() + shift, dm.get(), ddx.get() + shift, static_cast<std::int64_t>(dy.size()), p,
                                   nullptr, launch);
            return to_host(ddx.get() + shift, dy.size());
          },
          [=](const std::vector<T>& dy, const DropoutParams& p) {
            DeviceBuffer<T> ddy(dy.size() + shift), ddx(dy.size() + shift);
            to_device(ddy.get() + shift, dy);
            cuda::dropout_backward(ddy.get() + shift, ddx.get() + shift, static_cast<std::int64_t>(dy.size()), p, nullptr,
                                   launch);
            return to_host(ddx.get() + shift, dy.size());
          }};
}

const cuda::LaunchConfig kLaunches[] = {{256, 0}, {128, 7}, {1024, 1}, {32, 1000}, {64, 3}};

TEST(DropoutGpu, Float32MatchesReferenceAtEveryLaunch) {
  DETNUM_REQUIRE_GPU();
  for (const auto& launch : kLaunches) test::expect_matches_reference(cuda_backend<float>(launch));
}

TEST(DropoutGpu, Bf16MatchesReferenceAtEveryLaunch) {
  DETNUM_REQUIRE_GPU();
  for (const auto& launch : kLaunches) test::expect_matches_reference(cuda_backend<bf16>(launch));
}

TEST(DropoutGpu, UnalignedPointersMatchReference) {
  DETNUM_REQUIRE_GPU();
  test::expect_matches_reference(cuda_backend<float>({256, 0}, 1));
  test::expect_matches_reference(cuda_backend<bf16>({96, 5}, 3));
}

TEST(DropoutGpu, InPlaceOnAStream) {
  DETNUM_REQUIRE_GPU();
  const DropoutParams p{0.3f, 5, 2};
  const std::vector<float> x = test::random_floats(100003, 1);
  const DropoutOutput<float> want = test::reference_forward(x, p);
  cudaStream_t stream;
  DETNUM_TEST_CUDA(cudaStreamCreate(&stream));
  DeviceBuffer<float> d(x.size());
  to_device(d.get(), x);
  cuda::dropout_forward(d.get(), d.get(), static_cast<std::int64_t>(x.size()), p, nullptr, stream);
  DETNUM_TEST_CUDA(cudaStreamSynchronize(stream));
  DETNUM_TEST_CUDA(cudaStreamDestroy(stream));
  EXPECT_TRUE(test::same_bits(want.y, to_host(d.get(), x.size())));
}

template <class F>
void expect_error(F&& f, ErrorCode code, const std::string& part) {
  try {
    f();
    ADD_FAILURE() << "no detnum::Error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(DropoutGpu, PointersInTheWrongMemorySpace) {
  DETNUM_REQUIRE_GPU();
  std::vector<float> host(64, 1.0f), host_out(64);
  DeviceBuffer<float> dev(64), dev_out(64);
  expect_error([&] { cuda::dropout_forward(host.data(), dev_out.get(), 64, {0.1f, 1, 0}); },
               ErrorCode::wrong_memory_space, "cuda::dropout_forward: x must be device, managed or mapped memory");
  expect_error([&] { dropout_forward(dev.get(), host_out.data(), 64, {0.1f, 1, 0}); }, ErrorCode::wrong_memory_space,
               "dropout_forward: x must be host memory");
  expect_error([&] { ref::dropout_forward(host.data(), dev_out.get(), 64, {0.1f, 1, 0}); }, ErrorCode::wrong_memory_space,
               "y must be host memory");
}

TEST(DropoutGpu, InvalidLaunchConfig) {
  DETNUM_REQUIRE_GPU();
  DeviceBuffer<float> d(64);
  expect_error([&] { cuda::dropout_forward(d.get(), d.get(), 64, {0.1f, 1, 0}, nullptr, nullptr, {100, 0}); },
               ErrorCode::invalid_argument, "launch.block_threads must be a multiple of 32 in [32, 1024], got 100");
}

}  // namespace
}  // namespace detnum
