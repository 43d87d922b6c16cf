// The run log: what a run computed, as fingerprints, next to everything about where it ran.
//
//   auto log = detnum::RunLog::open();                  // DETNUM_RUNLOG or ./detnum-runs.sqlite
//   auto run = log.start_run("train", {{"lr", "3e-4"}});
//   run.record(step, "layer1.weight", detnum::TensorView::of(w, {out, in}));
//   run.metric(step, "loss", loss);
//   run.finish();                                       // destroyed unfinished: "interrupted"
//
// One SQLite file (WAL mode, a schema version, every write one transaction). Several processes
// may write to one log at once (ranks of a job each with a run of their own); a record is durable
// once record() returns, so a process killed later loses nothing it recorded. A file that is not
// a detnum run log is refused and never written; a log with a newer schema than this library
// knows is refused too.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detnum/fingerprint.hpp"

namespace detnum {

inline constexpr int kRunLogSchemaVersion = 1;

enum class RunStatus { running, finished, failed, interrupted };
const char* to_string(RunStatus s);

struct RunRecord {
  std::int64_t step = 0;
  std::string name;
  Fingerprint fingerprint;
};

struct RunMetric {
  std::int64_t step = 0;
  std::string name;
  double value = 0;
};

struct RunInfo {
  std::int64_t id = 0;
  std::string name;
  RunStatus status = RunStatus::running;
  std::string started_at, ended_at;  // UTC, ISO 8601 with milliseconds; ended_at empty while running
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> environment;  // detnum, build, host, CUDA, command line, git
  std::vector<std::string> tags;
  std::map<std::string, std::uint64_t> seeds;
};

// A whole run: what a log holds about it, or what a JSONL export carries.
struct RunData {
  RunInfo info;
  std::vector<RunRecord> records;  // (step, name) order
  std::vector<RunMetric> metrics;  // (step, name) order
};

// JSONL: one JSON object per line with a fixed field order, so that a run committed to git as a
// golden reference diffs as text. First {"kind": "run", ...}, then every record {"kind":
// "record", ...} and every metric {"kind": "metric", ...} in (step, name) order. Doubles are
// written so that they read back exactly; NaN and infinities as the strings "NaN", "Infinity",
// "-Infinity".
std::string to_jsonl(const RunData& run);
// Records only, one line each in the order given (a golden file: no run, no metrics).
std::string records_to_jsonl(const std::vector<RunRecord>& records);
// What to_jsonl writes (also without the run line: a file of records only, e.g. golden
// fingerprints). Malformed input: detnum::Error naming `source` and the line; nothing is kept.
RunData from_jsonl(std::string_view text, const std::string& source = "JSONL");

class RunLog;

// One run, open for writing. Movable, not copyable.
class Run {
 public:
  Run(Run&&) noexcept;
  Run& operator=(Run&&) noexcept;
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;
  ~Run();  // an unfinished run is marked interrupted

  std::int64_t id() const;

  // The fingerprint of a host tensor (or one computed elsewhere, e.g. detnum::cuda::fingerprint)
  // at (step, name); a second record at the same (step, name) is an error. save_npy: the tensor
  // itself too, as a .npy file (numpy's format; bf16 as its raw bits, '<u2') under
  // "<log path>.artifacts/run-<id>/", named "<step>-<name>.npy" with each byte of the name outside
  // [A-Za-z0-9.-] written as '_' and two hex digits (docs/RUNLOG.md: long names); artifact() gives
  // its path. At most 64 dimensions (numpy's limit) with save_npy; if the file cannot be written,
  // detnum::Error and nothing is recorded.
  void record(std::int64_t step, const std::string& name, const TensorView& host_tensor, bool save_npy = false);
  void record(std::int64_t step, const std::string& name, const Fingerprint& fingerprint);
  void metric(std::int64_t step, const std::string& name, double value);
  void tag(const std::string& tag);
  void seed(const std::string& name, std::uint64_t value);

  void finish();                            // status finished
  void fail(const std::string& message);    // status failed; the message is kept as param "error"

  struct State;  // the implementation's (runlog.cpp)

 private:
  friend class RunLog;
  explicit Run(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

class RunLog {
 public:
  // path "": DETNUM_RUNLOG when set, else ./detnum-runs.sqlite. Creates the file when missing.
  static RunLog open(const std::string& path = "");
  // The same for a log that must exist already: a missing file is an Error (io_error), and no
  // file is created (for readers, where a mistyped path should not leave an empty log behind).
  static RunLog open_existing(const std::string& path = "");
  RunLog(RunLog&&) noexcept;
  RunLog& operator=(RunLog&&) noexcept;
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;
  ~RunLog();

  const std::string& path() const;

  // A new run with the environment captured now (capture_environment(), the command line, and
  // the git commit and dirty flag of the current directory's work tree, if any).
  Run start_run(const std::string& name, const std::map<std::string, std::string>& params = {});

  // Every run, oldest first. A run still "running" whose process (on this host) is gone is shown
  // and stored as interrupted.
  std::vector<RunInfo> runs();
  // A run by id, or the latest run of that name.
  std::optional<RunInfo> find(const std::string& id_or_name);
  std::vector<RunRecord> records(std::int64_t run_id);   // in (step, name) order
  std::vector<RunMetric> metrics(std::int64_t run_id);   // in (step, name) order
  // The .npy file saved with the record at (step, name), or nothing.
  std::optional<std::string> artifact(std::int64_t run_id, std::int64_t step, const std::string& name);
  RunData load(std::int64_t run_id);                       // all of it; an unknown id is an error
  // A copy of `run` as a new run of this log (a new id), in one transaction: all or nothing.
  std::int64_t import(const RunData& run);

  struct State;  // the implementation's (runlog.cpp)

 private:
  explicit RunLog(std::shared_ptr<State> s);
  static RunLog open_log(const std::string& path, bool create);
  std::shared_ptr<State> s_;
};

}  // namespace detnum
