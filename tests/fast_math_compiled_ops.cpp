// Compiled by the test fast_math_allowed_for_compiled_ops with -ffast-math: a file that only calls
// ops compiled in the library (and fingerprints, the run log) may use fast math for its own code.
#include "detnum/fingerprint.hpp"
#include "detnum/gemm.hpp"
#include "detnum/random.hpp"
#include "detnum/reduce.hpp"
#include "detnum/runlog.hpp"

float f(const float* x, std::int64_t n) { return detnum::sum(x, n); }
