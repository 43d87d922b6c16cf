// detnum's own golden fingerprints (tests/golden/ops.jsonl): each op's output for fixed seeded
// inputs, pinned bit for bit. golden_test.cpp computes them on the CPU, golden_gpu_test.cu with
// the CUDA kernels, and both must match the same file: that is the cross-device promise, checked
// wherever tools/gpu-check.sh runs. DETNUM_UPDATE_GOLDEN=1 rewrites the file (only after an
// intended change of the order, with a new order-spec version).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "detnum/adamw.hpp"
#include "detnum/dropout.hpp"
#include "detnum/gemm.hpp"
#include "detnum/reduce.hpp"
#include "reduce_cases.hpp"

#ifndef DETNUM_GOLDEN_FILE
#error "DETNUM_GOLDEN_FILE must name tests/golden/ops.jsonl (tests/CMakeLists.txt defines it)"
#endif

namespace detnum::test {

// The file: DETNUM_GOLDEN_FILE from the environment, else the source tree this test was built
// from, else tests/golden/ops.jsonl under the current directory (a prebuilt binary run from a
// copy of the repository, as tools/gpu-check.sh does on a GPU machine).
inline std::string golden_file() {
  if (const char* env = std::getenv("DETNUM_GOLDEN_FILE"); env && *env) return env;
  if (std::filesystem::exists(DETNUM_GOLDEN_FILE)) return DETNUM_GOLDEN_FILE;
  return "tests/golden/ops.jsonl";
}
inline const std::string kGoldenFile = golden_file();

constexpr std::int64_t kGoldenN = 100003;
constexpr DropoutParams kGoldenDropout{0.1f, 0x5EEDull, 7};
constexpr std::int64_t kGoldenRows = 300, kGoldenCols = 37;
constexpr std::int64_t kGemmM = 37, kGemmN = 53, kGemmK = 300;

inline std::vector<float> golden_x() { return reduce_input<float>(kGoldenN, 77, Family::finite); }
inline std::vector<bf16> golden_x_bf16() { return reduce_input<bf16>(kGoldenN, 78, Family::finite); }

// AdamW's inputs: four quarters of golden_x as param, grad, m and v (v made non-negative), and
// three steps of these parameters.
constexpr std::int64_t kGoldenQuarter = kGoldenN / 4;
constexpr AdamWParams kGoldenAdamW{1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1};
inline std::vector<float> golden_quarter(int q) {
  const std::vector<float> x = golden_x();
  std::vector<float> part(x.begin() + q * kGoldenQuarter, x.begin() + (q + 1) * kGoldenQuarter);
  if (q == 3)
    for (float& e : part) e = e < 0.0f ? -e : e;
  return part;
}

}  // namespace detnum::test
