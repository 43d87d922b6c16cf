// The pointwise ops and AdamW as a table of cases shared by the CPU and GPU tests: each case
// fills its inputs from the test data and runs one backend into its outputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "detnum/adamw.hpp"
#include "detnum/sgd.hpp"
#include "support/data.hpp"

namespace detnum::test {

// Sizes around the CPU grain (16384) and the usual edges.
inline const std::int64_t kPointwiseSizes[] = {0, 1, 2, 127, 16383, 16384, 16385, 100003};

// The inputs of one call: x (or param), dy (or grad), and AdamW's moments (v kept >= 0 but with
// specials of its own).
struct PointwiseInputs {
  std::vector<float> x, dy, m, v;
  explicit PointwiseInputs(std::int64_t n, std::uint64_t seed = 11)
      : x(random_floats(n, seed)), dy(random_floats(n, seed + 1)), m(random_floats(n, seed + 2)),
        v(random_floats(n, seed + 3)) {
    for (float& e : v) e = e < 0.0f ? -e : e;
  }
};

// A model's worth of AdamW tensors for the multi-tensor update: every size of kPointwiseSizes,
// then 70 small ones (more than a launch's 64), each with inputs of its own.
inline std::vector<PointwiseInputs> adamw_model() {
  std::vector<PointwiseInputs> model;
  for (const std::int64_t n : kPointwiseSizes) model.emplace_back(n, 100 + 4 * model.size());
  for (int k = 0; k < 70; ++k) model.emplace_back(1 + 37 * k, 100 + 4 * model.size());
  return model;
}

// The list over a model's vectors (param = x, grad = dy), updated in place.
inline std::vector<AdamWTensor> adamw_list(std::vector<PointwiseInputs>& model) {
  std::vector<AdamWTensor> list;
  for (PointwiseInputs& t : model)
    list.push_back({t.x.data(), t.dy.data(), t.m.data(), t.v.data(), static_cast<std::int64_t>(t.x.size())});
  return list;
}

// SGD's cases: plain, momentum's first step (the buffer starts from the gradient), a later step
// with dampening and weight decay, and Nesterov's.
inline const SgdParams kSgdCases[] = {{0.1f, 0.0f, 0.0f, 0.0f, false, 1},
                                      {0.01f, 0.9f, 0.0f, 0.0f, false, 1},
                                      {0.01f, 0.9f, 0.1f, 1e-4f, false, 5},
                                      {0.05f, 0.8f, 0.0f, 0.01f, true, 3}};

// The list over a model's vectors for SGD (param = x, grad = dy, buffer = m), updated in place.
inline std::vector<SgdTensor> sgd_list(std::vector<PointwiseInputs>& model) {
  std::vector<SgdTensor> list;
  for (PointwiseInputs& t : model)
    list.push_back({t.x.data(), t.dy.data(), t.m.data(), static_cast<std::int64_t>(t.x.size())});
  return list;
}

// Bias add's shapes: (rows, cols).
inline const std::pair<std::int64_t, std::int64_t> kBiasShapes[] = {{0, 5}, {5, 0}, {1, 1}, {3, 7}, {129, 33}, {7, 20000}};

}  // namespace detnum::test
