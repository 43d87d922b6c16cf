// Embedding shapes and inputs shared by the CPU and GPU tests: repeated and unused ids, a
// segment longer than a chunk (8192 rows of one id, so its sums recurse), segments of several
// steps within one chunk (about 1900 rows: vocab 20, 12000 ids), special values, a staircase
// where id v has exactly v rows (every segment length from 0 to 139: across the 16 rows where
// CUDA's gradient changes kernels, and the 128 of one step of the order), and ids of exactly 17,
// 8192 and 8193 rows (a full chunk, and one row past it, where CUDA changes kernels again).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "detnum/random.hpp"
#include "detnum/shuffle.hpp"
#include "support/data.hpp"

namespace detnum::test {

struct EmbeddingShape {
  std::int64_t vocab, dim, n;
  std::vector<std::int32_t> rows_of_id = {};  // when given: id v in rows_of_id[v] rows, shuffled (n their sum)
  std::string label() const {
    return "vocab " + std::to_string(vocab) + ", dim " + std::to_string(dim) + ", n " + std::to_string(n) +
           (rows_of_id.empty() ? "" : ", fixed rows per id");
  }
};

inline std::vector<std::int32_t> staircase(std::int32_t ids) {  // id v in v rows
  std::vector<std::int32_t> v(static_cast<std::size_t>(ids));
  for (std::int32_t i = 0; i < ids; ++i) v[static_cast<std::size_t>(i)] = i;
  return v;
}

inline const EmbeddingShape kEmbeddingShapes[] = {
    {1, 1, 0}, {3, 0, 5}, {5, 3, 1}, {10, 7, 100}, {50, 33, 1000}, {200, 64, 5000}, {3, 5, 20000}, {2, 40, 17000},
    {20, 37, 12000}, {140, 130, 140 * 139 / 2, staircase(140)}, {3, 12, 17 + 8192 + 8193, {17, 8192, 8193}},
    // Around the CUDA gradient's two ways of ordering the rows (by counting up to n = 8192, a
    // sort beyond): a vocabulary of exactly 2^10 ids, GPT-2's vocabulary, one row past 8192, and
    // one id in all 8192 rows.
    {1024, 9, 8192}, {50257, 8, 8191}, {50257, 8, 8193}, {1, 9, 8192},
    // Every count of rows from 0 to 127 by counting (16 and 17 rows: the two warp kernels' border).
    {128, 9, 128 * 127 / 2, staircase(128)},
    // Rows of one and two columns (3 of a warp's 4 columns, 31 of a block's 32, left idle), by
    // counting and by the sort, with an id of more than 8192 rows.
    {3, 1, 34, {1, 16, 17}}, {4, 1, 1 + 16 + 17 + 8193, {1, 16, 17, 8193}}, {500, 2, 8000},
    // Rows longer than the CUDA gradient's claim of zeros (16384 floats: one row a claim).
    {5, 16400, 3}};

struct EmbeddingInputs {
  std::vector<float> table, dout;
  std::vector<std::int32_t> ids;
  // ids skewed toward small values, so some ids repeat thousands of times and some never occur.
  // specials: dout keeps random_floats' NaNs, infinities and huge values; otherwise they are
  // replaced by ordinary numbers, so that sums depend on their order (a NaN would hide it).
  explicit EmbeddingInputs(const EmbeddingShape& s, bool specials = false)
      : table(random_floats(s.vocab * s.dim, 31)), dout(random_floats(s.n * s.dim, 32)),
        ids(static_cast<std::size_t>(s.n)) {
    if (!specials)
      for (float& x : dout)
        if (!(x > -1e30f && x < 1e30f)) x = 0.75f;
    if (!s.rows_of_id.empty()) {
      std::vector<std::int32_t> in_order;
      for (std::int32_t v = 0; v < s.vocab; ++v)
        in_order.insert(in_order.end(), static_cast<std::size_t>(s.rows_of_id[static_cast<std::size_t>(v)]), v);
      for (std::int64_t r = 0; r < s.n; ++r) ids[static_cast<std::size_t>(r)] = in_order[shuffled_index(r, s.n, 34, 0)];
      return;
    }
    for (std::int64_t r = 0; r < s.n; ++r) {
      const std::uint32_t w = stream_word(33, 0x1D5, static_cast<std::uint64_t>(r));
      const std::int64_t spread = (w >> 28) < 12 ? (s.vocab + 3) / 4 : s.vocab;  // 3/4 of the rows in the first quarter
      ids[static_cast<std::size_t>(r)] = static_cast<std::int32_t>((w & 0x0FFFFFFF) % spread);
    }
  }
};

}  // namespace detnum::test
