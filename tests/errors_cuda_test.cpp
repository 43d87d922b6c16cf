// CUDA entry points refuse bad input on any machine: a launch configuration out of range, and
// (without a GPU) the CUDA runtime's own error, reported with the call that failed.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "detnum/cuda/dropout.hpp"
#include "detnum/cuda/embedding.hpp"
#include "detnum/cuda/reduce.hpp"
#include "detnum/error.hpp"
#include "support/errors.hpp"
#include "support/gpu.hpp"

namespace detnum {
namespace {

using test::expect_error;

TEST(CudaErrors, LaunchConfigIsCheckedBeforeAnyWork) {
  for (const cuda::LaunchConfig bad : {cuda::LaunchConfig{0, 0}, {33, 0}, {2048, 0}, {256, -1}}) {
    try {
      cuda::dropout_forward(static_cast<const float*>(nullptr), nullptr, 0, {0.1f, 1, 0}, nullptr, nullptr, bad);
      ADD_FAILURE() << "no error for block " << bad.block_threads << " grid " << bad.grid_blocks;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::invalid_argument) << e.what();
      EXPECT_EQ(std::string(e.what()).rfind("cuda::dropout_forward: launch.", 0), 0u) << e.what();
    }
  }
}

// Workspace sizes are worked out on the host, device or not: none for a sum of no rows (this
// once looped forever), the split lanes of a level of few column tiles, none for one chunk of
// more than 512 tiles (never split), and the levels of longer columns.
TEST(CudaErrors, AxisWorkspaceSizesNeedNoDevice) {
  EXPECT_EQ(cuda::column_sums_workspace_bytes(MatrixLayout::dense(0, 5)), 0u);
  EXPECT_EQ(cuda::column_sums_workspace_bytes(MatrixLayout::dense(0, 0)), 0u);
  EXPECT_EQ(cuda::row_sums_workspace_bytes(MatrixLayout::dense(0, 5)), 0u);
  EXPECT_GE(cuda::column_sums_workspace_bytes(MatrixLayout::dense(4096, 1024)), std::size_t{1024} * 8 * 8);
  EXPECT_EQ(cuda::column_sums_workspace_bytes(MatrixLayout::dense(100, 513 * 32)), 0u);
  EXPECT_GE(cuda::column_sums_workspace_bytes(MatrixLayout::dense(8193, 513 * 32)), std::size_t{513 * 32} * 2 * 8);
  EXPECT_EQ(cuda::column_sums_workspace_bytes(MatrixLayout::dense(64, 64)) % 256, 0u);
}

TEST(CudaErrors, HostPointerIsRefusedOrTheRuntimeErrorNamed) {
  std::vector<float> x(16, 1.0f), y(16, 2.0f);
  try {
    cuda::dropout_forward(x.data(), y.data(), 16, {0.1f, 1, 0});
    ADD_FAILURE() << "no error for host pointers";
  } catch (const Error& e) {
    if (test::has_cuda_device()) {
      EXPECT_EQ(e.code(), ErrorCode::wrong_memory_space) << e.what();
    } else {
      // No GPU: the runtime's error, with the call that failed and CUDA's message.
      EXPECT_EQ(e.code(), ErrorCode::cuda_error) << e.what();
      EXPECT_NE(std::string(e.what()).find("cudaPointerGetAttributes"), std::string::npos) << e.what();
    }
  }
  for (float v : y) EXPECT_EQ(v, 2.0f);
}

// The part of a caller's workspace that a call uses must not overlap its inputs or outputs (the
// workspace is written while inputs are read, before outputs are): an error, nothing run.
TEST(CudaErrors, WorkspaceApartFromTheCallsBuffers) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t n = 1 << 20;
  const std::size_t need = cuda::reduce_workspace_bytes(n);
  test::DeviceBuffer<unsigned char> ws(need + 4096);
  test::DeviceBuffer<float> x(n);
  expect_error([&] { cuda::sum(x.get(), n, reinterpret_cast<float*>(ws.get()), nullptr, {ws.get(), need}); },
               ErrorCode::unsupported_aliasing, "cuda::sum: ws.ptr and result must not overlap");
  expect_error([&] { cuda::sum(reinterpret_cast<const float*>(ws.get()), 1000, x.get(), nullptr, {ws.get(), need}); },
               ErrorCode::unsupported_aliasing, "ws.ptr and x must not overlap");
  // The result just past the bytes the call uses is fine.
  EXPECT_NO_THROW(cuda::sum(x.get(), 1000, reinterpret_cast<float*>(ws.get() + need + 256), nullptr,
                            {ws.get(), cuda::reduce_workspace_bytes(1000)}));
  const MatrixLayout m = MatrixLayout::dense(64, 20000);
  const std::size_t levels = cuda::row_sums_workspace_bytes(m);
  test::DeviceBuffer<unsigned char> big(levels + 64 * sizeof(float));
  test::DeviceBuffer<float> matrix(64 * 20000);
  expect_error(
      [&] { cuda::row_sums(matrix.get(), m, reinterpret_cast<float*>(big.get()) + 8, nullptr, {big.get(), levels}); },
      ErrorCode::unsupported_aliasing, "cuda::row_sums: ws.ptr and out must not overlap");
  test::DeviceBuffer<std::int32_t> ids(8);
  ASSERT_EQ(cudaMemset(ids.get(), 0, 8 * sizeof(std::int32_t)), cudaSuccess);
  const std::size_t emb = cuda::embedding_backward_workspace_bytes(8, 100);
  test::DeviceBuffer<unsigned char> table(emb + 100 * 4 * sizeof(float));
  expect_error(
      [&] {
        cuda::embedding_backward(ids.get(), 8, x.get(), 100, 4, reinterpret_cast<float*>(table.get()), nullptr,
                                 {table.get(), emb});
      },
      ErrorCode::unsupported_aliasing, "ws.ptr and dtable must not overlap");
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
}

// An error left pending by earlier work is named as such, before this call runs anything; the
// next call, once the caller has cleared it, runs.
TEST(CudaErrors, AnEarlierPendingErrorIsNotThisCalls) {
  DETNUM_REQUIRE_GPU();
  test::DeviceBuffer<float> x(1000), result(1);
  void* huge = nullptr;
  ASSERT_NE(cudaMalloc(&huge, std::size_t{1} << 62), cudaSuccess);  // fails, and stays the last error
  expect_error([&] { cuda::sum(x.get(), 1000, result.get()); }, ErrorCode::cuda_error,
               "cuda::sum: a CUDA error from before this call is pending: cudaErrorMemoryAllocation");
  EXPECT_EQ(cudaGetLastError(), cudaErrorMemoryAllocation);
  EXPECT_NO_THROW(cuda::sum(x.get(), 1000, result.get()));
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
}

}  // namespace
}  // namespace detnum
