// The axis-sum cases every backend runs: layouts around the lane (128) and chunk (8192) boundaries
// of ORDER.md in both directions, leading dimensions and batch strides beyond the minimal, and
// empty matrices. Shared by axis_sums_test.cpp (fast CPU path) and axis_sums_gpu_test.cu (CUDA).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "detnum/reduce.hpp"
#include "reduce_cases.hpp"

namespace detnum::test {

struct AxisCase {
  std::int64_t rows, cols, ld_pad = 0, batch = 1, stride_pad = 0;

  MatrixLayout layout() const {
    const std::int64_t ld = (cols > 1 ? cols : 1) + ld_pad;
    return {rows, cols, ld, batch, rows * ld + stride_pad};
  }
  // Elements from x[0] to one past the last element the layout names.
  std::int64_t extent() const {
    const MatrixLayout m = layout();
    if (rows == 0 || cols == 0 || batch == 0) return 0;
    return (batch - 1) * m.batch_stride + (rows - 1) * m.ld + cols;
  }
  std::string name() const {
    return std::to_string(batch) + "x" + std::to_string(rows) + "x" + std::to_string(cols) + " ld+" +
           std::to_string(ld_pad) + " stride+" + std::to_string(stride_pad);
  }
};

inline std::vector<AxisCase> axis_cases() {
  return {
      {0, 0},         {0, 5},        {5, 0},         {3, 4, 0, 0},  {1, 1},        {1, 127},      {3, 129, 5},
      {127, 3},       {128, 1},      {129, 33, 1},   {300, 300, 7}, {8191, 3},     {8192, 2},     {8193, 5, 3},
      {16385, 2},     {40000, 3, 1}, {2, 8193},      {3, 16385, 2}, {1, 65537},    {50, 40, 2, 3, 11},
      {8193, 70, 0, 2, 5}, {5, 9000, 1, 4, 0}, {1, 1, 0, 7, 1}, {130, 1000, 24, 1, 0},
      // Fewer (chunk, block) units than CPU threads, of at least 512 KiB: the threads share each
      // unit's lanes. One unit; exactly 512 KiB; three column blocks of different widths.
      {3001, 200, 3},  {128, 1024},   {200, 2049},
      // More than 512 tiles of 32 columns x one chunk, so that CUDA's column sums are not split
      // over blocks by the lanes' residue on any device (most cases above are): two levels; a
      // partial chunk of one whole step and two rows; of two whole steps and 44 rows.
      {8193, 1, 0, 513}, {130, 16400}, {300, 16390, 3},
      // The first level not split (528 tiles) and the second split (33 tiles): the split lanes'
      // region sized by a later level.
      {131072, 1, 0, 33},
  };
}

}  // namespace detnum::test
