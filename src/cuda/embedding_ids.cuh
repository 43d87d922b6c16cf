// The check of ids and labels on the device, shared by the embedding lookup (embedding.cu, which
// defines the host functions declared here), its gradient (embedding_backward.cu) and
// cross_entropy's labels (nn_rows.cu: there `vocab` is cols, and a call without an IdCheck does
// not check at all, leaving NaN where a label is bad).
//
// Each row whose id is outside [0, vocab) is noted in one word (an integer atomicMax of n - row,
// so that the first bad row wins): by a kernel of its own for the lookup, and while the gradient
// orders its rows (which writes only the workspace). Every kernel that writes the caller's output
// looks at the word first and stops if it is set, so a bad id leaves the output as it was. Then
// the call either waits for its stream and throws the CPU's error for that row (its one wait),
// or, given an IdCheck, has the first of those kernels keep the row in the check's record for
// IdCheck::throw_if_bad, and returns without waiting.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "common/validate.hpp"
#include "cuda/check.hpp"
#include "cuda/launch.hpp"
#include "detnum/cuda/embedding.hpp"
#include "detnum/detail/nn_rows_order.hpp"

namespace detnum::detail {

// Which call a record names (its error's function and wording).
inline constexpr int kCallLookup = 0, kCallGradient = 1, kCallCrossEntropy = 2;

struct IdCheckRecord {
  unsigned long long noted;  // 0: nothing yet; taken by an integer atomicCAS
  std::int64_t row, vocab;   // vocab: the bound of the indices (cols for cross_entropy's labels)
  std::int64_t ignore;       // cross_entropy's ignored label, or kNoIgnoredLabel
  std::int32_t id;
  int call;  // kCallLookup, kCallGradient or kCallCrossEntropy
};

// A moved-from check holds no record: every use of it says so.
inline void require_record(const void* record, const char* fn) {
  if (record == nullptr) fail(ErrorCode::invalid_argument, fn, "check was moved from: it holds no device memory");
}

struct IdCheckAccess {
  // The record a call uses, after checking that the check is usable here.
  static IdCheckRecord* record(cuda::IdCheck& c, const char* fn) {
    require_record(c.record_, fn);
    int device = 0;
    DETNUM_CUDA_CHECK(fn, cudaGetDevice(&device));
    if (device != c.device_)
      fail(ErrorCode::wrong_memory_space, fn,
           "check was made on device " + std::to_string(c.device_) + ", and the current device is " +
               std::to_string(device));
    return c.record_;
  }
  // The stream that throw_if_bad waits for: the last one a call queued work on.
  static void queued_on(cuda::IdCheck& c, cudaStream_t stream) { c.stream_ = stream; }
};


// A bad id's row r is noted as n - r with an integer atomicMax, so that the word, zeroed before,
// ends up naming the first bad row (0: none).
__device__ __forceinline__ void note_if_bad(std::int32_t id, std::int64_t r, std::int64_t n, std::int64_t vocab,
                                            unsigned long long* bad) {
  if (id < 0 || id >= vocab) atomicMax(bad, static_cast<unsigned long long>(n - r));
}

// A call whose ids hold a bad one writes nothing of the caller's: its kernels that would look at
// `bad` first (final before they start: the kernels that note rows run earlier on the stream).
// With an IdCheck, one thread of the first such kernel also keeps the call's first bad row in
// the check's record, unless that holds an earlier call's.
__device__ __forceinline__ bool stop_for_bad_id(const unsigned long long* bad, const std::int32_t* ids, std::int64_t n,
                                                std::int64_t vocab, int call, IdCheckRecord* record,
                                                std::int64_t ignore = kNoIgnoredLabel) {
  const unsigned long long noted = *bad;
  if (noted == 0) return false;
  if (record != nullptr && blockIdx.x == 0 && threadIdx.x == 0 && atomicCAS(&record->noted, 0ull, 1ull) == 0ull) {
    const std::int64_t row = n - static_cast<std::int64_t>(noted);
    record->row = row;
    record->id = ids[row];
    record->vocab = vocab;
    record->ignore = ignore;
    record->call = call;
  }
  return true;
}

// The ids alone, into `bad` (the lookup's, and those of a gradient with nothing to write).
void check_ids(const char* fn, const std::int32_t* ids, std::int64_t n, std::int64_t vocab, unsigned long long* bad,
               cudaStream_t stream);

// The end of a call: without an IdCheck (record null), the wait and the error of a bad id; with
// one, nothing more when a kernel of the call looked at `bad` (it kept the id in the record),
// else a kernel that keeps it.
void settle_ids(const char* fn, const std::int32_t* ids, std::int64_t n, std::int64_t vocab,
                const unsigned long long* bad, int call, IdCheckRecord* record, bool looked,
                cudaStream_t stream);

}  // namespace detnum::detail

// The names of the files that use them.
namespace detnum::cuda {
using detail::check_ids;
using detail::grid_of;
using detail::IdCheckAccess;
using detail::IdCheckRecord;
using detail::note_if_bad;
using detail::settle_ids;
using detail::stop_for_bad_id;
}  // namespace detnum::cuda
