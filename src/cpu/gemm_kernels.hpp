// The GEMM micro-kernels of the CPU path (gemm.cpp): one MR x NR tile of C from packed panels of
// op(A) and op(B) over one segment of k, then ORDER.md's step 3 on the tile. Both kernels give
// the same bits: per output an fma chain from -0 in increasing k, then R updated by
// gemm_first / gemm_next; the AVX2 one holds the 6 x 16 partials in 12 ymm registers.
#pragma once

#include <cstdint>

namespace detnum::detail {

inline constexpr int kGemmMR = 6;   // rows of a micro-tile
inline constexpr int kGemmNR = 16;  // columns of a micro-tile

// How a segment's partials update the tile: R = first ? gemm_first(alpha, p, beta, c) :
// gemm_next(alpha, p, c); when last, R is stored with canonical NaNs.
struct TileUpdate {
  float alpha, beta;
  bool first, last;
};

// pa: kc x MR (element (p, r) at pa[p * MR + r]); pb: kc x NR (at pb[p * NR + j]); c: an MR x NR
// tile of floats with row stride ldc, all of it in bounds; kc >= 1.
[[gnu::target("avx2,fma")]] void gemm_tile_avx2(int kc, const float* pa, const float* pb, float* c, std::int64_t ldc,
                                                const TileUpdate& u);
void gemm_tile_portable(int kc, const float* pa, const float* pb, float* c, std::int64_t ldc, const TileUpdate& u);

}  // namespace detnum::detail
