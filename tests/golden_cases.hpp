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
#include "detnum/clip.hpp"
#include "detnum/dropout.hpp"
#include "detnum/gemm.hpp"
#include "detnum/init.hpp"
#include "detnum/reduce.hpp"
#include "detnum/sgd.hpp"
#include "attention_cases.hpp"
#include "embedding_cases.hpp"
#include "nn_rows_cases.hpp"
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
// Cross-entropy's options beyond the ignored label: label smoothing, with a mean and per row.
constexpr CrossEntropyOptions kGoldenSmoothing{kIgnoredLabel, 0.1f, LossReduction::mean};
constexpr CrossEntropyOptions kGoldenPerRow{kIgnoredLabel, 0.1f, LossReduction::none};
constexpr std::int64_t kGemmM = 37, kGemmN = 53, kGemmK = 300;

inline std::vector<float> golden_x() { return reduce_input<float>(kGoldenN, 77, Family::finite); }
inline std::vector<bf16> golden_x_bf16() { return reduce_input<bf16>(kGoldenN, 78, Family::finite); }
// golden_x's draws with the specials kept (NaNs with payloads, +-Inf, +-0, subnormals): for the
// ops whose special cases are part of the definition (ReLU's NaN and -0).
inline std::vector<float> golden_x_specials() { return reduce_input<float>(kGoldenN, 77, Family::mixed); }

// AdamW's inputs: four quarters of golden_x as param, grad, m and v (v made non-negative), and
// three steps of these parameters.
constexpr std::int64_t kGoldenQuarter = kGoldenN / 4;
constexpr AdamWParams kGoldenAdamW{1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1};
// SGD with Nesterov momentum and weight decay, three steps from the same quarters (buffer: m's).
constexpr SgdParams kGoldenSgd{0.01f, 0.9f, 0.0f, 1e-4f, true, 1};
// Gradient clipping's inputs: quarters 0 and 1 as two tensors (the second without its first
// float, so that it starts at another alignment), clipped to norm 1.
constexpr float kGoldenMaxNorm = 1.0f;
inline std::vector<GradTensor> golden_clip_list(float* g0, float* g1) {
  return {{g0, kGoldenQuarter}, {g1 + 1, kGoldenQuarter - 1}};
}
inline std::vector<float> golden_quarter(int q) {
  const std::vector<float> x = golden_x();
  std::vector<float> part(x.begin() + q * kGoldenQuarter, x.begin() + (q + 1) * kGoldenQuarter);
  if (q == 3)
    for (float& e : part) e = e < 0.0f ? -e : e;
  return part;
}

// The row ops' inputs (nn_rows_cases.hpp), kGoldenRows x kGoldenCols: logits in [-8, 8) with
// labels drawn from their own stream, the backward passes' inputs from the reference's forward
// passes. With `specials`, also every fourth row of mixed magnitudes and specials, labels on the
// first and last column, at -Inf or 1e30, and saved statistics of +-0, +Inf and NaN; without,
// every output is finite, so the cross-entropy loss pins the rounding of every row. (With
// specials some rows' saved rstd is NaN, so every column of the norms' dgamma is NaN: those two
// records pin only the canonical NaN; the finite inputs' records pin the values.)
inline RowInputs golden_rows(bool specials) { return make_row_inputs(kGoldenRows, kGoldenCols, 79, specials); }
inline std::string golden_rows_label(bool specials) { return specials ? "300x37+specials" : "300x37"; }

// Embedding: ids with 0 (unused), 1, 17, 130 (past a 128-row step) and 8193 (past a chunk, so the
// sum recurses) rows each, shuffled; 8341 rows in all (above 8192: CUDA's gradient sorts). The
// table has random_floats' magnitudes and a NaN with a payload in the row of id 1 (the forward
// writes the canonical NaN); dout has no specials (a NaN would hide the order of the sums).
inline const EmbeddingShape kGoldenEmbedding{5, 37, 8341, {0, 1, 17, 130, 8193}};
inline EmbeddingInputs golden_embedding_inputs() {
  EmbeddingInputs in(kGoldenEmbedding);
  in.table[static_cast<std::size_t>(1 * kGoldenEmbedding.dim + 5)] = float_from_bits(0xFFC12345u);
  return in;
}

// Init: kGoldenN elements from an odd offset (element 0 is the last word of a Philox block and
// the second of a Box-Muller pair; the last block is half used). Uniform in [-0.1, 0.7): hi - lo
// is not exact in float, so its rounding shows; normal with a mean that is not 0 (with 0, the
// fused multiply-add would round like a product alone).
constexpr InitParams kGoldenInit{0x1417ull, 3};
constexpr float kGoldenUniformLo = -0.1f, kGoldenUniformHi = 0.7f;
constexpr float kGoldenNormalMean = 0.25f, kGoldenNormalStd = 0.02f;

// Attention: keys past a GEMM segment (300), a causal mask aligned bottom-right (queries 70 see
// keys up to 230 + i), the default scale of head_dim 40; and a small one without a mask. Each
// pass's outputs under "attention/f32/<label>/<output>".
inline std::vector<std::pair<std::string, AttentionCase>> golden_attention_cases() {
  return {{"causal", AttentionCase({4, 70, 300, 40, 24}, {.is_causal = true, .causal_offset = 230})},
          {"plain", AttentionCase({2, 9, 13, 8, 6}, {})}};
}

// Data order: a size whose Feistel domain (2^18) is not n, so positions walk cycles.
constexpr std::uint64_t kGoldenShuffleSeed = 42, kGoldenShuffleEpoch = 3;

}  // namespace detnum::test
