// Golden fingerprints for GoogleTest: pin a tensor's exact bits in a JSONL file committed beside
// the tests, and fail with both fingerprints and their statistics when the bits change.
//
//   DETNUM_EXPECT_GOLDEN(detnum::TensorView::of(w, {out, in}), "tests/golden/model.jsonl", "step3/layer1.weight");
//   DETNUM_EXPECT_GOLDEN(detnum::cuda::fingerprint(device_view), "tests/golden/model.jsonl", "step3/layer1.weight");
//
// The file holds one record per line (detnum/runlog.hpp's JSONL, step 0, the key as the name).
// With DETNUM_UPDATE_GOLDEN=1 in the environment the macro writes the current fingerprint into
// the file instead of comparing (adding or replacing that key, keeping the others, sorted by key),
// so updating goldens is one run of the tests and a reviewed diff. Processes that use one file at
// once (ctest -j runs each test as its own) take turns: an update holds an exclusive lock on the
// file (flock) for its read, change and rewrite in place, a read a shared one, so no update is
// lost and no reader sees half of one; the file keeps its permissions and links. (POSIX only.)
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "detnum/fingerprint.hpp"
#include "detnum/runlog.hpp"

namespace detnum::testing {

// An open file descriptor holding a flock, released (and closed) at the end of its life; fd < 0
// when the file could not be opened or locked.
class LockedFile {
 public:
  LockedFile(const std::string& file, bool for_update)
      : fd_(::open(file.c_str(), for_update ? O_RDWR | O_CREAT | O_CLOEXEC : O_RDONLY | O_CLOEXEC, 0644)) {
    if (fd_ >= 0 && ::flock(fd_, for_update ? LOCK_EX : LOCK_SH) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;
  ~LockedFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

  // All of the file's bytes; false on a read error.
  bool read_all(std::string& out) const {
    out.clear();
    char buf[65536];
    for (off_t at = 0;;) {
      const ssize_t got = ::pread(fd_, buf, sizeof buf, at);
      if (got < 0) return false;
      if (got == 0) return true;
      out.append(buf, static_cast<std::size_t>(got));
      at += got;
    }
  }
  // Replaces the file's bytes with `text`; false on a write error.
  bool write_all(const std::string& text) const {
    if (::ftruncate(fd_, 0) != 0) return false;
    for (std::size_t at = 0; at < text.size();) {
      const ssize_t put = ::pwrite(fd_, text.data() + at, text.size() - at, static_cast<off_t>(at));
      if (put <= 0) return false;
      at += static_cast<std::size_t>(put);
    }
    return true;
  }

 private:
  int fd_;
};

// The records of a golden file (none when it does not exist), read under a shared lock.
inline std::vector<RunRecord> read_golden(const std::string& file) {
  const LockedFile f(file, false);
  std::string text;
  if (f.fd() < 0 || !f.read_all(text)) return {};
  return from_jsonl(text, file).records;
}

inline std::string describe(const Fingerprint& f) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s %s count %lld nans %lld infs %lld min %.9g max %.9g sum %.9g l2 %.9g",
                f.hash.c_str(), dtype_name(f.dtype), static_cast<long long>(f.stats.count),
                static_cast<long long>(f.stats.nans), static_cast<long long>(f.stats.infs), f.stats.min, f.stats.max,
                f.stats.sum, f.stats.l2);
  return buf;
}

// Adds or replaces key's record in file, keeping the others, sorted by key.
inline ::testing::AssertionResult update_golden(const Fingerprint& f, const std::string& file, const std::string& key) {
  const LockedFile locked(file, true);
  if (locked.fd() < 0) return ::testing::AssertionFailure() << "cannot open and lock " << file;
  std::string text;
  if (!locked.read_all(text)) return ::testing::AssertionFailure() << "cannot read " << file;
  std::vector<RunRecord> records = from_jsonl(text, file).records;
  const auto it = std::find_if(records.begin(), records.end(), [&](const RunRecord& r) { return r.name == key; });
  if (it != records.end()) it->fingerprint = f;
  else records.push_back({0, key, f});
  std::sort(records.begin(), records.end(), [](const RunRecord& a, const RunRecord& b) { return a.name < b.name; });
  if (!locked.write_all(records_to_jsonl(records))) return ::testing::AssertionFailure() << "cannot write " << file;
  return ::testing::AssertionSuccess() << "updated " << key << " in " << file;
}

// Compares f with key's record in file (never writes).
inline ::testing::AssertionResult compare_golden(const Fingerprint& f, const std::string& file,
                                                 const std::string& key) {
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

// The macro's test: with DETNUM_UPDATE_GOLDEN=1 an update, else a comparison.
inline ::testing::AssertionResult matches_golden(const Fingerprint& f, const std::string& file,
                                                 const std::string& key) {
  const char* update = std::getenv("DETNUM_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") return update_golden(f, file, key);
  return compare_golden(f, file, key);
}

inline ::testing::AssertionResult matches_golden(const TensorView& host_tensor, const std::string& file,
                                                 const std::string& key) {
  return matches_golden(fingerprint(host_tensor), file, key);
}

}  // namespace detnum::testing

#define DETNUM_EXPECT_GOLDEN(tensor_or_fingerprint, file, key) \
  EXPECT_TRUE(::detnum::testing::matches_golden((tensor_or_fingerprint), (file), (key)))
