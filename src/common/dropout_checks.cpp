#include "common/dropout_checks.hpp"

#include "common/memory_space.hpp"
#include "common/validate.hpp"

namespace detnum::detail {

namespace {
void check_dropout_args(std::string_view fn, const DropoutArgs& a, float p, std::uint64_t offset) {
  const bool backward = a.backward;
  check_size(fn, "n", a.n, a.elem_size);
  check_not_null(fn, in_name(backward), a.in, a.n);
  check_not_null(fn, out_name(backward), a.out, a.n);
  if (a.mask_in) check_not_null(fn, "mask", a.mask, a.n);
  check_probability(fn, p);
  check_stream_range(fn, offset, a.n);
  const auto bytes = a.n * static_cast<std::int64_t>(a.elem_size);
  const auto mbytes = a.mask ? mask_bytes_of(a.n) : 0;
  check_no_overlap(fn, out_name(backward), a.out, bytes, in_name(backward), a.in, bytes, /*allow_same=*/true);
  check_no_overlap(fn, "mask", a.mask, mbytes, out_name(backward), a.out, bytes, false);
  check_no_overlap(fn, "mask", a.mask, mbytes, in_name(backward), a.in, bytes, false);
}
}  // namespace

void check_dropout(std::string_view fn, const DropoutArgs& a, float p, std::uint64_t offset, Reader reader) {
  check_dropout_args(fn, a, p, offset);
  if (a.in) check_accessible(fn, in_name(a.backward), a.in, reader);
  if (a.out) check_accessible(fn, out_name(a.backward), a.out, reader);
  if (a.mask) check_accessible(fn, "mask", a.mask, reader);
}

}  // namespace detnum::detail

namespace detnum {
std::int64_t dropout_mask_bytes(std::int64_t n) {
  detail::check_size("dropout_mask_bytes", "n", n, 1);
  return detail::mask_bytes_of(n);
}
}  // namespace detnum
