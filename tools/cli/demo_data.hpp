// The demo's dataset: scikit-learn's handwritten digits (1797 images of 8 x 8 pixels, values
// 0..16, and their labels 0..9), read from the digits.csv.gz that Debian's python3-sklearn ships.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace detnum::cli {

struct Digits {
  static constexpr int kFeatures = 64, kClasses = 10;
  std::vector<float> features;        // count x 64, pixel / 16 (exact), in [0, 1]
  std::vector<std::int32_t> labels;   // count
  std::int64_t count() const { return static_cast<std::int64_t>(labels.size()); }
};

// The file to read: `given` when not empty, else DETNUM_DIGITS, else data/digits.csv.gz, else
// python3-sklearn's installed copy; "" when none exists.
std::string find_digits(const std::string& given);

// Throws std::runtime_error naming the file and line of anything malformed.
Digits load_digits(const std::string& path);

// What to tell a user who has no digits file.
extern const char* const kDigitsHint;

}  // namespace detnum::cli
