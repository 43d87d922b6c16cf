#include "common/npy.hpp"

#include <fstream>

#include "common/fingerprint_detail.hpp"
#include "common/validate.hpp"

namespace detnum::detail {

const char* npy_descr(Dtype d) {
  switch (d) {
    case Dtype::f32: return "<f4";
    case Dtype::f64: return "<f8";
    case Dtype::bf16: return "<u2";
    case Dtype::fp16: return "<f2";
    case Dtype::i32: return "<i4";
    case Dtype::i64: return "<i8";
    case Dtype::u8: return "|u1";
  }
  return "|V1";
}

void write_npy(const std::string& path, const TensorView& view) {
  const std::int64_t n = check_tensor_view("write_npy", view);
  if (view.shape.size() > kNpyMaxDims)  // within them the header fits version 1.0's 16-bit length
    fail(ErrorCode::invalid_argument, "write_npy",
         "numpy reads at most " + std::to_string(kNpyMaxDims) + " dimensions, view.shape has " +
             std::to_string(view.shape.size()));
  std::string shape = "(";  // a Python tuple: "()", "(5,)", "(2, 3)"
  for (std::size_t i = 0; i < view.shape.size(); ++i) {
    if (i > 0) shape += ", ";
    shape += std::to_string(view.shape[i]);
  }
  if (view.shape.size() == 1) shape += ',';
  shape += ')';
  std::string header = std::string("{'descr': '") + npy_descr(view.dtype) + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Magic (6) + version (2) + length (2) + header + '\n', padded with spaces to a multiple of 64.
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  const unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<unsigned char>(header.size() & 0xFF),
                                    static_cast<unsigned char>(header.size() >> 8)};
  f.write(reinterpret_cast<const char*>(prefix), sizeof prefix);
  f << header;
  f.write(static_cast<const char*>(view.data), static_cast<std::streamsize>(n * static_cast<std::int64_t>(dtype_size(view.dtype))));
  if (!f) fail(ErrorCode::io_error, "write_npy", "cannot write " + path);
}

}  // namespace detnum::detail
