#include <detnum/config.hpp>
#include <detnum/dropout.hpp>

#include <cstdio>
#include <vector>

int main() {
  std::vector<float> x(1000, 1.0f), y(1000);
  detnum::dropout_forward(x.data(), y.data(), 1000, {0.5f, 42, 0});
  const bool same_as_reference = [&] {
    std::vector<float> r(1000);
    detnum::ref::dropout_forward(x.data(), r.data(), 1000, {0.5f, 42, 0});
    return r == y;
  }();
  std::printf("detnum %s, order spec v%d: %s\n", DETNUM_VERSION_STRING, DETNUM_ORDER_SPEC_VERSION,
              same_as_reference ? "ok" : "MISMATCH");
  return same_as_reference ? 0 : 1;
}
