// The dropout entries of `detnum check`. Each parameter set aims at a part of the definition:
// a scale that rounds (p = 0.3, 0.1), an offset that is not a multiple of 4 (the Philox block
// holds 4 words), offsets whose block index crosses 2^32 (a carry into counter word 1), a split
// at cut points that are neither byte- nor block-aligned (with masks at odd addresses), and an
// in-place call on a buffer that is not 16-byte aligned.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "check.hpp"

namespace detnum::cli {
namespace {

std::string describe(const DropoutParams& p) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "p=%.9g seed=0x%016llx offset=%llu", static_cast<double>(p.p),
                static_cast<unsigned long long>(p.seed), static_cast<unsigned long long>(p.offset));
  return buf;
}

std::string describe_p(float p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "p=%.9g", static_cast<double>(p));
  return buf;
}

std::size_t mask_bytes(std::int64_t n) { return static_cast<std::size_t>((n + 7) / 8); }

// n elements of T as bytes, every byte kSentinel.
template <class T>
std::vector<std::uint8_t> sentinel_bytes(std::int64_t n) {
  return std::vector<std::uint8_t>(static_cast<std::size_t>(n) * sizeof(T), kSentinel);
}

template <class T>
T* as(std::vector<std::uint8_t>& bytes, std::size_t byte_offset = 0) {
  return reinterpret_cast<T*>(bytes.data() + byte_offset);
}

template <class T>
CheckOutputs forward(Backend& b, const CheckInputs& in, const DropoutParams& params) {
  CheckOutputs out{sentinel_bytes<T>(in.n),
                   std::vector<std::uint8_t>(mask_bytes(in.n), kSentinel)};
  b.dropout_forward(inputs_of<T>(in).data(), as<T>(out.y), in.n, params, out.mask.data());
  return out;
}

template <class T>
CheckOutputs backward_mask(Backend& b, const CheckInputs& in, float p) {
  CheckOutputs out{sentinel_bytes<T>(in.n), {}};
  b.dropout_backward(inputs_of<T>(in).data(), in.mask.data(), as<T>(out.y), in.n, p);
  return out;
}

template <class T>
CheckOutputs backward_recompute(Backend& b, const CheckInputs& in, const DropoutParams& params) {
  CheckOutputs out{sentinel_bytes<T>(in.n), {}};
  b.dropout_backward_recompute(inputs_of<T>(in).data(), as<T>(out.y), in.n, params);
  return out;
}

// Three calls over [0, c1), [c1, c2), [c2, n), each with offset advanced by the elements before
// it; their masks are joined bit by bit (a piece's padding bits are not looked at: the
// dropout_forward rows check padding). Expected: one call over [0, n).
template <class T>
CheckOutputs forward_split(Backend& b, const CheckInputs& in, const DropoutParams& params) {
  const std::int64_t n = in.n, c1 = n * 3 / 7, c2 = std::max(c1, n * 6 / 7);
  const std::int64_t cuts[] = {0, c1, c2, n};
  CheckOutputs out{sentinel_bytes<T>(in.n),
                   std::vector<std::uint8_t>(mask_bytes(n), 0)};
  for (int k = 0; k < 3; ++k) {
    const std::int64_t begin = cuts[k], count = cuts[k + 1] - cuts[k];
    DropoutParams piece = params;
    piece.offset += static_cast<std::uint64_t>(begin);
    // Each piece's mask starts one byte past an allocation, so a device backend takes its
    // byte-wise mask stores.
    std::vector<std::uint8_t> mask_buf(mask_bytes(count) + 1, kSentinel);
    std::uint8_t* mask = mask_buf.data() + 1;
    b.dropout_forward(inputs_of<T>(in).data() + begin, as<T>(out.y) + begin, count, piece, mask);
    for (std::int64_t j = 0; j < count; ++j) {
      const unsigned bit = (mask[j / 8] >> (j % 8)) & 1u;
      const std::int64_t i = begin + j;
      out.mask[static_cast<std::size_t>(i / 8)] |= static_cast<std::uint8_t>(bit << (i % 8));
    }
  }
  return out;
}

// y = x on one buffer that starts sizeof(T) bytes past a 16-byte boundary.
template <class T>
CheckOutputs forward_inplace(Backend& b, const CheckInputs& in, const DropoutParams& params) {
  const std::size_t bytes = static_cast<std::size_t>(in.n) * sizeof(T);
  std::vector<std::uint8_t> buf(bytes + 16);
  const std::size_t shift = (16 - reinterpret_cast<std::uintptr_t>(buf.data()) % 16) % 16 + sizeof(T);
  if (bytes) std::memcpy(buf.data() + shift, inputs_of<T>(in).data(), bytes);
  b.dropout_forward(as<T>(buf, shift), as<T>(buf, shift), in.n, params, nullptr);
  return CheckOutputs{std::vector<std::uint8_t>(buf.begin() + static_cast<std::ptrdiff_t>(shift),
                                                buf.begin() + static_cast<std::ptrdiff_t>(shift + bytes)),
                      {}};
}

template <class T>
void add_dtype(std::vector<CheckOp>& ops, Dtype dt, const DropoutParams& fwd, const DropoutParams& recompute,
               const DropoutParams& split, const DropoutParams& inplace) {
  ops.push_back({"dropout_forward", dt, true, describe(fwd),
                 [fwd](Backend& b, const CheckInputs& in) { return forward<T>(b, in, fwd); }, {}, std::nullopt});
  ops.push_back({"dropout_backward", dt, false, describe_p(fwd.p) + " mask from the inputs",
                 [p = fwd.p](Backend& b, const CheckInputs& in) { return backward_mask<T>(b, in, p); }, {}, std::nullopt});
  ops.push_back({"dropout_backward_recompute", dt, false, describe(recompute),
                 [recompute](Backend& b, const CheckInputs& in) { return backward_recompute<T>(b, in, recompute); }, {}, std::nullopt});
  ops.push_back({"dropout_forward_split", dt, true, describe(split) + " cut at 3n/7, 6n/7",
                 [split](Backend& b, const CheckInputs& in) { return forward_split<T>(b, in, split); },
                 [split](Backend& ref, const CheckInputs& in) { return forward<T>(ref, in, split); }, std::nullopt});
  ops.push_back({"dropout_forward_inplace", dt, false, describe(inplace) + " in place, misaligned",
                 [inplace](Backend& b, const CheckInputs& in) { return forward_inplace<T>(b, in, inplace); }, {}, std::nullopt});
}

}  // namespace

std::vector<CheckOp> dropout_check_ops() {
  std::vector<CheckOp> ops;
  add_dtype<float>(ops, Dtype::f32,
                   DropoutParams{0.3f, 0x0123456789ABCDEFull, 0},
                   DropoutParams{0.5f, 0xFEDCBA9876543210ull, (std::uint64_t{1} << 40) + 3},
                   DropoutParams{0.125f, 42, (std::uint64_t{1} << 34) - 7},
                   DropoutParams{0.6f, 7, 1});
  add_dtype<bf16>(ops, Dtype::bf16,
                  DropoutParams{0.1f, 0x0123456789ABCDEFull, 5},
                  DropoutParams{0.3f, 0xFEDCBA9876543210ull, (std::uint64_t{1} << 34) + 1},
                  DropoutParams{0.75f, 42, (std::uint64_t{1} << 34) - 3},
                  DropoutParams{0.2f, 7, 2});
  return ops;
}

}  // namespace detnum::cli
