// Argument checks shared by the GEMM entry points of every backend (CPU, reference, CUDA).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "common/memory_space.hpp"
#include "common/validate.hpp"
#include "detnum/gemm.hpp"

namespace detnum::detail {

// One batch of GEMM arguments, as the entry points receive them (a single gemm: batch 1).
struct GemmArgs {
  Transpose trans_a, trans_b;
  std::int64_t m, n, k;
  float alpha;
  const void* a;
  std::int64_t lda, stride_a;
  const void* b;
  std::int64_t ldb, stride_b;
  float beta;
  const void* c;
  std::int64_t ldc, stride_c;
  std::int64_t batch;
};

// Elements from the first to one past the last of `batch` stored rows x cols matrices.
inline std::int64_t batch_extent(std::string_view fn, std::string_view name, std::int64_t rows, std::int64_t cols,
                                 std::int64_t ld, std::int64_t stride, std::int64_t batch) {
  if (rows == 0 || cols == 0 || batch == 0) return 0;
  const std::int64_t one = checked_mul_add(rows - 1, ld, cols);
  const std::int64_t all = one < 0 ? -1 : checked_mul_add(batch - 1, stride, one);
  if (all < 0)
    fail(ErrorCode::size_out_of_range, fn,
         std::string(name) + " names elements beyond 2^63 (" + std::to_string(rows) + " x " + std::to_string(cols) +
             ", ld " + std::to_string(ld) + ", stride " + std::to_string(stride) + ", batch " + std::to_string(batch) +
             ")");
  return all;
}

inline void check_ld(std::string_view fn, std::string_view name, std::int64_t ld, std::int64_t cols,
                     std::string_view cols_name) {
  const std::int64_t least = cols > 1 ? cols : 1;
  if (ld < least)
    fail(ErrorCode::invalid_argument, fn,
         std::string(name) + " must be >= max(1, " + std::string(cols_name) + ") = " + std::to_string(least) +
             ", got " + std::to_string(ld));
}

// Every rule of detnum/gemm.hpp; elem_in and elem_out are the sizes of the input and output types.
inline void check_gemm(std::string_view fn, const GemmArgs& g, std::size_t elem_in, std::size_t elem_out,
                       Reader reader) {
  for (const auto& [t, name] : {std::pair{g.trans_a, "trans_a"}, std::pair{g.trans_b, "trans_b"}})
    if (t != Transpose::no && t != Transpose::yes)
      fail(ErrorCode::invalid_argument, fn,
           std::string(name) + " must be Transpose::no or Transpose::yes, got " + std::to_string(static_cast<int>(t)));
  check_size(fn, "m", g.m, elem_out);
  check_size(fn, "n", g.n, elem_out);
  check_size(fn, "k", g.k, elem_in);
  check_size(fn, "batch", g.batch, 1);
  const bool ta = g.trans_a == Transpose::yes, tb = g.trans_b == Transpose::yes;
  check_ld(fn, "lda", g.lda, ta ? g.m : g.k, ta ? "m" : "k");
  check_ld(fn, "ldb", g.ldb, tb ? g.k : g.n, tb ? "k" : "n");
  check_ld(fn, "ldc", g.ldc, g.n, "n");
  for (const auto& [s, name] : {std::pair{g.stride_a, "stride_a"}, std::pair{g.stride_b, "stride_b"},
                                std::pair{g.stride_c, "stride_c"}})
    if (s < 0) fail(ErrorCode::invalid_argument, fn, std::string(name) + " must be >= 0, got " + std::to_string(s));

  const bool reads_ab = g.m > 0 && g.n > 0 && g.k > 0 && g.alpha != 0.0f;
  const std::int64_t ext_a = reads_ab ? batch_extent(fn, "A", ta ? g.k : g.m, ta ? g.m : g.k, g.lda, g.stride_a, g.batch) : 0;
  const std::int64_t ext_b = reads_ab ? batch_extent(fn, "B", tb ? g.n : g.k, tb ? g.k : g.n, g.ldb, g.stride_b, g.batch) : 0;
  const std::int64_t ext_c = batch_extent(fn, "C", g.m, g.n, g.ldc, g.stride_c, g.batch);
  check_size(fn, "the extent of A", ext_a, elem_in);
  check_size(fn, "the extent of B", ext_b, elem_in);
  check_size(fn, "the extent of C", ext_c, elem_out);
  if (g.batch > 1 && ext_c > 0 && g.stride_c < (g.m - 1) * g.ldc + g.n)
    fail(ErrorCode::unsupported_aliasing, fn,
         "stride_c must be >= (m - 1) * ldc + n = " + std::to_string((g.m - 1) * g.ldc + g.n) +
             " so that the C matrices do not overlap, got " + std::to_string(g.stride_c));

  const auto check_pointer = [&](std::string_view name, const void* p, std::int64_t extent) {
    check_not_null(fn, name, p, extent);
    if (extent == 0) return;
    check_accessible(fn, name, p, reader);
  };
  check_pointer("a", g.a, ext_a);
  check_pointer("b", g.b, ext_b);
  check_pointer("c", g.c, ext_c);
  const auto bytes = [](std::int64_t e, std::size_t s) { return e * static_cast<std::int64_t>(s); };
  check_no_overlap(fn, "c", g.c, bytes(ext_c, elem_out), "a", g.a, bytes(ext_a, elem_in), false);
  check_no_overlap(fn, "c", g.c, bytes(ext_c, elem_out), "b", g.b, bytes(ext_b, elem_in), false);
}

}  // namespace detnum::detail
