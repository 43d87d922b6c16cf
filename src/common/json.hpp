// A tiny JSON writer for detnum's machine-readable output (environment, `detnum check --json`):
// objects, arrays, strings (escaped), integers, booleans, and already-serialized JSON spliced in
// (re-indented to fit). Keys come out in the order they are written, so output is stable and
// diffs cleanly. Used by the library and the CLI.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace detnum::detail {

inline std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;  // UTF-8 passes through
        }
    }
  }
  return out + "\"";
}

class JsonWriter {
 public:
  explicit JsonWriter(int indent = 2) : indent_(indent) {}

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }

  // In an object: the key of the next value.
  JsonWriter& key(std::string_view k) {
    item();
    out_ += json_quote(k);
    out_ += indent_ > 0 ? ": " : ":";
    after_key_ = true;
    return *this;
  }

  JsonWriter& value(std::string_view v) { return scalar(json_quote(v)); }
  JsonWriter& value(const char* v) { return scalar(json_quote(v)); }
  JsonWriter& value(const std::string& v) { return scalar(json_quote(v)); }
  JsonWriter& value(bool v) { return scalar(v ? "true" : "false"); }
  JsonWriter& value(std::int64_t v) { return scalar(std::to_string(v)); }
  JsonWriter& value(int v) { return scalar(std::to_string(v)); }
  JsonWriter& value(long long v) { return scalar(std::to_string(v)); }
  JsonWriter& null() { return scalar("null"); }
  // The shortest text that reads back to the same double; NaN and the infinities, which JSON
  // has no numbers for, as the strings "NaN", "Infinity" and "-Infinity".
  JsonWriter& value(double v) {
    if (std::isnan(v)) return scalar("\"NaN\"");
    if (std::isinf(v)) return scalar(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return scalar(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
  }

  // A complete JSON value produced elsewhere; its line breaks are indented to this depth.
  JsonWriter& raw(std::string_view json) {
    std::string v;
    for (const char c : json) {
      v += c;
      if (c == '\n') v.append(depth() * static_cast<std::size_t>(indent_), ' ');
    }
    return scalar(v);
  }

  template <class T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  JsonWriter& open(char bracket) {
    if (!after_key_ && !first_.empty()) item();
    after_key_ = false;
    out_ += bracket;
    first_.push_back(true);
    return *this;
  }
  JsonWriter& close(char bracket) {
    const bool empty = first_.back();
    first_.pop_back();
    if (!empty) newline();
    out_ += bracket;
    return *this;
  }
  JsonWriter& scalar(std::string_view text) {
    if (!after_key_ && !first_.empty()) item();  // an array element
    after_key_ = false;
    out_ += text;
    return *this;
  }
  void item() {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
    newline();
  }
  void newline() {
    if (indent_ <= 0) return;
    out_ += '\n';
    out_.append(depth() * static_cast<std::size_t>(indent_), ' ');
  }
  std::size_t depth() const { return first_.size(); }

  int indent_;
  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace detnum::detail
