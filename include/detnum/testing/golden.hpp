// Golden fingerprints for GoogleTest: pin a tensor's exact bits in a JSONL file committed beside
// the tests, and fail with both fingerprints and their statistics when the bits change.
//
//   DETNUM_EXPECT_GOLDEN(detnum::TensorView::of(w, {out, in}), "tests/golden/model.jsonl", "step3/layer1.weight");
//   DETNUM_EXPECT_GOLDEN(detnum::cuda::fingerprint(device_view), "tests/golden/model.jsonl", "step3/layer1.weight");
//
// The file holds one record per line (detnum/runlog.hpp's JSONL, step 0, the key as the name).
// With DETNUM_UPDATE_GOLDEN=1 in the environment the macro writes the current fingerprint into
// the file instead of comparing (adding or replacing that key, keeping the others, sorted by key),
// so updating goldens is one run of the tests and a reviewed diff.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "detnum/fingerprint.hpp"
#include "detnum/runlog.hpp"

namespace detnum::testing {

inline std::vector<RunRecord> read_golden(const std::string& file) {
  std::ifstream f(file, std::ios::binary);
  if (!f) return {};
  std::stringstream s;
  s << f.rdbuf();
  return from_jsonl(s.str(), file).records;
}

inline std::string describe(const Fingerprint& f) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s %s count %lld nans %lld infs %lld min %.9g max %.9g sum %.9g l2 %.9g",
                f.hash.c_str(), dtype_name(f.dtype), static_cast<long long>(f.stats.count),
                static_cast<long long>(f.stats.nans), static_cast<long long>(f.stats.infs), f.stats.min, f.stats.max,
                f.stats.sum, f.stats.l2);
  return buf;
}

inline ::testing::AssertionResult matches_golden(const Fingerprint& f, const std::string& file, const std::string& key) {
  std::vector<RunRecord> records = read_golden(file);
  const auto it = std::find_if(records.begin(), records.end(), [&](const RunRecord& r) { return r.name == key; });
  const char* update = std::getenv("DETNUM_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    if (it != records.end()) it->fingerprint = f;
    else records.push_back({0, key, f});
    std::sort(records.begin(), records.end(), [](const RunRecord& a, const RunRecord& b) { return a.name < b.name; });
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!(out << records_to_jsonl(records))) return ::testing::AssertionFailure() << "cannot write " << file;
    return ::testing::AssertionSuccess() << "updated " << key << " in " << file;
  }
  if (it == records.end())
    return ::testing::AssertionFailure() << "no golden record \"" << key << "\" in " << file
                                         << " (run with DETNUM_UPDATE_GOLDEN=1 to add it)";
  if (it->fingerprint.hash == f.hash && it->fingerprint.shape == f.shape && it->fingerprint.dtype == f.dtype)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << key << "\" differs from " << file << ":\n  golden: "
                                       << describe(it->fingerprint) << "\n  now:    " << describe(f);
}

inline ::testing::AssertionResult matches_golden(const TensorView& host_tensor, const std::string& file,
                                                 const std::string& key) {
  return matches_golden(fingerprint(host_tensor), file, key);
}

}  // namespace detnum::testing

#define DETNUM_EXPECT_GOLDEN(tensor_or_fingerprint, file, key) \
  EXPECT_TRUE(::detnum::testing::matches_golden((tensor_or_fingerprint), (file), (key)))
