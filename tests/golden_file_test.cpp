// DETNUM_EXPECT_GOLDEN's file (detnum/testing/golden.hpp): a changed tensor fails with both
// fingerprints, a missing key says how to add it, and updates from many processes at once (as
// ctest -j runs tests) keep every key and never leave a half-written file. (update_golden and
// compare_golden directly, so that DETNUM_UPDATE_GOLDEN=1 changes nothing here.)
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "detnum/testing/golden.hpp"

namespace detnum::test {
namespace {

std::filesystem::path scratch_file(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("detnum_golden_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

Fingerprint of(float value) {
  const std::vector<float> x(4, value);
  return fingerprint(TensorView::of(x.data(), {4}));
}

TEST(GoldenFile, ComparesAndNamesTheDifference) {
  const std::string file = scratch_file("compare.jsonl");
  ASSERT_TRUE(testing::update_golden(of(1.0f), file, "w"));
  EXPECT_TRUE(testing::compare_golden(of(1.0f), file, "w"));
  const ::testing::AssertionResult changed = testing::compare_golden(of(2.0f), file, "w");
  EXPECT_FALSE(changed);
  EXPECT_NE(std::string(changed.message()).find("\"w\" differs from"), std::string::npos) << changed.message();
  const ::testing::AssertionResult missing = testing::compare_golden(of(1.0f), file, "v");
  EXPECT_FALSE(missing);
  EXPECT_NE(std::string(missing.message()).find("DETNUM_UPDATE_GOLDEN=1"), std::string::npos) << missing.message();
  std::filesystem::remove_all(std::filesystem::path(file).parent_path());
}

TEST(GoldenFile, ConcurrentUpdatesKeepEveryKey) {
  constexpr int kProcesses = 8, kKeys = 20;
  const std::string file = scratch_file("concurrent.jsonl");
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      ADD_FAILURE() << "fork failed";
      break;
    }
    if (pid == 0) {  // each child adds its keys, one locked read-change-write each, and reads between
      bool ok = true;
      try {
        for (int k = 0; k < kKeys; ++k) {
          const std::string key = "p" + std::to_string(p) + "/k" + std::to_string(k);
          ok = ok && testing::update_golden(of(static_cast<float>(p * kKeys + k)), file, key);
          ok = ok && testing::compare_golden(of(static_cast<float>(p * kKeys + k)), file, key);
        }
      } catch (...) {  // a torn file that does not parse, say: never back into GoogleTest's runner
        std::_Exit(2);
      }
      std::_Exit(ok ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "a child's update or read failed (exit status " << WEXITSTATUS(status) << ")";
  }
  const std::vector<RunRecord> records = testing::read_golden(file);
  EXPECT_EQ(records.size(), static_cast<std::size_t>(kProcesses * kKeys));
  for (int p = 0; p < kProcesses; ++p)
    for (int k = 0; k < kKeys; ++k)
      EXPECT_TRUE(testing::compare_golden(of(static_cast<float>(p * kKeys + k)), file,
                                          "p" + std::to_string(p) + "/k" + std::to_string(k)));
  std::filesystem::remove_all(std::filesystem::path(file).parent_path());
}

}  // namespace
}  // namespace detnum::test
