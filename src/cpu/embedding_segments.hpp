// The rows of each id in increasing order (a stable counting sort): segment v is
// rows[start[v] .. start[v + 1]). Shared by the reference and the fast path.
#pragma once

#include <cstdint>
#include <vector>

namespace detnum::detail {

struct IdSegments {
  std::vector<std::int64_t> start;  // vocab + 1 entries
  std::vector<std::int64_t> rows;   // n entries
};

inline IdSegments id_segments(const std::int32_t* ids, std::int64_t n, std::int64_t vocab) {
  IdSegments s{std::vector<std::int64_t>(static_cast<std::size_t>(vocab + 1), 0),
               std::vector<std::int64_t>(static_cast<std::size_t>(n))};
  for (std::int64_t r = 0; r < n; ++r) ++s.start[static_cast<std::size_t>(ids[r]) + 1];
  for (std::int64_t v = 0; v < vocab; ++v) s.start[v + 1] += s.start[v];
  std::vector<std::int64_t> next(s.start.begin(), s.start.end() - 1);
  for (std::int64_t r = 0; r < n; ++r) s.rows[static_cast<std::size_t>(next[ids[r]]++)] = r;
  return s;
}

}  // namespace detnum::detail
