// The text forms the run log stores and the tools print: status and dtype names read back, and a
// shape as "[2,3]". Shared by the SQLite store (runlog.cpp), JSONL (runlog_jsonl.cpp) and the CLI.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detnum/fingerprint.hpp"
#include "detnum/runlog.hpp"

namespace detnum::detail {

inline std::optional<RunStatus> status_from_name(std::string_view s) {
  for (const RunStatus r : {RunStatus::running, RunStatus::finished, RunStatus::failed, RunStatus::interrupted})
    if (s == to_string(r)) return r;
  return std::nullopt;
}

inline std::optional<Dtype> dtype_from_name(std::string_view s) {
  for (const Dtype d : {Dtype::f32, Dtype::f64, Dtype::bf16, Dtype::fp16, Dtype::i32, Dtype::i64, Dtype::u8})
    if (s == dtype_name(d)) return d;
  return std::nullopt;
}

inline std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(shape[i]);
  }
  s += ']';
  return s;
}

// What shape_text wrote.
inline std::vector<std::int64_t> shape_from_text(std::string_view s) {
  std::vector<std::int64_t> v;
  std::string digits;
  for (const char c : s) {
    if ((c >= '0' && c <= '9') || c == '-') {
      digits += c;
    } else if (!digits.empty()) {
      v.push_back(std::stoll(digits));
      digits.clear();
    }
  }
  return v;
}

}  // namespace detnum::detail
