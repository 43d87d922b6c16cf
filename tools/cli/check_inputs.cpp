// The inputs of `detnum check`, drawn from detnum's own Philox streams with a fixed seed, so
// every machine checks the same numbers and golden fingerprints can be compared.
//
// Element i of a value stream uses words 2i and 2i+1 of (kInputSeed, stream): the second word
// decides whether the element is special (1 in 16) and which special; otherwise the first
// word w becomes w * 2^-29 - 4, exact in double, in [-4, 4), rounded once to float (or to bf16
// with detnum::bf16_from_double; kept as is for double). fp16 elements are the words' low 16
// bits: every pattern, NaNs, infinities and subnormals included. The mask bytes are the bytes of
// stream kMaskStream's words, low byte first.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "check.hpp"
#include "detnum/hd.hpp"
#include "detnum/random.hpp"

namespace detnum::cli {
namespace {

constexpr std::uint64_t kInputSeed = 0x6465746E756D2121ull;  // "detnum!!"
constexpr std::uint64_t kF32Stream = 1;
constexpr std::uint64_t kBf16Stream = 2;
constexpr std::uint64_t kMaskStream = 3;
constexpr std::uint64_t kF64Stream = 4;
constexpr std::uint64_t kFp16Stream = 5;

// +0, -0, +-Inf, NaNs (canonical, with payload, negative, signalling), subnormals (smallest,
// largest, negative), the smallest normal, +-max (which overflow when scaled up), +-1 and the
// float just above 1.
constexpr std::array<std::uint32_t, 18> kSpecialF32 = {
    0x00000000u, 0x80000000u, 0x7F800000u, 0xFF800000u, 0x7FC00000u, 0x7FC12345u, 0xFFC00001u, 0x7F800001u,
    0x00000001u, 0x007FFFFFu, 0x80000003u, 0x00800000u, 0x7F7FFFFFu, 0xFF7FFFFFu, 0x3F800000u, 0xBF800000u,
    0x3F800001u, 0x00400000u};
constexpr std::array<std::uint16_t, 18> kSpecialBf16 = {
    0x0000u, 0x8000u, 0x7F80u, 0xFF80u, 0x7FC0u, 0x7FC1u, 0xFFC1u, 0x7F81u, 0x0001u,
    0x007Fu, 0x8003u, 0x0080u, 0x7F7Fu, 0xFF7Fu, 0x3F80u, 0xBF80u, 0x3F81u, 0x0040u};

template <class T, class Make, class Special>
std::vector<T> draw(std::int64_t n, std::uint64_t stream, Make make, Special special) {
  std::vector<T> v(static_cast<std::size_t>(n));
  const PhiloxKey key = philox_key(kInputSeed);
  for (std::int64_t i = 0; i < n; i += 2) {
    // One Philox block holds the two words of elements i and i + 1.
    const PhiloxCounter c = stream_block(key, stream, static_cast<std::uint64_t>(i / 2));
    for (std::int64_t k = 0; k < 2 && i + k < n; ++k) {
      const std::uint32_t value_word = c.w[2 * k], choice_word = c.w[2 * k + 1];
      v[static_cast<std::size_t>(i + k)] =
          (choice_word & 0xFu) == 0 ? special(choice_word >> 4) : make(static_cast<double>(value_word) * 0x1p-29 - 4.0);
    }
  }
  return v;
}

}  // namespace

CheckInputs make_check_inputs(std::int64_t n) {
  CheckInputs in;
  in.n = n;
  in.f32 = draw<float>(
      n, kF32Stream, [](double d) { return static_cast<float>(d); },
      [](std::uint32_t k) { return float_from_bits(kSpecialF32[k % kSpecialF32.size()]); });
  in.bf16s = draw<bf16>(
      n, kBf16Stream, [](double d) { return bf16_from_double(d); },
      [](std::uint32_t k) { return bf16{kSpecialBf16[k % kSpecialBf16.size()]}; });
  in.f64 = draw<double>(
      n, kF64Stream, [](double d) { return d; },
      [](std::uint32_t k) { return static_cast<double>(float_from_bits(kSpecialF32[k % kSpecialF32.size()])); });
  in.fp16s.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    in.fp16s[static_cast<std::size_t>(i)] =
        fp16{static_cast<std::uint16_t>(stream_word(kInputSeed, kFp16Stream, static_cast<std::uint64_t>(i)))};
  in.mask.resize(static_cast<std::size_t>((n + 7) / 8));
  const PhiloxKey key = philox_key(kInputSeed);
  for (std::size_t b = 0; b < in.mask.size(); b += 16) {
    const PhiloxCounter c = stream_block(key, kMaskStream, b / 16);
    std::uint8_t bytes[16];
    for (int w = 0; w < 4; ++w)
      for (int k = 0; k < 4; ++k) bytes[4 * w + k] = static_cast<std::uint8_t>(c.w[w] >> (8 * k));
    std::memcpy(in.mask.data() + b, bytes, std::min<std::size_t>(16, in.mask.size() - b));
  }
  return in;
}

std::vector<float> f32_operand(const CheckInputs& in, std::int64_t count, std::int64_t start, bool finite) {
  std::vector<float> v(static_cast<std::size_t>(in.n > 0 ? count : 0));
  for (std::size_t i = 0; i < v.size(); ++i) {
    const float e = in.f32[static_cast<std::size_t>((start + static_cast<std::int64_t>(i)) % in.n)];
    v[i] = !finite || (std::isfinite(e) && std::fabs(e) < 1e15f) ? e : 1.5f;
  }
  return v;
}

std::vector<float> sentinel_floats(std::int64_t count) {
  std::vector<float> v(static_cast<std::size_t>(count));
  if (!v.empty()) std::memset(v.data(), kSentinel, v.size() * sizeof(float));
  return v;
}

std::vector<std::uint8_t> float_bytes(std::initializer_list<const std::vector<float>*> parts) {
  std::vector<std::uint8_t> bytes;
  for (const std::vector<float>* p : parts) {
    const auto* b = reinterpret_cast<const std::uint8_t*>(p->data());
    bytes.insert(bytes.end(), b, b + p->size() * sizeof(float));
  }
  return bytes;
}

std::vector<std::int32_t> even_ids(const CheckInputs& in, std::int64_t count, std::int64_t limit) {
  std::vector<std::int32_t> ids(static_cast<std::size_t>(in.n > 0 ? count : 0));
  const auto halves = static_cast<std::uint32_t>((limit + 1) / 2);
  for (std::size_t r = 0; r < ids.size(); ++r) {
    const std::uint32_t u = bits_of(in.f32[(7 * r + 1) % static_cast<std::size_t>(in.n)]);
    ids[r] = static_cast<std::int32_t>(2 * ((u ^ (u >> 13)) % halves));
  }
  return ids;
}

}  // namespace detnum::cli
