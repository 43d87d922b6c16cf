// Runs as JSONL (detnum/runlog.hpp): the export a person commits to git, and its import.
#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>

#include "common/json.hpp"
#include "common/json_read.hpp"
#include "common/runlog_text.hpp"
#include "common/validate.hpp"
#include "detnum/error.hpp"
#include "detnum/runlog.hpp"

namespace detnum {
namespace {

using detail::JsonValue;
using detail::JsonWriter;

template <class Map>
void object_of(JsonWriter& j, const char* key, const Map& m) {
  j.key(key).begin_object();
  for (const auto& [k, v] : m) j.field(k, v);
  j.end_object();
}

void stats_fields(JsonWriter& j, const TensorStats& s) {
  j.field("count", s.count).field("nans", s.nans).field("infs", s.infs);
  j.field("min", s.min).field("max", s.max).field("sum", s.sum).field("l2", s.l2);
}

std::string line_of(const RunInfo& r) {
  JsonWriter j(0);
  j.begin_object().field("kind", "run").field("id", r.id).field("name", r.name);
  j.field("status", to_string(r.status)).field("started_at", r.started_at).field("ended_at", r.ended_at);
  object_of(j, "params", r.params);
  j.key("tags").begin_array();
  for (const std::string& t : r.tags) j.value(t);
  j.end_array();
  j.key("seeds").begin_object();
  for (const auto& [k, v] : r.seeds) j.field(k, std::to_string(v));  // strings: uint64 exceeds a double
  j.end_object();
  object_of(j, "environment", r.environment);
  return j.end_object().take();
}

std::string line_of(const RunRecord& r) {
  JsonWriter j(0);
  j.begin_object().field("kind", "record").field("step", r.step).field("name", r.name);
  j.field("hash", r.fingerprint.hash).field("dtype", dtype_name(r.fingerprint.dtype));
  j.key("shape").begin_array();
  for (const std::int64_t d : r.fingerprint.shape) j.value(d);
  j.end_array();
  stats_fields(j, r.fingerprint.stats);
  return j.end_object().take();
}

std::string line_of(const RunMetric& m) {
  JsonWriter j(0);
  return j.begin_object().field("kind", "metric").field("step", m.step).field("name", m.name).field("value", m.value)
      .end_object().take();
}

RunStatus status_named(const std::string& s) {
  if (const auto r = detail::status_from_name(s)) return *r;
  throw detail::JsonError("unknown status \"" + s + "\"");
}

Dtype dtype_named(const std::string& s) {
  if (const auto d = detail::dtype_from_name(s)) return *d;
  throw detail::JsonError("unknown dtype \"" + s + "\"");
}

std::map<std::string, std::string> strings_of(const JsonValue& obj, const char* key) {
  std::map<std::string, std::string> m;
  for (const auto& [k, v] : detail::json_member(obj, key, JsonValue::Kind::object).members) {
    if (v.kind != JsonValue::Kind::string) throw detail::JsonError("\"" + std::string(key) + "\" values must be strings");
    m[k] = v.text;
  }
  return m;
}

}  // namespace

std::string to_jsonl(const RunData& run) {
  std::string out = line_of(run.info) + "\n";
  for (const RunRecord& r : run.records) out += line_of(r) + "\n";
  for (const RunMetric& m : run.metrics) out += line_of(m) + "\n";
  return out;
}

std::string records_to_jsonl(const std::vector<RunRecord>& records) {
  std::string out;
  for (const RunRecord& r : records) out += line_of(r) + "\n";
  return out;
}

RunData from_jsonl(std::string_view text, const std::string& source) {
  RunData run;
  bool have_run = false;
  std::size_t line_no = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    try {
      const JsonValue v = detail::parse_json(line);
      if (v.kind != JsonValue::Kind::object) throw detail::JsonError("a line must be a JSON object");
      const std::string kind = detail::json_string(v, "kind");
      if (kind == "run") {
        if (have_run || !run.records.empty() || !run.metrics.empty())
          throw detail::JsonError("the run line must come first, once");
        have_run = true;
        RunInfo& r = run.info;
        r.id = detail::json_int(v, "id");
        r.name = detail::json_string(v, "name");
        r.status = status_named(detail::json_string(v, "status"));
        r.started_at = detail::json_string(v, "started_at");
        r.ended_at = detail::json_string(v, "ended_at");
        r.params = strings_of(v, "params");
        r.environment = strings_of(v, "environment");
        for (const JsonValue& t : detail::json_member(v, "tags", JsonValue::Kind::array).items) {
          if (t.kind != JsonValue::Kind::string) throw detail::JsonError("\"tags\" must hold strings");
          r.tags.push_back(t.text);
        }
        for (const auto& [k, s] : strings_of(v, "seeds")) {
          std::uint64_t seed = 0;  // decimal digits only, all of the string, within 64 bits
          const auto [end, err] = std::from_chars(s.data(), s.data() + s.size(), seed);
          if (err != std::errc{} || end != s.data() + s.size())
            throw detail::JsonError("seed \"" + k + "\" must be a decimal number below 2^64, got \"" + s + "\"");
          r.seeds[k] = seed;
        }
      } else if (kind == "record") {
        RunRecord r;
        r.step = detail::json_int(v, "step");
        r.name = detail::json_string(v, "name");
        Fingerprint& f = r.fingerprint;
        f.hash = detail::json_string(v, "hash");
        f.dtype = dtype_named(detail::json_string(v, "dtype"));
        for (const JsonValue& d : detail::json_member(v, "shape", JsonValue::Kind::array).items) {
          JsonValue holder;
          holder.kind = JsonValue::Kind::object;
          holder.members.emplace_back("d", d);
          f.shape.push_back(detail::json_int(holder, "d"));
        }
        f.stats = {detail::json_int(v, "count"), detail::json_int(v, "nans"), detail::json_int(v, "infs"),
                   detail::json_double(v, "min"), detail::json_double(v, "max"), detail::json_double(v, "sum"),
                   detail::json_double(v, "l2")};
        if (const auto fault = detail::fingerprint_fault(f)) throw detail::JsonError(*fault);
        run.records.push_back(std::move(r));
      } else if (kind == "metric") {
        run.metrics.push_back({detail::json_int(v, "step"), detail::json_string(v, "name"), detail::json_double(v, "value")});
      } else {
        throw detail::JsonError("unknown kind \"" + kind + "\"");
      }
    } catch (const std::exception& e) {
      detail::fail(ErrorCode::io_error, "from_jsonl", source + ":" + std::to_string(line_no) + ": " + e.what());
    }
  }
  return run;
}

}  // namespace detnum
