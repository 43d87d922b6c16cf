// numpy's .npy format (version 1.0), for tensors a run log saves beside its records.
#pragma once

#include <cstddef>
#include <string>

#include "detnum/fingerprint.hpp"

namespace detnum::detail {

// numpy's limit on dimensions (NPY_MAXDIMS since numpy 2.0); within it a version 1.0 header fits.
inline constexpr std::size_t kNpyMaxDims = 64;

// "<f4", "<f8", "<u2" (bf16: numpy has no bfloat16, so its raw bits), "<f2", "<i4", "<i8", "|u1".
const char* npy_descr(Dtype d);

// Writes the view (contiguous, row-major, host memory) to path; detnum::Error: invalid_argument
// past kNpyMaxDims dimensions, io_error if the file cannot be written.
void write_npy(const std::string& path, const TensorView& view);

}  // namespace detnum::detail
