// Fingerprints of tensors in CUDA device memory: the same Fingerprint, hash and statistics bit
// for bit, as detnum::fingerprint (detnum/fingerprint.hpp) gives for the same bytes on the host.
#pragma once

#include <cuda_runtime_api.h>

#include "detnum/fingerprint.hpp"

namespace detnum::cuda {

// view.data is device (or managed) memory. The bytes are hashed on the host in pieces of at most
// 8 MiB, copied through two pinned buffers so that the next piece's copy overlaps the hashing of
// this one: never one full host copy. The statistics of floating tensors are detnum::cuda's
// reductions on the device (the same bits as the CPU's), the NaN and Inf counts an integer count
// kernel; integer tensors' statistics are folded on the host as the pieces pass. Work is queued
// on `stream`, which is synchronized before returning (the result is a host value).
Fingerprint fingerprint(const TensorView& view, cudaStream_t stream = nullptr);

}  // namespace detnum::cuda
