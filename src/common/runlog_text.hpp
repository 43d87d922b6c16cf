// The text forms the run log stores and the tools print: status and dtype names read back, and a
// shape as "[2,3]". Shared by the SQLite store (runlog.cpp), JSONL (runlog_jsonl.cpp) and the CLI.
#pragma once

#include <charconv>
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

// What a stored fingerprint must be, so that the log reads back what it wrote and its exports
// import again: a Dtype, "xxh3:" and 32 lowercase hex digits (fingerprint_bytes' form), no
// negative extent and no negative count. The first fault, or nothing.
inline std::optional<std::string> fingerprint_fault(const Fingerprint& f) {
  if (!dtype_from_name(dtype_name(f.dtype)))
    return "dtype must be a detnum::Dtype, got " + std::to_string(static_cast<int>(f.dtype));
  const bool hex = f.hash.size() == 37 && f.hash.rfind("xxh3:", 0) == 0 &&
                   f.hash.find_first_not_of("0123456789abcdef", 5) == std::string::npos;
  if (!hex) return "hash must be xxh3:<32 hex digits>, got \"" + f.hash + "\"";
  for (const std::int64_t d : f.shape)
    if (d < 0) return "shape must not have a negative extent, got " + shape_text(f.shape);
  if (f.stats.count < 0 || f.stats.nans < 0 || f.stats.infs < 0)
    return "stats.count, nans and infs must be >= 0, got " + std::to_string(f.stats.count) + ", " +
           std::to_string(f.stats.nans) + ", " + std::to_string(f.stats.infs);
  return std::nullopt;
}

// What shape_text wrote, or nothing for any other text ("[2,3]", "[]"; each extent an int64).
inline std::optional<std::vector<std::int64_t>> shape_from_text(std::string_view s) {
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return std::nullopt;
  std::vector<std::int64_t> v;
  for (std::string_view rest = s.substr(1, s.size() - 2); !rest.empty();) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    std::int64_t d = 0;
    const auto [end, err] = std::from_chars(item.data(), item.data() + item.size(), d);
    if (err != std::errc{} || end != item.data() + item.size()) return std::nullopt;
    v.push_back(d);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
    if (rest.empty()) return std::nullopt;  // a trailing comma
  }
  return v;
}

}  // namespace detnum::detail
