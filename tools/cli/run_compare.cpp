#include "run_compare.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "common/runlog_text.hpp"

namespace detnum::cli {

RunComparison compare_runs(RunData a, RunData b) {
  const auto order = [](const RunRecord& x, const RunRecord& y) {
    return x.step != y.step ? x.step < y.step : x.name < y.name;
  };
  std::sort(a.records.begin(), a.records.end(), order);
  std::sort(b.records.begin(), b.records.end(), order);
  RunComparison c;
  const auto where = [](const RunRecord& r) { return "step " + std::to_string(r.step) + " " + r.name; };
  for (std::size_t i = 0, j = 0; i < a.records.size() || j < b.records.size();) {
    if (j == b.records.size() || (i < a.records.size() && order(a.records[i], b.records[j]))) {
      c.only_a.push_back(where(a.records[i++]));
    } else if (i == a.records.size() || order(b.records[j], a.records[i])) {
      c.only_b.push_back(where(b.records[j++]));
    } else {
      if (a.records[i].fingerprint.hash == b.records[j].fingerprint.hash) {
        ++c.same;
      } else {
        if (c.differing++ == 0) c.first.emplace(a.records[i], b.records[j]);
      }
      ++i;
      ++j;
    }
  }
  std::set<std::string> keys;
  for (const auto& [k, v] : a.info.environment) keys.insert(k);
  for (const auto& [k, v] : b.info.environment) keys.insert(k);
  for (const std::string& k : keys) {
    const auto ia = a.info.environment.find(k), ib = b.info.environment.find(k);
    EnvironmentDifference d{k, ia == a.info.environment.end() ? "(absent)" : ia->second,
                            ib == b.info.environment.end() ? "(absent)" : ib->second};
    if (d.a != d.b) c.environment.push_back(std::move(d));
  }
  return c;
}

void print_record_stats(const char* label, const RunRecord& r) {
  const TensorStats& s = r.fingerprint.stats;
  std::printf("    %s %s %s%s  count %lld nans %lld infs %lld  min %.9g max %.9g sum %.9g l2 %.9g\n", label,
              r.fingerprint.hash.c_str(), detnum::dtype_name(r.fingerprint.dtype),
              detail::shape_text(r.fingerprint.shape).c_str(), static_cast<long long>(s.count),
              static_cast<long long>(s.nans), static_cast<long long>(s.infs), s.min, s.max, s.sum, s.l2);
}

}  // namespace detnum::cli
