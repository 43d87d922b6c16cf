// The pointwise ops and AdamW as a table of cases shared by the CPU and GPU tests: each case
// fills its inputs from the test data and runs one backend into its outputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/data.hpp"

namespace detnum::test {

// Sizes around the CPU grain (16384) and the usual edges.
inline const std::int64_t kPointwiseSizes[] = {0, 1, 2, 127, 16383, 16384, 16385, 100003};

// The inputs of one call: x (or param), dy (or grad), and AdamW's moments (v kept >= 0 but with
// specials of its own).
struct PointwiseInputs {
  std::vector<float> x, dy, m, v;
  explicit PointwiseInputs(std::int64_t n)
      : x(random_floats(n, 11)), dy(random_floats(n, 12)), m(random_floats(n, 13)), v(random_floats(n, 14)) {
    for (float& e : v) e = e < 0.0f ? -e : e;
  }
};

// Bias add's shapes: (rows, cols).
inline const std::pair<std::int64_t, std::int64_t> kBiasShapes[] = {{0, 5}, {5, 0}, {1, 1}, {3, 7}, {129, 33}, {7, 20000}};

}  // namespace detnum::test
