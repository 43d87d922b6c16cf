// Built without the CUDA backend: no device backends.
#include "backend.hpp"

namespace detnum::cli {

std::vector<std::unique_ptr<Backend>> make_cuda_backends(const Environment&) { return {}; }

}  // namespace detnum::cli
