#include "cpu/cpu_features.hpp"

namespace detnum::detail {

bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}

}  // namespace detnum::detail
