// Dropout on CUDA at several launch configurations against the scalar reference, bit for bit,
// over the same cases as the CPU (dropout_cases.hpp); plus unaligned pointers, streams, and the
// errors only a GPU machine can produce.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "support/errors.hpp"
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

// n elements of device memory placed `shift` elements past a 256-byte boundary, with sentinel
// bytes before and after: outputs start as sentinels (so an element nobody wrote shows), and
// guards() reports a write outside the n elements.
template <class T>
class Placed {
 public:
  static constexpr unsigned char kSentinel = 0xA5;
  static constexpr std::size_t kGuard = 64;

  Placed(std::size_t n, std::size_t shift) : n_(n), shift_(shift), buf_(shift + n + kGuard) {
    if (cudaMemset(buf_.get(), kSentinel, buf_.size() * sizeof(T)) != cudaSuccess) ADD_FAILURE() << "cudaMemset failed";
  }
  T* get() const { return buf_.get() + shift_; }
  void upload(const std::vector<T>& h) {
    if (!h.empty() && cudaMemcpy(get(), h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice) != cudaSuccess)
      ADD_FAILURE() << "copy to device failed";
  }
  std::vector<T> download() const { return slice(shift_, n_); }
  // "" when the padding on both sides still holds sentinels, else where it does not.
  std::string guards() const {
    const std::vector<T> all = slice(0, buf_.size());
    const auto* bytes = reinterpret_cast<const unsigned char*>(all.data());
    for (std::size_t b = 0; b < all.size() * sizeof(T); ++b) {
      const bool inside = b >= shift_ * sizeof(T) && b < (shift_ + n_) * sizeof(T);
      if (!inside && bytes[b] != kSentinel)
        return "byte " + std::to_string(static_cast<long long>(b) - static_cast<long long>(shift_ * sizeof(T))) +
               " relative to the buffer was written";
    }
    return "";
  }

 private:
  std::vector<T> slice(std::size_t from, std::size_t count) const {
    std::vector<T> h(count);
    if (count > 0 && cudaMemcpy(h.data(), buf_.get() + from, count * sizeof(T), cudaMemcpyDeviceToHost) != cudaSuccess)
      ADD_FAILURE() << "copy to host failed";
    return h;
  }
  std::size_t n_, shift_;
  DeviceBuffer<T> buf_;
};

// Misalignment of each pointer, in elements (x, y) and bytes (mask).
struct Shifts {
  std::size_t x = 0, y = 0, mask = 0;
};

template <class T>
DropoutBackend<T> cuda_backend(cuda::LaunchConfig launch, Shifts sh = {}) {
  return {"cuda/" + std::to_string(launch.block_threads) + "x" + std::to_string(launch.grid_blocks) + "/shift" +
              std::to_string(sh.x) + std::to_string(sh.y) + std::to_string(sh.mask),
          [=](const std::vector<T>& x, const DropoutParams& p) {
            const auto n = static_cast<std::int64_t>(x.size());
            Placed<T> dx(x.size(), sh.x), dy(x.size(), sh.y);
            Placed<std::uint8_t> dm(static_cast<std::size_t>(dropout_mask_bytes(n)), sh.mask);
            dx.upload(x);
            cuda::dropout_forward(dx.get(), dy.get(), n, p, dm.get(), nullptr, launch);
            EXPECT_EQ(dy.guards(), "") << "y";
            EXPECT_EQ(dm.guards(), "") << "mask";
            return DropoutOutput<T>{dy.download(), dm.download()};
          },
          [=](const std::vector<T>& dy, const std::vector<std::uint8_t>& mask, float p) {
            Placed<T> ddy(dy.size(), sh.x), ddx(dy.size(), sh.y);
            Placed<std::uint8_t> dm(mask.size(), sh.mask);
            ddy.upload(dy);
            dm.upload(mask);
            cuda::dropout_backward(ddy.get(), dm.get(), ddx.get(), static_cast<std::int64_t>(dy.size()), p, nullptr, launch);
            EXPECT_EQ(ddx.guards(), "") << "dx";
            return ddx.download();
          },
          [=](const std::vector<T>& dy, const DropoutParams& p) {
            Placed<T> ddy(dy.size(), sh.x), ddx(dy.size(), sh.y);
            ddy.upload(dy);
            cuda::dropout_backward(ddy.get(), ddx.get(), static_cast<std::int64_t>(dy.size()), p, nullptr, launch);
            EXPECT_EQ(ddx.guards(), "") << "dx";
            return ddx.download();
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
  for (const Shifts sh : {Shifts{1, 0, 0}, Shifts{0, 3, 1}, Shifts{2, 2, 3}}) {
    test::expect_matches_reference(cuda_backend<float>({256, 0}, sh));
    test::expect_matches_reference(cuda_backend<bf16>({96, 5}, sh));
  }
}

// Past 2^31 elements, in place on the device: the tail matches the reference run on the tail
// alone (at the tail's offset).
TEST(DropoutGpu, PastTwoToThe31MatchesTheReferenceOnTheTail) {
  DETNUM_REQUIRE_GPU();
  const std::int64_t n = (std::int64_t{1} << 31) + 1000, tail = 65536, k = n - tail;
  const DropoutParams p{0.25f, 31, 5};
  DeviceBuffer<float> d(static_cast<std::size_t>(n));
  DeviceBuffer<std::uint8_t> dm(static_cast<std::size_t>(dropout_mask_bytes(n)));
  DETNUM_TEST_CUDA(cudaMemset(d.get(), 0x3F, static_cast<std::size_t>(n) * sizeof(float)));  // every x = 0x3F3F3F3F
  cuda::dropout_forward(d.get(), d.get(), n, p, dm.get());
  std::vector<float> got(tail);
  std::vector<std::uint8_t> got_mask(tail / 8);
  DETNUM_TEST_CUDA(cudaMemcpy(got.data(), d.get() + k, tail * sizeof(float), cudaMemcpyDeviceToHost));
  DETNUM_TEST_CUDA(cudaMemcpy(got_mask.data(), dm.get() + k / 8, tail / 8, cudaMemcpyDeviceToHost));
  const std::vector<float> x(tail, float_from_bits(0x3F3F3F3Fu));
  std::vector<float> want(tail);
  std::vector<std::uint8_t> want_mask(tail / 8);
  ref::dropout_forward(x.data(), want.data(), tail, {p.p, p.seed, p.offset + static_cast<std::uint64_t>(k)}, want_mask.data());
  EXPECT_TRUE(test::same_bits(want, got));
  EXPECT_TRUE(test::same_bits(want_mask, got_mask));
}

TEST(DropoutGpu, InPlaceOnAStream) {
  DETNUM_REQUIRE_GPU();
  const DropoutParams p{0.3f, 5, 2};
  const std::vector<float> x = test::random_floats(100003, 1);
  const DropoutOutput<float> want = test::reference_forward(x, p);
  cudaStream_t stream;
  DETNUM_TEST_CUDA(cudaStreamCreate(&stream));
  Placed<float> d(x.size(), 0);
  d.upload(x);
  cuda::dropout_forward(d.get(), d.get(), static_cast<std::int64_t>(x.size()), p, nullptr, stream);
  DETNUM_TEST_CUDA(cudaStreamSynchronize(stream));
  DETNUM_TEST_CUDA(cudaStreamDestroy(stream));
  EXPECT_TRUE(test::same_bits(want.y, d.download()));
}

using test::expect_error;

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
