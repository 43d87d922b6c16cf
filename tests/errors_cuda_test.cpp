// CUDA entry points refuse bad input on any machine: a launch configuration out of range, and
// (without a GPU) the CUDA runtime's own error, reported with the call that failed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "detnum/cuda/dropout.hpp"
#include "detnum/error.hpp"
#include "support/gpu.hpp"

namespace detnum {
namespace {

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

}  // namespace
}  // namespace detnum
