#include "cpu/cpu_features.hpp"

namespace detnum::detail {

bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}

bool cpu_has_avx2_fma() {
  static const bool has = cpu_has_avx2() && __builtin_cpu_supports("fma");
  return has;
}

bool cpu_has_avx2_fma_f16c() {
  static const bool has = cpu_has_avx2_fma() && __builtin_cpu_supports("f16c");
  return has;
}

}  // namespace detnum::detail
