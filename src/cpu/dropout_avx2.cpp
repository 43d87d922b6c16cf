// AVX2 kernels for CPU dropout. Philox4x32-10 runs on 8 counters per vector and 4 vectors at
// once (independent chains hide the multiply latency); the 32-bit products are split into even
// and odd lanes for VPMULUDQ and recombined with blends, never crossing 128-bit lanes. The
// round, its constants and the counter layout are those of detnum/philox.hpp and random.hpp.
#include "cpu/dropout_avx2.hpp"

#include <immintrin.h>

#include <cstring>

#include "detnum/random.hpp"

namespace detnum::detail {

namespace {

constexpr int kVectors = 4;  // 4 x 8 counters = 32 blocks = 128 words

// hi and lo halves of m * c in each of the 8 lanes.
[[gnu::target("avx2")]] inline void mulhilo(__m256i m, __m256i c, __m256i& hi, __m256i& lo) {
  const __m256i even = _mm256_mul_epu32(m, c);                         // lanes 0, 2, 4, 6 as 64 bits
  const __m256i odd = _mm256_mul_epu32(m, _mm256_srli_epi64(c, 32));  // lanes 1, 3, 5, 7
  lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

// Words 4 b .. 4 b + 127 of the dropout stream, in order: out[k][q] holds words
// 32 k + 8 q .. 32 k + 8 q + 7.
[[gnu::target("avx2")]] inline void stream_words_128(PhiloxKey key, std::uint64_t b, __m256i (&out)[kVectors][4]) {
  __m256i c[kVectors][4];
  for (int k = 0; k < kVectors; ++k) {
    alignas(32) std::uint32_t w[4][8];
    for (int l = 0; l < 8; ++l) {
      const PhiloxCounter ctr = philox_counter(b + static_cast<std::uint64_t>(8 * k + l), streams::kDropout);
      for (int j = 0; j < 4; ++j) w[j][l] = ctr.w[j];
    }
    for (int j = 0; j < 4; ++j) c[k][j] = _mm256_load_si256(reinterpret_cast<const __m256i*>(w[j]));
  }
  const __m256i m0 = _mm256_set1_epi32(static_cast<int>(philox::kMultiplier0));
  const __m256i m1 = _mm256_set1_epi32(static_cast<int>(philox::kMultiplier1));
  for (int r = 0; r < philox::kRounds; ++r) {
    if (r > 0) key = PhiloxKey{{key.w[0] + philox::kWeyl0, key.w[1] + philox::kWeyl1}};
    const __m256i k0 = _mm256_set1_epi32(static_cast<int>(key.w[0]));
    const __m256i k1 = _mm256_set1_epi32(static_cast<int>(key.w[1]));
    for (int k = 0; k < kVectors; ++k) {
      __m256i hi0, lo0, hi1, lo1;
      mulhilo(m0, c[k][0], hi0, lo0);
      mulhilo(m1, c[k][2], hi1, lo1);
      c[k][0] = _mm256_xor_si256(_mm256_xor_si256(hi1, c[k][1]), k0);
      c[k][2] = _mm256_xor_si256(_mm256_xor_si256(hi0, c[k][3]), k1);
      c[k][1] = lo1;
      c[k][3] = lo0;
    }
  }
  // Transpose word-major (c[k][j] = word j of blocks 8k .. 8k+7) to stream order.
  for (int k = 0; k < kVectors; ++k) {
    const __m256i t0 = _mm256_unpacklo_epi32(c[k][0], c[k][1]), t1 = _mm256_unpackhi_epi32(c[k][0], c[k][1]);
    const __m256i t2 = _mm256_unpacklo_epi32(c[k][2], c[k][3]), t3 = _mm256_unpackhi_epi32(c[k][2], c[k][3]);
    const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);  // blocks 0|4, 1|5
    const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);  // blocks 2|6, 3|7
    out[k][0] = _mm256_permute2x128_si256(u0, u1, 0x20);
    out[k][1] = _mm256_permute2x128_si256(u2, u3, 0x20);
    out[k][2] = _mm256_permute2x128_si256(u0, u1, 0x31);
    out[k][3] = _mm256_permute2x128_si256(u2, u3, 0x31);
  }
}

// One mask byte: bit l set where word l >= threshold (unsigned).
[[gnu::target("avx2")]] inline std::uint8_t keep_byte(__m256i words, __m256i threshold) {
  const __m256i keep = _mm256_cmpeq_epi32(_mm256_max_epu32(words, threshold), words);
  return static_cast<std::uint8_t>(_mm256_movemask_ps(_mm256_castsi256_ps(keep)));
}

}  // namespace

[[gnu::target("avx2")]] void dropout_keep_bits_avx2(PhiloxKey key, std::uint64_t g0, std::uint32_t threshold,
                                                    std::uint8_t* keep) {
  const __m256i th = _mm256_set1_epi32(static_cast<int>(threshold));
  __m256i words[kVectors][4];
  stream_words_128(key, g0 >> 2, words);
  const auto shift = static_cast<int>(g0 & 3);
  if (shift == 0) {
    for (int k = 0; k < kVectors; ++k)
      for (int q = 0; q < 4; ++q) keep[4 * k + q] = keep_byte(words[k][q], th);
    return;
  }
  // The batch starts inside a block: its words run from `shift` into a 33rd block.
  alignas(32) std::uint32_t buf[4 * 33 + 4];
  for (int k = 0; k < kVectors; ++k)
    for (int q = 0; q < 4; ++q) _mm256_store_si256(reinterpret_cast<__m256i*>(buf + 32 * k + 8 * q), words[k][q]);
  const PhiloxCounter last = stream_block(key, streams::kDropout, (g0 >> 2) + 32);
  std::memcpy(buf + 128, last.w, sizeof last.w);
  for (int m = 0; m < 16; ++m)
    keep[m] = keep_byte(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(buf + shift + 8 * m)), th);
}

[[gnu::target("avx2")]] void dropout_apply_f32_avx2(const float* in, float* out, const std::uint8_t* keep,
                                                    float scale) {
  const __m256 s = _mm256_set1_ps(scale);
  const __m256 nan = _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(kCanonicalNanF32)));
  const __m256i lane_bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  for (int m = 0; m < 16; ++m) {
    const __m256i bits = _mm256_and_si256(_mm256_set1_epi32(keep[m]), lane_bit);
    const __m256 kept = _mm256_castsi256_ps(_mm256_cmpeq_epi32(bits, lane_bit));
    __m256 v = _mm256_mul_ps(_mm256_loadu_ps(in + 8 * m), s);       // one rounding, as dropout_value
    v = _mm256_blendv_ps(v, nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));  // canonical NaN
    _mm256_storeu_ps(out + 8 * m, _mm256_and_ps(v, kept));           // +0 where dropped
  }
}

}  // namespace detnum::detail
