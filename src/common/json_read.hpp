// A small JSON reader for detnum's own files (run exports, golden fingerprints): a DOM of
// objects (members in file order), arrays, strings (with \u escapes, UTF-8 out), numbers kept
// as their text (so integers read back exactly), booleans and null. Errors name the offset.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace detnum::detail {

struct JsonValue {
  enum class Kind { null, boolean, number, string, array, object } kind = Kind::null;
  bool boolean = false;
  std::string text;  // a string's value, or a number's literal text
  std::vector<JsonValue> items;
  std::vector<std::pair<std::string, JsonValue>> members;

  const JsonValue* find(std::string_view key) const {
    for (const auto& [k, v] : members)
      if (k == key) return &v;
    return nullptr;
  }
};

// Thrown with the reason and the byte offset.
struct JsonError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

JsonValue parse_json(std::string_view text);

// Typed access, throwing JsonError naming the key: an integer, a double (numbers, or the strings
// "NaN", "Infinity", "-Infinity"), a string, an object or an array.
std::int64_t json_int(const JsonValue& obj, std::string_view key);
double json_double(const JsonValue& obj, std::string_view key);
std::string json_string(const JsonValue& obj, std::string_view key);
const JsonValue& json_member(const JsonValue& obj, std::string_view key, JsonValue::Kind kind);

}  // namespace detnum::detail
