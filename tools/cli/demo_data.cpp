#include "demo_data.hpp"

#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace detnum::cli {

const char* const kDigitsHint =
    "the digits dataset was not found. tools/fetch-digits.sh takes the one file out of Debian's\n"
    "python3-sklearn package (apt-get download, dpkg-deb; SciPy is not installed) into\n"
    "data/digits.csv.gz; or install python3-sklearn; or pass --data PATH / set DETNUM_DIGITS.\n";

std::string find_digits(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("DETNUM_DIGITS"); env != nullptr && *env != '\0') return env;
  for (const char* p : {"data/digits.csv.gz", "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"})
    if (std::filesystem::exists(p)) return p;
  return "";
}

Digits load_digits(const std::string& path) {
  const std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  if (!file) throw std::runtime_error("cannot open " + path);
  Digits d;
  char line[4096];
  for (std::int64_t number = 1; gzgets(file.get(), line, sizeof line) != nullptr; ++number) {
    const auto bad = [&](const std::string& what) {
      return std::runtime_error(path + ":" + std::to_string(number) + ": " + what);
    };
    std::istringstream in(line);
    std::string cell;
    int values[Digits::kFeatures + 1], k = 0;
    while (std::getline(in, cell, ',')) {
      if (k > Digits::kFeatures) throw bad("more than 65 values");
      try {
        std::size_t used = 0;
        values[k] = std::stoi(cell, &used);
        if (cell.find_first_not_of(" \r\n", used) != std::string::npos) throw std::invalid_argument(cell);
      } catch (const std::exception&) {
        throw bad("not an integer: \"" + cell + "\"");
      }
      ++k;
    }
    if (k != Digits::kFeatures + 1) throw bad("expected 65 values, got " + std::to_string(k));
    for (int i = 0; i < Digits::kFeatures; ++i) {
      if (values[i] < 0 || values[i] > 16) throw bad("pixel out of 0..16: " + std::to_string(values[i]));
      d.features.push_back(static_cast<float>(values[i]) / 16.0f);
    }
    if (values[Digits::kFeatures] < 0 || values[Digits::kFeatures] >= Digits::kClasses)
      throw bad("label out of 0..9: " + std::to_string(values[Digits::kFeatures]));
    d.labels.push_back(values[Digits::kFeatures]);
  }
  if (d.labels.empty()) throw std::runtime_error(path + ": no digits (not a gzip file, or empty)");
  return d;
}

}  // namespace detnum::cli
