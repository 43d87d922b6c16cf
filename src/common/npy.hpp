// numpy's .npy format (version 1.0), for tensors a run log saves beside its records.
#pragma once

#include <string>

#include "detnum/fingerprint.hpp"

namespace detnum::detail {

// "<f4", "<f8", "<u2" (bf16: numpy has no bfloat16, so its raw bits), "<f2", "<i4", "<i8", "|u1".
const char* npy_descr(Dtype d);

// Writes the view (contiguous, row-major, host memory) to path; detnum::Error (io_error) if the
// file cannot be written.
void write_npy(const std::string& path, const TensorView& view);

}  // namespace detnum::detail
