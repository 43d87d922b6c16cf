// The pieces of a tensor fingerprint that the host and the CUDA versions share: argument checks,
// the hashed header, and the statistics of integer tensors (computed on the host in both).
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <new>
#include <string>
#include <string_view>

#include "detnum/fingerprint.hpp"

namespace detnum::detail {

// The element count of a valid view (dtype known, dims >= 0, bytes addressable, data not null
// when there are elements).
std::int64_t check_tensor_view(std::string_view fn, const TensorView& v);

// An XXH3 state, freed on scope exit.
class HashState {
 public:
  HashState() : s_(XXH3_createState()) {
    if (s_ == nullptr) throw std::bad_alloc();
  }
  ~HashState() { XXH3_freeState(s_); }
  HashState(const HashState&) = delete;
  HashState& operator=(const HashState&) = delete;
  XXH3_state_t* get() const { return s_; }

 private:
  XXH3_state_t* s_;
};

// The hash state after the header: "detnum-tensor" NUL, the dtype name NUL, the rank and each
// dimension as 8-byte little-endian integers. The bytes follow, then finish_hash.
void start_hash(XXH3_state_t* state, const TensorView& v);
std::string finish_hash(XXH3_state_t* state);
// "xxh3:" and the 32 hex digits of h, high 64 bits first.
std::string hash_text(XXH128_hash_t h);

// Integer statistics of n elements, folded in index order; call once per piece, in order.
struct IntegerStats {
  TensorStats s;
  __extension__ __int128 sum = 0;  // exact for any count below 2^64
  double squares = 0;
  void add(Dtype dtype, const void* data, std::int64_t n);
  TensorStats finish();
};

}  // namespace detnum::detail
