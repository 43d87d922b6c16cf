// Builds without the CUDA backend: the demo trains on the CPU only.
#include "demo_backend.hpp"

namespace detnum::cli {

std::unique_ptr<DemoBackend> make_cuda_demo_backend(std::string& why) {
  why = "detnum was built without the CUDA backend";
  return nullptr;
}

}  // namespace detnum::cli
