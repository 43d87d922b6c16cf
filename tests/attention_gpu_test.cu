// Scaled dot-product attention on a CUDA device: the reference's bits for every case, GEMM tile,
// split of k and row-kernel launch, with detnum's workspace and with the caller's; on a stream of
// its own; errors before anything runs.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "attention_cases.hpp"
#include "detnum/attention.hpp"
#include "detnum/cuda/attention.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"
#include "support/gpu.hpp"

namespace detnum::test {
namespace {

struct CudaAttentionCalls {
  cudaStream_t stream;
  cuda::Workspace ws;
  cuda::AttentionConfig config;
  void forward(const float* q, const float* k, const float* v, float* out, float* p, const AttentionShape& s,
               const AttentionOptions& o) const {
    cuda::scaled_dot_product_attention(q, k, v, out, p, s, o, stream, ws, config);
  }
  void backward(const float* q, const float* k, const float* v, const float* p, const float* dout, float* dq,
                float* dk, float* dv, const AttentionShape& s, const AttentionOptions& o) const {
    cuda::scaled_dot_product_attention_backward(q, k, v, p, dout, dq, dk, dv, s, o, stream, ws, config);
  }
};

// A case's inputs and outputs on the device (the outputs as the sentinels of attention_buffers).
struct DeviceCase {
  DeviceBuffer<float> q, k, v, dout, out, probs, dq, dk, dv;
  explicit DeviceCase(const AttentionCase& c, const AttentionOutputs& start = {})
      : q(to_device(c.q)), k(to_device(c.k)), v(to_device(c.v)), dout(to_device(c.dout)), out(to_device(start.out)),
        probs(to_device(start.probs)), dq(to_device(start.dq)), dk(to_device(start.dk)), dv(to_device(start.dv)) {}
  void run(const CudaAttentionCalls& f, const AttentionCase& c) const {
    call_attention(f, c, q.get(), k.get(), v.get(), dout.get(), out.get(), probs.get(), dq.get(), dk.get(), dv.get());
  }
  AttentionOutputs outputs() const { return {to_host(out), to_host(probs), to_host(dq), to_host(dk), to_host(dv)}; }
};

constexpr cuda::AttentionConfig kConfigs[] = {
    {},
    {{cuda::GemmTile::m64n64, 1}, {64, 3}},
    {{cuda::GemmTile::m128n128, 3}, {1024, 1}},
};

TEST(AttentionGpu, SameAsTheCpu) {
  DETNUM_REQUIRE_GPU();
  for_each_attention_case([](const AttentionCase& c, const AttentionOutputs& want) {
    for (const cuda::AttentionConfig& config : kConfigs)
      for (const bool own_workspace : {false, true}) {
        const DeviceCase d(c, attention_buffers(c));
        const std::size_t bytes = cuda::attention_workspace_bytes(c.shape);
        DeviceBuffer<unsigned char> ws(own_workspace ? bytes : 0);
        d.run({nullptr, own_workspace ? cuda::Workspace{ws.get(), bytes} : cuda::Workspace{}, config}, c);
        DETNUM_TEST_CUDA(cudaDeviceSynchronize());
        EXPECT_TRUE(same_outputs(want, d.outputs()))
            << "tile " << static_cast<int>(config.gemm.tile) << ", split " << config.gemm.split_k << ", rows' block "
            << config.rows.block_threads << (own_workspace ? ", caller's workspace" : "");
      }
  });
}

// Both passes on a non-blocking stream with stream-ordered workspace, waited for by that stream
// alone.
TEST(AttentionGpu, OnAStreamOfItsOwn) {
  DETNUM_REQUIRE_GPU();
  const AttentionCase c({4, 64, 300, 32, 32}, {.is_causal = true, .causal_offset = 236});
  const DeviceCase d(c, attention_buffers(c));
  cudaStream_t stream = nullptr;
  DETNUM_TEST_CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  d.run({stream, {}, {}}, c);
  DETNUM_TEST_CUDA(cudaStreamSynchronize(stream));
  DETNUM_TEST_CUDA(cudaStreamDestroy(stream));
  EXPECT_TRUE(same_outputs(reference_attention(c), d.outputs()));
}

TEST(AttentionGpu, Errors) {
  DETNUM_REQUIRE_GPU();
  const AttentionCase c({2, 3, 4, 5, 6}, {});
  const AttentionOutputs start = attention_buffers(c);
  const DeviceCase d(c, start);
  const auto forward = [&](cuda::AttentionConfig config, cuda::Workspace ws = {}) {
    return [&, config, ws] {
      cuda::scaled_dot_product_attention(d.q.get(), d.k.get(), d.v.get(), d.out.get(), d.probs.get(), c.shape, {},
                                         nullptr, ws, config);
    };
  };
  expect_error(forward({{static_cast<cuda::GemmTile>(7), 0}, {}}), ErrorCode::invalid_argument, "config.gemm.tile");
  expect_error(forward({{cuda::GemmTile::automatic, -1}, {}}), ErrorCode::invalid_argument, "config.gemm.split_k");
  expect_error(forward({{}, {33, 0}}), ErrorCode::invalid_argument, "config.rows.block_threads");
  const std::size_t bytes = cuda::attention_workspace_bytes(c.shape);
  DeviceBuffer<unsigned char> ws(bytes);
  expect_error(forward({}, {ws.get(), 8}), ErrorCode::invalid_argument, "cuda::attention_workspace_bytes(shape)");
  expect_error(forward({}, {d.probs.get(), bytes}), ErrorCode::unsupported_aliasing, "ws.ptr");
  DeviceBuffer<unsigned char> wide(bytes + 256);
  expect_error(forward({}, {wide.get() + 4, bytes}), ErrorCode::invalid_argument, "256-byte aligned");
  const auto backward = [&](cuda::AttentionConfig config, cuda::Workspace ws = {}) {
    return [&, config, ws] {
      cuda::scaled_dot_product_attention_backward(d.q.get(), d.k.get(), d.v.get(), d.probs.get(), d.dout.get(),
                                                  d.dq.get(), d.dk.get(), d.dv.get(), c.shape, {}, nullptr, ws, config);
    };
  };
  expect_error(backward({{cuda::GemmTile::automatic, -2}, {}}), ErrorCode::invalid_argument, "config.gemm.split_k");
  expect_error(backward({{}, {64, -1}}), ErrorCode::invalid_argument, "config.rows.grid_blocks");
  expect_error(backward({}, {ws.get(), bytes - 1}), ErrorCode::invalid_argument, "cuda::attention_workspace_bytes");
  expect_error(backward({}, {d.dv.get(), bytes}), ErrorCode::unsupported_aliasing, "ws.ptr");
  std::vector<float> host_q = c.q;
  expect_error([&] {
    cuda::scaled_dot_product_attention(host_q.data(), d.k.get(), d.v.get(), d.out.get(), d.probs.get(), c.shape);
  }, ErrorCode::wrong_memory_space, "q");
  expect_error([&] {
    cuda::scaled_dot_product_attention_backward(d.q.get(), d.k.get(), d.v.get(), d.probs.get(), d.dout.get(),
                                                d.dq.get(), d.dq.get(), d.dv.get(), c.shape);
  }, ErrorCode::unsupported_aliasing, "dq");
  expect_error([&] { cuda::attention_workspace_bytes({1, -2, 3, 4, 5}); }, ErrorCode::size_out_of_range,
               "shape.queries");
  DETNUM_TEST_CUDA(cudaDeviceSynchronize());
  EXPECT_TRUE(same_outputs(start, d.outputs())) << "a call that threw wrote something";
}

}  // namespace
}  // namespace detnum::test
