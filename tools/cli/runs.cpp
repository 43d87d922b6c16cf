// `detnum runs`: read the run log (detnum/runlog.hpp), compare two runs, move runs in and out as
// JSONL. diff exits 0 when the runs hold the same records with the same fingerprints, 1 when
// they diverge, 2 on usage or input errors.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "run_compare.hpp"
#include "common/json.hpp"
#include "common/runlog_text.hpp"
#include "detnum/error.hpp"
#include "detnum/runlog.hpp"

namespace detnum::cli {

const char* const kRunsHelp =
    "usage: detnum runs <list|show|diff|export|import> [options]\n"
    "\n"
    "  list [--json]                  every run: id, name, status, start and end time\n"
    "  show RUN                       a run's parameters, environment, records and metrics\n"
    "  diff A B                       the first record whose fingerprint differs (step, name, both\n"
    "                                 hashes, statistics side by side), records present in one run\n"
    "                                 only, and the environment fields that differ\n"
    "  export RUN [--format jsonl] [-o FILE]   one JSON object per line (stdout by default)\n"
    "  import FILE.jsonl              a new run from an export; malformed input imports nothing\n"
    "\n"
    "RUN, A and B are a run id, a run name (its latest run) or, for diff, a .jsonl file.\n"
    "  --log PATH   the run log (default: DETNUM_RUNLOG, else ./detnum-runs.sqlite)\n"
    "\n"
    "exit status: 0 success (diff: identical), 1 diff found a divergence, 2 usage or input error.\n";

namespace {

struct Options {
  std::string action, log;
  std::vector<std::string> operands;
  bool json = false;
  std::string format = "jsonl", output;
};

Options parse(Args args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    const auto value = [&](const char* name) {
      if (i + 1 >= args.size()) throw UsageError(std::string("runs: ") + name + " needs a value", "runs");
      return std::string(args[++i]);
    };
    if (a == "--log") o.log = value("--log");
    else if (a == "--json") o.json = true;
    else if (a == "--format") o.format = value("--format");
    else if (a == "-o") o.output = value("-o");
    else if (!a.empty() && a[0] == '-') throw UsageError("runs: unknown option '" + std::string(a) + "'", "runs");
    else if (o.action.empty()) o.action = std::string(a);
    else o.operands.emplace_back(a);
  }
  if (o.action.empty()) throw UsageError("runs: which action? list, show, diff, export or import", "runs");
  if (o.format != "jsonl") throw UsageError("runs: --format must be jsonl, got '" + o.format + "'", "runs");
  return o;
}

void need_operands(const Options& o, std::size_t n, const char* what) {
  if (o.operands.size() != n) throw UsageError("runs " + o.action + ": expected " + what, "runs");
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(ErrorCode::io_error, "runs: cannot read " + path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

bool is_jsonl_file(const std::string& s) {
  return s.size() > 6 && s.compare(s.size() - 6, 6, ".jsonl") == 0 && std::filesystem::exists(s);
}

// The run log, opened (and created if missing) only when a command needs it.
class LazyLog {
 public:
  // create: a missing log is created (import); otherwise it is an error, and nothing is created.
  LazyLog(std::string path, bool create) : path_(std::move(path)), create_(create) {}
  RunLog& get() {
    if (!log_) log_.emplace(create_ ? RunLog::open(path_) : RunLog::open_existing(path_));
    return *log_;
  }

 private:
  std::string path_;
  bool create_;
  std::optional<RunLog> log_;
};

RunData resolve(LazyLog& lazy, const std::string& what) {
  if (is_jsonl_file(what)) return from_jsonl(read_file(what), what);
  RunLog& log = lazy.get();
  const std::optional<RunInfo> r = log.find(what);
  if (!r) throw Error(ErrorCode::invalid_argument, "runs: no run '" + what + "' in " + log.path());
  return log.load(r->id);
}

int list(LazyLog& log, const Options& o) {
  const std::vector<RunInfo> runs = log.get().runs();
  if (o.json) {
    detail::JsonWriter j;
    j.begin_array();
    for (const RunInfo& r : runs) {
      j.begin_object().field("id", r.id).field("name", r.name).field("status", to_string(r.status));
      j.field("started_at", r.started_at).field("ended_at", r.ended_at).end_object();
    }
    std::printf("%s\n", j.end_array().str().c_str());
    return kExitOk;
  }
  std::printf("%6s  %-24s  %-11s  %-24s  %s\n", "id", "name", "status", "started", "ended");
  for (const RunInfo& r : runs)
    std::printf("%6lld  %-24s  %-11s  %-24s  %s\n", static_cast<long long>(r.id), r.name.c_str(), to_string(r.status),
                r.started_at.c_str(), r.ended_at.c_str());
  return kExitOk;
}

int show(LazyLog& log, const Options& o) {
  need_operands(o, 1, "one RUN");
  const RunData d = resolve(log, o.operands[0]);
  const RunInfo& r = d.info;
  std::printf("run %lld \"%s\": %s, %s .. %s\n", static_cast<long long>(r.id), r.name.c_str(), to_string(r.status),
              r.started_at.c_str(), r.ended_at.empty() ? "(running)" : r.ended_at.c_str());
  for (const auto& [k, v] : r.params) std::printf("  param %s = %s\n", k.c_str(), v.c_str());
  for (const auto& [k, v] : r.seeds) std::printf("  seed %s = %llu\n", k.c_str(), static_cast<unsigned long long>(v));
  for (const std::string& t : r.tags) std::printf("  tag %s\n", t.c_str());
  for (const auto& [k, v] : r.environment) std::printf("  env %s = %s\n", k.c_str(), v.c_str());
  std::printf("%zu records, %zu metrics\n", d.records.size(), d.metrics.size());
  for (const RunRecord& rec : d.records)
    std::printf("  %6lld  %-40s %s %s%s\n", static_cast<long long>(rec.step), rec.name.c_str(),
                rec.fingerprint.hash.c_str(), detnum::dtype_name(rec.fingerprint.dtype), detail::shape_text(rec.fingerprint.shape).c_str());
  for (const RunMetric& m : d.metrics)
    std::printf("  %6lld  %-40s %.17g\n", static_cast<long long>(m.step), m.name.c_str(), m.value);
  return kExitOk;
}

int diff(LazyLog& log, const Options& o) {
  need_operands(o, 2, "two runs, A and B");
  const RunData a = resolve(log, o.operands[0]), b = resolve(log, o.operands[1]);
  std::printf("A: run %lld \"%s\" (%s)\nB: run %lld \"%s\" (%s)\n", static_cast<long long>(a.info.id),
              a.info.name.c_str(), o.operands[0].c_str(), static_cast<long long>(b.info.id), b.info.name.c_str(),
              o.operands[1].c_str());
  const RunComparison c = compare_runs(a, b);
  if (c.first) {
    std::printf("first divergence: step %lld, %s\n", static_cast<long long>(c.first->first.step),
                c.first->first.name.c_str());
    print_record_stats("A", c.first->first);
    print_record_stats("B", c.first->second);
  }
  for (const auto& [label, list] : {std::pair{"A", &c.only_a}, std::pair{"B", &c.only_b}})
    if (!list->empty()) {
      std::printf("only in %s: %zu records\n", label, list->size());
      for (std::size_t k = 0; k < list->size() && k < 10; ++k) std::printf("    %s\n", (*list)[k].c_str());
      if (list->size() > 10) std::printf("    ...\n");
    }
  if (!c.environment.empty()) std::printf("environment differences:\n");
  for (const EnvironmentDifference& d : c.environment)
    std::printf("    %s: A %s | B %s\n", d.key.c_str(), d.a.c_str(), d.b.c_str());
  std::printf("%s: %zu records identical%s\n", c.diverged() ? "DIVERGED" : "identical", c.same,
              c.diverged() ? "" : " (every fingerprint matches)");
  return c.diverged() ? kExitDifference : kExitOk;
}

int export_run(LazyLog& log, const Options& o) {
  need_operands(o, 1, "one RUN");
  const std::string text = to_jsonl(resolve(log, o.operands[0]));
  if (o.output.empty()) {
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  }
  // Never over a run log (this one or another): its runs would be lost. Only a regular file is
  // looked into (opening a pipe, a FIFO or a terminal to read would wait for input).
  char head[16] = {};
  std::error_code ec;
  if (std::ifstream existing; std::filesystem::is_regular_file(o.output, ec) &&
                              (existing.open(o.output, std::ios::binary), existing.read(head, sizeof head)) &&
                              std::string_view(head, sizeof head) == std::string_view("SQLite format 3\0", 16))
    throw Error(ErrorCode::invalid_argument,
                "runs export: -o " + o.output + " is an SQLite database (a run log?); it was not overwritten");
  std::ofstream f(o.output, std::ios::binary);
  if (!(f << text)) throw Error(ErrorCode::io_error, "runs export: cannot write " + o.output);
  return kExitOk;
}

int import_run(LazyLog& log, const Options& o) {
  need_operands(o, 1, "one FILE.jsonl");
  const RunData d = from_jsonl(read_file(o.operands[0]), o.operands[0]);
  std::printf("imported run %lld from %s\n", static_cast<long long>(log.get().import(d)), o.operands[0].c_str());
  return kExitOk;
}

}  // namespace

int run_runs(Args args) {
  const Options o = parse(args);
  if (o.action != "list" && o.action != "show" && o.action != "diff" && o.action != "export" && o.action != "import")
    throw UsageError("runs: unknown action '" + o.action + "' (list, show, diff, export or import)", "runs");
  LazyLog log(o.log, o.action == "import");
  if (o.action == "list") return list(log, o);
  if (o.action == "show") return show(log, o);
  if (o.action == "diff") return diff(log, o);
  if (o.action == "export") return export_run(log, o);
  return import_run(log, o);
}

}  // namespace detnum::cli
