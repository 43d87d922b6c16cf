#include "common/json_read.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

namespace detnum::detail {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view t) : t_(t) {}

  JsonValue document() {
    JsonValue v = value();
    space();
    if (i_ != t_.size()) fail("unexpected text after the value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw JsonError(what + " at offset " + std::to_string(i_));
  }
  void space() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) ++i_;
  }
  bool take(char c) {
    space();
    if (i_ < t_.size() && t_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!take(c)) fail(std::string("expected '") + c + "'");
  }
  bool word(std::string_view w) {
    if (t_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }

  JsonValue value() {
    if (++depth_ > 64) fail("nesting deeper than 64");
    space();
    if (i_ >= t_.size()) fail("unexpected end of input");
    JsonValue v;
    const char c = t_[i_];
    if (c == '{') {
      ++i_;
      v.kind = JsonValue::Kind::object;
      if (!take('}')) {
        do {
          space();
          if (i_ >= t_.size() || t_[i_] != '"') fail("expected a key");
          std::string k = string();
          expect(':');
          v.members.emplace_back(std::move(k), value());
        } while (take(','));
        expect('}');
        no_duplicate_keys(v);
      }
    } else if (c == '[') {
      ++i_;
      v.kind = JsonValue::Kind::array;
      if (!take(']')) {
        do v.items.push_back(value());
        while (take(','));
        expect(']');
      }
    } else if (c == '"') {
      v.kind = JsonValue::Kind::string;
      v.text = string();
    } else if (word("true")) {
      v.kind = JsonValue::Kind::boolean;
      v.boolean = true;
    } else if (word("false")) {
      v.kind = JsonValue::Kind::boolean;
    } else if (word("null")) {
      v.kind = JsonValue::Kind::null;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      const std::size_t start = i_;
      while (i_ < t_.size() && std::string_view("+-0123456789.eE").find(t_[i_]) != std::string_view::npos) ++i_;
      v.kind = JsonValue::Kind::number;
      v.text = std::string(t_.substr(start, i_ - start));
      double d = 0;
      const auto r = std::from_chars(v.text.data(), v.text.data() + v.text.size(), d);
      if (r.ec != std::errc() || r.ptr != v.text.data() + v.text.size()) fail("malformed number \"" + v.text + "\"");
    } else {
      fail(std::string("unexpected character '") + c + "'");
    }
    --depth_;
    return v;
  }

  std::string string() {
    ++i_;  // the opening quote
    std::string out;
    while (true) {
      if (i_ >= t_.size()) fail("unterminated string");
      const char c = t_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= t_.size()) fail("unterminated escape");
      const char e = t_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': utf8(code_unit(), out); break;
        default: fail(std::string("unknown escape \\") + e);
      }
    }
  }
  // One meaning per key: a repeated one is an error, not "first wins" (sorted: n log n).
  void no_duplicate_keys(const JsonValue& object) {
    std::vector<std::string_view> keys;
    for (const auto& m : object.members) keys.push_back(m.first);
    std::sort(keys.begin(), keys.end());
    const auto twice = std::adjacent_find(keys.begin(), keys.end());
    if (twice != keys.end()) fail("duplicate key \"" + std::string(*twice) + "\"");
  }
  unsigned code_unit() {
    if (i_ + 4 > t_.size()) fail("short \\u escape");
    unsigned u = 0;
    const auto r = std::from_chars(t_.data() + i_, t_.data() + i_ + 4, u, 16);
    if (r.ptr != t_.data() + i_ + 4) fail("malformed \\u escape");
    i_ += 4;
    return u;
  }
  void utf8(unsigned u, std::string& out) {
    if (u >= 0xD800 && u < 0xDC00) {  // a surrogate pair
      if (!word("\\u")) fail("lone surrogate");
      const unsigned lo = code_unit();
      if (lo < 0xDC00 || lo >= 0xE000) fail("bad surrogate pair");
      u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
    } else if (u >= 0xDC00 && u < 0xE000) {  // a low surrogate with no high one before it
      fail("lone surrogate");
    }
    if (u < 0x80) {
      out += static_cast<char>(u);
    } else if (u < 0x800) {
      out += static_cast<char>(0xC0 | u >> 6);
      out += static_cast<char>(0x80 | (u & 0x3F));
    } else if (u < 0x10000) {
      out += static_cast<char>(0xE0 | u >> 12);
      out += static_cast<char>(0x80 | (u >> 6 & 0x3F));
      out += static_cast<char>(0x80 | (u & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | u >> 18);
      out += static_cast<char>(0x80 | (u >> 12 & 0x3F));
      out += static_cast<char>(0x80 | (u >> 6 & 0x3F));
      out += static_cast<char>(0x80 | (u & 0x3F));
    }
  }

  std::string_view t_;
  std::size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

JsonValue parse_json(std::string_view text) { return Parser(text).document(); }

const JsonValue& json_member(const JsonValue& obj, std::string_view key, JsonValue::Kind kind) {
  const JsonValue* v = obj.find(key);
  if (v == nullptr) throw JsonError("missing \"" + std::string(key) + "\"");
  if (v->kind != kind) throw JsonError("\"" + std::string(key) + "\" has the wrong type");
  return *v;
}

std::int64_t json_int(const JsonValue& obj, std::string_view key) {
  const std::string& t = json_member(obj, key, JsonValue::Kind::number).text;
  std::int64_t v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size())
    throw JsonError("\"" + std::string(key) + "\" must be an integer, got " + t);
  return v;
}

double json_double(const JsonValue& obj, std::string_view key) {
  const JsonValue* v = obj.find(key);
  if (v != nullptr && v->kind == JsonValue::Kind::string) {
    if (v->text == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (v->text == "Infinity") return std::numeric_limits<double>::infinity();
    if (v->text == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  const std::string& t = json_member(obj, key, JsonValue::Kind::number).text;
  double d = 0;
  std::from_chars(t.data(), t.data() + t.size(), d);
  return d;
}

std::string json_string(const JsonValue& obj, std::string_view key) {
  return json_member(obj, key, JsonValue::Kind::string).text;
}

}  // namespace detnum::detail
