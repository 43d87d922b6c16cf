// Built when the CUDA backend is not: there is nothing to ask.
#include "common/environment_detail.hpp"

namespace detnum::detail {

void capture_cuda_environment(Environment& env) {
  env.cuda_runtime_version.clear();
  env.cuda_driver_version.clear();
  env.cuda_status = "not built";
  env.gpus.clear();
}

}  // namespace detnum::detail
