// Golden fingerprints for GoogleTest: pin a tensor's exact bits in a JSONL file committed beside
// the tests, and fail with both fingerprints and their statistics when the bits change.
//
//   DETNUM_EXPECT_GOLDEN(detnum::TensorView::of(w, {out, in}), "tests/golden/model.jsonl", "step3/layer1.weight");
//   DETNUM_EXPECT_GOLDEN(detnum::cuda::fingerprint(device_view), "tests/golden/model.jsonl", "step3/layer1.weight");
//
// The file holds one record per line (detnum/runlog.hpp's JSONL, step 0, the key as the name).
// With DETNUM_UPDATE_GOLDEN=1 in the environment the macro writes the current fingerprint into
// the file instead of comparing (adding or replacing that key, keeping the others, sorted by key),
// so updating goldens is one run of the tests and a reviewed diff. Updates from many processes at
// once (ctest -j runs each test as its own) take turns: each holds an exclusive lock on the
// file's folder for its read, change and write, and the new contents replace the file by a
// rename, so that no reader sees half of it.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
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

// An exclusive lock on a folder (flock), held for the object's life; released by close.
class FolderLock {
 public:
  explicit FolderLock(const std::filesystem::path& folder)
      : fd_(::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;
  ~FolderLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool held() const { return fd_ >= 0; }

 private:
  int fd_;
};

// Adds or replaces key's record in file, keeping the others, sorted by key.
inline ::testing::AssertionResult update_golden(const Fingerprint& f, const std::string& file, const std::string& key) {
  const std::filesystem::path path(file);
  const FolderLock lock(path.parent_path());
  if (!lock.held()) return ::testing::AssertionFailure() << "cannot lock the folder of " << file;
  std::vector<RunRecord> records = read_golden(file);
  const auto it = std::find_if(records.begin(), records.end(), [&](const RunRecord& r) { return r.name == key; });
  if (it != records.end()) it->fingerprint = f;
  else records.push_back({0, key, f});
  std::sort(records.begin(), records.end(), [](const RunRecord& a, const RunRecord& b) { return a.name < b.name; });
  const std::string temporary = file + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!(out << records_to_jsonl(records)) || !out.flush())
      return ::testing::AssertionFailure() << "cannot write " << temporary;
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) return ::testing::AssertionFailure() << "cannot rename " << temporary << " to " << file << ": " << error.message();
  return ::testing::AssertionSuccess() << "updated " << key << " in " << file;
}

inline ::testing::AssertionResult matches_golden(const Fingerprint& f, const std::string& file, const std::string& key) {
  const char* update = std::getenv("DETNUM_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") return update_golden(f, file, key);
  const std::vector<RunRecord> records = read_golden(file);
  const auto it = std::find_if(records.begin(), records.end(), [&](const RunRecord& r) { return r.name == key; });
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
