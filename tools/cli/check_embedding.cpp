// The embedding entries of `detnum check` (detnum/embedding.hpp). Four (vocab, dim, ids) shapes,
// the number of ids growing with the input size N up to a cap: a table of odd width, a wide one,
// a tiny vocabulary whose two ids each take more than a chunk (8192) of rows from N = 20000 on,
// and a large sparse vocabulary. Only even ids occur (drawn from the inputs' bits), so ids repeat
// and every odd row of the table is unused: its gradient must be +0. The lookup copies a table
// with specials (canonical NaNs); the gradient sums finite rows.
#include <algorithm>
#include <string>
#include <vector>

#include "check.hpp"

namespace detnum::cli {
namespace {

struct Shape {
  std::int64_t vocab, dim, max_ids;
};

std::string describe(const Shape& s) {
  return "vocab " + std::to_string(s.vocab) + ", dim " + std::to_string(s.dim) + ", min(n, " +
         std::to_string(s.max_ids) + ") even ids";
}

CheckOutputs run(Backend& b, const CheckInputs& in, const Shape& s, bool backward) {
  const std::int64_t n = std::min(in.n, s.max_ids);
  const std::vector<std::int32_t> ids = even_ids(in, n, s.vocab);
  const std::vector<float> src = backward ? f32_operand(in, n * s.dim, 3, true) : f32_operand(in, s.vocab * s.dim, 0, false);
  std::vector<float> out = sentinel_floats((backward ? s.vocab : n) * s.dim);
  if (!backward && in.n == 0) return {float_bytes({&out}), {}};  // no inputs to draw a table from
  b.embedding({backward, s.vocab, s.dim, n, ids.data(), src.data(), out.data()});
  return {float_bytes({&out}), {}};
}

}  // namespace

std::vector<CheckOp> embedding_check_ops() {
  std::vector<CheckOp> ops;
  for (const Shape s : {Shape{97, 33, 1000}, Shape{5, 300, 300}, Shape{3, 2, 20000}, Shape{4099, 8, 500}})
    for (const bool backward : {false, true})
      ops.push_back({backward ? "embedding_backward" : "embedding_forward", Dtype::f32, false,
                     describe(s) + (backward ? ", finite dout" : ", table with specials"),
                     [s, backward](Backend& b, const CheckInputs& in) { return run(b, in, s, backward); }, {},
                     Dtype::f32});
  return ops;
}

}  // namespace detnum::cli
