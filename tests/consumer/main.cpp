// A user's program, compiled the way many are: run.cmake adds -ffp-contract=fast (and FMA
// instructions where the CPU has them) to its flags. detnum's headers compile arithmetic of the
// order inline in the user's own files (detnum/math.hpp, the elementwise steps), so linking
// detnum::detnum must bring the no-contraction flags with it; this program checks that it did.
#include <detnum/config.hpp>
#include <detnum/detail/pointwise_order.hpp>
#include <detnum/dropout.hpp>
#include <detnum/pointwise.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

bool check(bool ok, const char* what) {
  std::printf("%s: %s\n", what, ok ? "ok" : "MISMATCH");
  return ok;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

int main() {
  bool ok = true;

  // The user's own a * b + c: a contraction into an FMA would keep the 2^-24 (tests/fp_hygiene_test.cpp).
  volatile float va = 1.0f + 0x1p-12f, vb = 1.0f + 0x1p-12f, vc = -(1.0f + 0x1p-11f);
  const float a = va, b = vb, c = vc;
  ok &= check(a * b + c == 0.0f, "no contraction in this program");

  // The same elementwise step compiled here (inline) and inside the library.
  const std::int64_t n = 1 << 16;
  std::vector<float> x(n), dy(n), grad_here(n), grad_library(n), gelu_here(n), gelu_library(n);
  for (std::int64_t i = 0; i < n; ++i) {
    x[i] = -8.0f + 16.0f * static_cast<float>(i) / static_cast<float>(n) + 0x1p-13f * static_cast<float>(i % 7);
    dy[i] = 1.0f - static_cast<float>(i % 13) / 7.0f;
    grad_here[i] = detnum::detail::gelu_grad(x[i], dy[i]);  // math::exp and math::erf inside
    gelu_here[i] = detnum::detail::gelu(x[i]);
  }
  detnum::ref::gelu_backward(x.data(), dy.data(), grad_library.data(), n);
  ok &= check(same_bits(grad_here, grad_library), "gelu_grad inline = the library's gelu_backward");
  detnum::ref::gelu(x.data(), gelu_library.data(), n);
  ok &= check(same_bits(gelu_here, gelu_library), "gelu inline = the library's");

  std::vector<float> ones(1000, 1.0f), y(1000), r(1000);
  detnum::dropout_forward(ones.data(), y.data(), 1000, {0.5f, 42, 0});
  detnum::ref::dropout_forward(ones.data(), r.data(), 1000, {0.5f, 42, 0});
  ok &= check(same_bits(y, r), "dropout = its reference");

  std::printf("detnum %s, order spec v%d: %s\n", DETNUM_VERSION_STRING, DETNUM_ORDER_SPEC_VERSION,
              ok ? "ok" : "MISMATCH");
  return ok ? 0 : 1;
}
