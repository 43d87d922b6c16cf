// cuda::IdCheck: the check of ids (the embedding calls, detnum/cuda/embedding.hpp) or class labels
// (cuda::cross_entropy, detnum/cuda/softmax.hpp) whose answer is collected later. The calls check
// their indices on the device; given an IdCheck, a call with a bad index writes none of its
// outputs, returns without waiting, and the check keeps the error of the first such call until
// throw_if_bad() reports it (cuSOLVER's devInfo, in effect): a training loop keeps the host ahead
// of the device and asks once per step or epoch.
#pragma once

#include <cuda_runtime_api.h>

namespace detnum::detail {
struct IdCheckRecord;  // in device memory: what the first bad call noted
struct IdCheckAccess;  // the calls' side (src/cuda/embedding_ids.cuh)
}  // namespace detnum::detail

namespace detnum::cuda {

// A few bytes of memory on the device that was current when the check was made, where it must be
// used. The calls given one check must run one after another (on one stream, or ordered by
// events): throw_if_bad() waits for the stream of the last of them only, which must still exist
// then. A call captured into a CUDA graph names the capture stream: synchronize the stream the
// graph was launched on before throw_if_bad(). Not for use from two host threads at once
// (cudaStreamPerThread is a different stream on each), nor made during a stream capture (it
// allocates and synchronizes).
class IdCheck {
 public:
  IdCheck();
  ~IdCheck();  // (cudaFree: waits for the device; an error not yet asked for is dropped)
  IdCheck(IdCheck&& other) noexcept;
  IdCheck& operator=(IdCheck&& other) noexcept;
  IdCheck(const IdCheck&) = delete;
  IdCheck& operator=(const IdCheck&) = delete;
  // Waits for the stream of the last call given this check; throws the detnum::Error of the first
  // bad id or label that a call met since construction or the last throw (and clears it), as the
  // CPU's call would have thrown.
  void throw_if_bad();

 private:
  friend struct detnum::detail::IdCheckAccess;
  detnum::detail::IdCheckRecord* record_ = nullptr;
  cudaStream_t stream_ = nullptr;
  int device_ = 0;
};

}  // namespace detnum::cuda
