// Two runs compared record by record in (step, name) order: the walk behind `detnum runs diff`,
// also used by `detnum demo` to name where two trainings part.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "detnum/runlog.hpp"

namespace detnum::cli {

struct EnvironmentDifference {
  std::string key, a, b;  // "(absent)" where a run lacks the key
};

struct RunComparison {
  std::size_t same = 0;                                      // records with equal fingerprints
  std::optional<std::pair<RunRecord, RunRecord>> first;      // the first pair that differs
  std::size_t differing = 0;                                 // pairs that differ
  std::vector<std::string> only_a, only_b;                   // "step S NAME"
  std::vector<EnvironmentDifference> environment;
  bool diverged() const { return differing > 0 || !only_a.empty() || !only_b.empty(); }
};

RunComparison compare_runs(RunData a, RunData b);

// One line: hash, dtype, shape and statistics of a record, after "    LABEL ".
void print_record_stats(const char* label, const RunRecord& r);

}  // namespace detnum::cli
