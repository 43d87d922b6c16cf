// The run log on SQLite (detnum/runlog.hpp).
//
// Schema version 1:
//   meta(key PRIMARY KEY, value)            format = "detnum-runlog", schema_version = "1"
//   runs(id PRIMARY KEY AUTOINCREMENT, name, status, started_at, ended_at, host, pid)
//   params(run_id, key, value)   environment(run_id, key, value)   tags(run_id, tag)
//   seeds(run_id, name, value)
//   records(run_id, step, name, hash, dtype, shape, count, nans, infs, min, max, sum, l2)
//   metrics(run_id, step, name, value)   artifacts(run_id, step, name, path)
// with (run_id, step, name) unique in records and metrics. WAL journal, a 30 s busy timeout so
// that writers of several processes take turns, and every write in one IMMEDIATE transaction:
// once a call returns, its rows are in the log, whatever happens to the process next.
#include "detnum/runlog.hpp"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cctype>
#include <charconv>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/npy.hpp"
#include "common/runlog_text.hpp"
#include "common/validate.hpp"
#include "detnum/environment.hpp"
#include "detnum/error.hpp"

namespace detnum {

const char* to_string(RunStatus s) {
  switch (s) {
    case RunStatus::running: return "running";
    case RunStatus::finished: return "finished";
    case RunStatus::failed: return "failed";
    case RunStatus::interrupted: return "interrupted";
  }
  return "?";
}

namespace {

constexpr const char* kFormat = "detnum-runlog";

std::string now_utc() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string host_name() {
  char buf[256] = {};
  return gethostname(buf, sizeof buf - 1) == 0 ? buf : "unknown";
}

// The first line a shell command prints, or "" (used for git only).
std::string first_line_of(const char* command) {
  FILE* p = popen(command, "r");
  if (p == nullptr) return "";
  char buf[512] = {};
  const bool got = std::fgets(buf, sizeof buf, p) != nullptr;
  pclose(p);
  std::string s = got ? buf : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string command_line() {
  std::ifstream f("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>()), out;
  for (const char c : all) out += c == '\0' ? ' ' : c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The environment as key -> value: the detnum, build, host and CUDA facts, the command line, git.
std::map<std::string, std::string> environment_entries() {
  const Environment e = capture_environment();
  std::map<std::string, std::string> m = {
      {"detnum.version", e.detnum_version},
      {"detnum.order_spec_version", std::to_string(e.order_spec_version)},
      {"build.type", e.build_type},
      {"build.cxx_compiler", e.cxx_compiler},
      {"build.cxx_fp_flags", e.cxx_fp_flags},
      {"build.cuda_compiler", e.cuda_compiler},
      {"build.cuda_fp_flags", e.cuda_fp_flags},
      {"build.cuda_architectures", e.cuda_architectures},
      {"host.cpu_model", e.cpu_model},
      {"host.logical_cores", std::to_string(e.logical_cores)},
      {"host.default_threads", std::to_string(e.default_threads)},
      {"host.os", e.os_name + " " + e.os_release},
      {"host.machine", e.machine},
      {"host.name", e.host_name},
      {"cuda.runtime_version", e.cuda_runtime_version},
      {"cuda.driver_version", e.cuda_driver_version},
      {"cuda.status", e.cuda_status},
      {"command_line", command_line()},
  };
  std::string isa;
  for (const CpuFeature& f : e.cpu_features)
    if (f.present) isa += (isa.empty() ? "" : " ") + f.name;
  m["host.cpu_isa"] = isa;
  for (const GpuInfo& g : e.gpus) {
    const std::string k = "cuda.gpu" + std::to_string(g.index);
    m[k + ".name"] = g.name;
    m[k + ".compute_capability"] = std::to_string(g.compute_major) + "." + std::to_string(g.compute_minor);
    m[k + ".sm_count"] = std::to_string(g.sm_count);
  }
  const std::string commit = first_line_of("git rev-parse HEAD 2>/dev/null");
  if (!commit.empty()) {
    m["git.commit"] = commit;
    m["git.dirty"] = first_line_of("git status --porcelain --untracked-files=no 2>/dev/null").empty() ? "no" : "yes";
  }
  return m;
}

}  // namespace

// --- The database --------------------------------------------------------------------------------

struct RunLog::State {
  std::string path;
  sqlite3* db = nullptr;

  ~State() {
    if (db) sqlite3_close(db);
  }

  [[noreturn]] void fail(const std::string& what) const {
    detail::fail(ErrorCode::io_error, "RunLog", path + ": " + what + (db ? std::string(": ") + sqlite3_errmsg(db) : ""));
  }

  void exec(const char* sql) const {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      detail::fail(ErrorCode::io_error, "RunLog", path + ": " + msg + " (in: " + std::string(sql).substr(0, 60) + ")");
    }
  }

  // A prepared statement, finalized on scope exit; bind with 1-based indices.
  class Stmt {
   public:
    Stmt(const State& s, const char* sql) : s_(s) {
      if (sqlite3_prepare_v2(s.db, sql, -1, &st_, nullptr) != SQLITE_OK) s.fail("preparing a statement");
    }
    ~Stmt() { sqlite3_finalize(st_); }
    Stmt& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(st_, i, v)); }
    Stmt& bind(int i, double v) { return check(sqlite3_bind_double(st_, i, v)); }
    Stmt& bind(int i, const std::string& v) {
      return check(sqlite3_bind_text(st_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    bool step() {  // true while rows come
      const int rc = sqlite3_step(st_);
      if (rc == SQLITE_ROW) return true;
      if (rc != SQLITE_DONE) s_.fail("a statement failed");
      return false;
    }
    std::int64_t i64(int c) const { return sqlite3_column_int64(st_, c); }
    double f64(int c) const { return sqlite3_column_type(st_, c) == SQLITE_NULL ? NAN : sqlite3_column_double(st_, c); }
    std::string text(int c) const {
      const auto* t = sqlite3_column_text(st_, c);
      return t ? reinterpret_cast<const char*>(t) : "";
    }

   private:
    Stmt& check(int rc) {
      if (rc != SQLITE_OK) s_.fail("binding a value");
      return *this;
    }
    const State& s_;
    sqlite3_stmt* st_ = nullptr;
  };

  // f() inside BEGIN IMMEDIATE ... COMMIT; rolled back if it throws.
  template <class F>
  void transaction(F&& f) const {
    exec("BEGIN IMMEDIATE");
    try {
      f();
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    exec("COMMIT");
  }

  std::string meta(const char* key) const {
    Stmt q(*this, "SELECT value FROM meta WHERE key = ?");
    q.bind(1, std::string(key));
    return q.step() ? q.text(0) : "";
  }

  // The rows of one run, written inside a caller's transaction: by a live Run and by import().
  void put_pairs(const char* table, std::int64_t run_id, const std::map<std::string, std::string>& entries) const {
    for (const auto& [k, v] : entries) {
      Stmt p(*this, (std::string("INSERT OR REPLACE INTO ") + table + " VALUES(?, ?, ?)").c_str());
      p.bind(1, run_id).bind(2, k).bind(3, v).step();
    }
  }
  void put_record(std::int64_t run_id, std::int64_t step, const std::string& name, const Fingerprint& f) const {
    Stmt q(*this, "INSERT INTO records VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, run_id).bind(2, step).bind(3, name).bind(4, f.hash).bind(5, std::string(dtype_name(f.dtype)));
    q.bind(6, detail::shape_text(f.shape)).bind(7, f.stats.count).bind(8, f.stats.nans).bind(9, f.stats.infs);
    q.bind(10, f.stats.min).bind(11, f.stats.max).bind(12, f.stats.sum).bind(13, f.stats.l2).step();
  }
  void put_metric(std::int64_t run_id, std::int64_t step, const std::string& name, double value) const {
    Stmt q(*this, "INSERT OR REPLACE INTO metrics VALUES(?, ?, ?, ?)");
    q.bind(1, run_id).bind(2, step).bind(3, name).bind(4, value).step();
  }
  void put_tag(std::int64_t run_id, const std::string& tag) const {
    Stmt q(*this, "INSERT OR IGNORE INTO tags VALUES(?, ?)");
    q.bind(1, run_id).bind(2, tag).step();
  }
  void put_seed(std::int64_t run_id, const std::string& name, std::uint64_t value) const {
    Stmt q(*this, "INSERT OR REPLACE INTO seeds VALUES(?, ?, ?)");
    q.bind(1, run_id).bind(2, name).bind(3, std::to_string(value)).step();
  }

  // Runs still "running" on this host whose process is gone become interrupted.
  void reap() const {
    Stmt q(*this, "SELECT id, pid FROM runs WHERE status = 'running' AND host = ?");
    q.bind(1, host_name());
    std::vector<std::int64_t> dead;
    while (q.step()) {
      const auto pid = static_cast<pid_t>(q.i64(1));
      if (pid > 0 && kill(pid, 0) != 0 && errno == ESRCH) dead.push_back(q.i64(0));
    }
    if (dead.empty()) return;
    transaction([&] {
      for (const std::int64_t id : dead) {
        Stmt u(*this, "UPDATE runs SET status = 'interrupted' WHERE id = ? AND status = 'running'");
        u.bind(1, id).step();
      }
    });
  }
};

RunLog::RunLog(std::shared_ptr<State> s) : s_(std::move(s)) {}
RunLog::RunLog(RunLog&&) noexcept = default;
RunLog& RunLog::operator=(RunLog&&) noexcept = default;
RunLog::~RunLog() = default;
const std::string& RunLog::path() const { return s_->path; }

RunLog RunLog::open(const std::string& path) { return open_log(path, true); }
RunLog RunLog::open_existing(const std::string& path) { return open_log(path, false); }

RunLog RunLog::open_log(const std::string& path_in, bool create) {
  auto s = std::make_shared<State>();
  const char* env = std::getenv("DETNUM_RUNLOG");
  s->path = !path_in.empty() ? path_in : (env && *env ? env : "detnum-runs.sqlite");
  struct stat st {};
  const bool existed = ::stat(s->path.c_str(), &st) == 0 && st.st_size > 0;
  if (!existed && !create)
    detail::fail(ErrorCode::io_error, "RunLog::open_existing",
                 "no run log at " + s->path + " (no file, or an empty one; nothing was created)");
  if (sqlite3_open_v2(s->path.c_str(), &s->db,
                      SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK)
    s->fail("cannot open or create the file");
  sqlite3_busy_timeout(s->db, 30000);
  // synchronous = NORMAL in WAL mode: a commit survives the process being killed (the WAL is in
  // the OS's hands), though not a power cut before the next checkpoint; FULL would fsync every
  // record.
  if (existed) {
    // Only read until the file is known to be a detnum log: a foreign file is never written.
    {
      sqlite3_stmt* q = nullptr;
      const auto format = [&] {  // a NULL value (a foreign table of that name) is not the format either
        const auto* t = sqlite3_column_text(q, 0);
        return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
      };
      if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'format'", -1, &q, nullptr) != SQLITE_OK ||
          sqlite3_step(q) != SQLITE_ROW || format() != kFormat) {
        sqlite3_finalize(q);
        detail::fail(ErrorCode::io_error, "RunLog::open",
                     s->path + " is not a detnum run log (" + sqlite3_errmsg(s->db) + "); it was not modified");
      }
      sqlite3_finalize(q);
    }
    const std::string v = s->meta("schema_version");
    if (std::atoi(v.c_str()) > kRunLogSchemaVersion)
      detail::fail(ErrorCode::io_error, "RunLog::open",
                   s->path + " has schema version " + v + ", newer than this detnum's " +
                       std::to_string(kRunLogSchemaVersion) + ": use a newer detnum to read it");
    s->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
  } else {
    s->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
    s->transaction([&] {
      s->exec(
          "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
          "CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, "
          "  status TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT, host TEXT, pid INTEGER);"
          "CREATE TABLE IF NOT EXISTS params(run_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, "
          "  PRIMARY KEY(run_id, key));"
          "CREATE TABLE IF NOT EXISTS environment(run_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, "
          "  PRIMARY KEY(run_id, key));"
          "CREATE TABLE IF NOT EXISTS tags(run_id INTEGER NOT NULL, tag TEXT NOT NULL, PRIMARY KEY(run_id, tag));"
          "CREATE TABLE IF NOT EXISTS seeds(run_id INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, "
          "  PRIMARY KEY(run_id, name));"
          "CREATE TABLE IF NOT EXISTS records(run_id INTEGER NOT NULL, step INTEGER NOT NULL, name TEXT NOT NULL, "
          "  hash TEXT NOT NULL, dtype TEXT NOT NULL, shape TEXT NOT NULL, count INTEGER, nans INTEGER, infs INTEGER, "
          "  min REAL, max REAL, sum REAL, l2 REAL, PRIMARY KEY(run_id, step, name));"
          "CREATE TABLE IF NOT EXISTS artifacts(run_id INTEGER NOT NULL, step INTEGER NOT NULL, name TEXT NOT NULL, "
          "  path TEXT NOT NULL, PRIMARY KEY(run_id, step, name));"
          "CREATE TABLE IF NOT EXISTS metrics(run_id INTEGER NOT NULL, step INTEGER NOT NULL, name TEXT NOT NULL, "
          "  value REAL, PRIMARY KEY(run_id, step, name));"
          "INSERT OR IGNORE INTO meta VALUES('format', 'detnum-runlog');"
          "INSERT OR IGNORE INTO meta VALUES('schema_version', '1');");
    });
  }
  return RunLog(std::move(s));
}

// --- Runs -----------------------------------------------------------------------------------------

struct Run::State {
  std::shared_ptr<RunLog::State> log;
  std::int64_t id = 0;
  bool open = true;

  void set_status(RunStatus status) {
    log->transaction([&] {
      RunLog::State::Stmt u(*log, "UPDATE runs SET status = ?, ended_at = ? WHERE id = ?");
      u.bind(1, std::string(to_string(status))).bind(2, now_utc()).bind(3, id).step();
    });
    open = false;
  }
  void check_open(const char* fn) const {
    if (!open) detail::fail(ErrorCode::invalid_argument, fn, "the run " + std::to_string(id) + " is already closed");
  }
  // Inside the caller's transaction: the record, unless (step, name) has one already (an error).
  void put_new_record(std::int64_t step, const std::string& name, const Fingerprint& f) const {
    RunLog::State::Stmt exists(*log, "SELECT 1 FROM records WHERE run_id = ? AND step = ? AND name = ?");
    exists.bind(1, id).bind(2, step).bind(3, name);
    if (exists.step())
      detail::fail(ErrorCode::invalid_argument, "Run::record",
                   "run " + std::to_string(id) + " already has a record at step " + std::to_string(step) + " named \"" +
                       name + "\"");
    log->put_record(id, step, name, f);
  }
};

namespace {

// An artifact's file name: "<step>-<name>.npy", each byte of the name outside [A-Za-z0-9.-]
// written as '_' and two hex digits ('_' itself too), so that different names never share a
// file. An escaped name longer than 200 bytes keeps its first 180 and ends in '~' and the
// 64-bit XXH3 of the whole name ('~' is in no escaped name), within the 255 bytes a file name
// may have on common file systems.
std::string artifact_file(std::int64_t step, const std::string& name) {
  constexpr std::size_t kLongest = 200, kKept = 180;
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string escaped;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
      escaped += c;
    } else {
      escaped += {'_', kHex[u >> 4], kHex[u & 15]};
    }
  }
  if (escaped.size() > kLongest) {
    const XXH64_hash_t h = XXH3_64bits(name.data(), name.size());
    escaped.resize(kKept);
    escaped += '~';
    for (int shift = 60; shift >= 0; shift -= 4) escaped += kHex[(h >> shift) & 15];
  }
  return std::to_string(step) + "-" + escaped + ".npy";
}

}  // namespace

Run::Run(std::unique_ptr<State> s) : s_(std::move(s)) {}
Run::Run(Run&&) noexcept = default;
Run& Run::operator=(Run&&) noexcept = default;
Run::~Run() {
  if (!s_ || !s_->open) return;
  try {
    s_->set_status(RunStatus::interrupted);
  } catch (...) {  // a destructor must not throw; the reaper marks it later
  }
}
std::int64_t Run::id() const { return s_->id; }

Run RunLog::start_run(const std::string& name, const std::map<std::string, std::string>& params) {
  const auto env = environment_entries();
  auto run = std::make_unique<Run::State>();
  run->log = s_;
  s_->transaction([&] {
    State::Stmt r(*s_, "INSERT INTO runs(name, status, started_at, host, pid) VALUES(?, 'running', ?, ?, ?)");
    r.bind(1, name).bind(2, now_utc()).bind(3, host_name()).bind(4, static_cast<std::int64_t>(getpid())).step();
    run->id = sqlite3_last_insert_rowid(s_->db);
    s_->put_pairs("params", run->id, params);
    s_->put_pairs("environment", run->id, env);
  });
  return Run(std::move(run));
}

void Run::record(std::int64_t step, const std::string& name, const TensorView& host_tensor, bool save_npy) {
  s_->check_open("Run::record");
  if (!save_npy) {
    record(step, name, fingerprint(host_tensor));
    return;
  }
  if (host_tensor.shape.size() > detail::kNpyMaxDims)
    detail::fail(ErrorCode::invalid_argument, "Run::record",
                 "save_npy: numpy reads at most " + std::to_string(detail::kNpyMaxDims) +
                     " dimensions, host_tensor.shape has " + std::to_string(host_tensor.shape.size()));
  const Fingerprint f = fingerprint(host_tensor);
  const std::filesystem::path dir = s_->log->path + ".artifacts/run-" + std::to_string(s_->id);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string path = (dir / artifact_file(step, name)).string();
  // The record, the file and its row together: a file that cannot be written leaves no record,
  // and a second record at (step, name) is refused before its file could replace the first's.
  s_->log->transaction([&] {
    s_->put_new_record(step, name, f);
    detail::write_npy(path, host_tensor);
    RunLog::State::Stmt q(*s_->log, "INSERT OR REPLACE INTO artifacts VALUES(?, ?, ?, ?)");
    q.bind(1, s_->id).bind(2, step).bind(3, name).bind(4, path).step();
  });
}

void Run::record(std::int64_t step, const std::string& name, const Fingerprint& f) {
  s_->check_open("Run::record");
  if (const auto fault = detail::fingerprint_fault(f)) detail::fail(ErrorCode::invalid_argument, "Run::record", "f." + *fault);
  s_->log->transaction([&] { s_->put_new_record(step, name, f); });
}

void Run::metric(std::int64_t step, const std::string& name, double value) {
  s_->check_open("Run::metric");
  s_->log->transaction([&] { s_->log->put_metric(s_->id, step, name, value); });
}

void Run::tag(const std::string& tag) {
  s_->check_open("Run::tag");
  s_->log->transaction([&] { s_->log->put_tag(s_->id, tag); });
}

void Run::seed(const std::string& name, std::uint64_t value) {
  s_->check_open("Run::seed");
  s_->log->transaction([&] { s_->log->put_seed(s_->id, name, value); });
}

void Run::finish() {
  s_->check_open("Run::finish");
  s_->set_status(RunStatus::finished);
}

void Run::fail(const std::string& message) {
  s_->check_open("Run::fail");
  s_->log->transaction([&] { s_->log->put_pairs("params", s_->id, {{"error", message}}); });
  s_->set_status(RunStatus::failed);
}

// --- Reading ----------------------------------------------------------------------------------------

namespace {

// A value this version of the log never writes: the file was changed by something else.
[[noreturn]] void damaged(const RunLog::State& s, std::int64_t run, const std::string& what) {
  detail::fail(ErrorCode::io_error, "RunLog", s.path + ": run " + std::to_string(run) + " has " + what +
                                                  ", which detnum never writes (a damaged log?)");
}

RunInfo read_run(const RunLog::State& s, RunLog::State::Stmt& q) {
  RunInfo r;
  r.id = q.i64(0);
  r.name = q.text(1);
  const std::string status = q.text(2);
  const std::optional<RunStatus> known = detail::status_from_name(status);
  if (!known) damaged(s, r.id, "the status \"" + status + "\"");
  r.status = *known;
  r.started_at = q.text(3);
  r.ended_at = q.text(4);
  for (const auto& [table, target] : {std::pair{"params", &r.params}, std::pair{"environment", &r.environment}}) {
    RunLog::State::Stmt p(s, (std::string("SELECT key, value FROM ") + table + " WHERE run_id = ? ORDER BY key").c_str());
    p.bind(1, r.id);
    while (p.step()) (*target)[p.text(0)] = p.text(1);
  }
  RunLog::State::Stmt t(s, "SELECT tag FROM tags WHERE run_id = ? ORDER BY tag");
  t.bind(1, r.id);
  while (t.step()) r.tags.push_back(t.text(0));
  RunLog::State::Stmt sd(s, "SELECT name, value FROM seeds WHERE run_id = ? ORDER BY name");
  sd.bind(1, r.id);
  while (sd.step()) {
    const std::string text = sd.text(1);
    std::uint64_t seed = 0;
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), seed);
    if (err != std::errc{} || end != text.data() + text.size() || text.empty())
      damaged(s, r.id, "the seed \"" + sd.text(0) + "\" = \"" + text + "\"");
    r.seeds[sd.text(0)] = seed;
  }
  return r;
}

}  // namespace

std::vector<RunInfo> RunLog::runs() {
  s_->reap();
  std::vector<RunInfo> out;
  State::Stmt q(*s_, "SELECT id, name, status, started_at, ended_at FROM runs ORDER BY id");
  while (q.step()) out.push_back(read_run(*s_, q));
  return out;
}

std::optional<RunInfo> RunLog::find(const std::string& id_or_name) {
  s_->reap();
  // Digits within int64: an id; anything else, digits past 2^63 - 1 included, a name.
  std::int64_t id = 0;
  const char* const end = id_or_name.data() + id_or_name.size();
  const auto parsed = std::from_chars(id_or_name.data(), end, id);
  const bool numeric = !id_or_name.empty() && id_or_name.find_first_not_of("0123456789") == std::string::npos &&
                       parsed.ec == std::errc{} && parsed.ptr == end;
  State::Stmt q(*s_, numeric ? "SELECT id, name, status, started_at, ended_at FROM runs WHERE id = ?"
                             : "SELECT id, name, status, started_at, ended_at FROM runs WHERE name = ? "
                               "ORDER BY id DESC LIMIT 1");
  if (numeric) q.bind(1, id);
  else q.bind(1, id_or_name);
  if (!q.step()) return std::nullopt;
  return read_run(*s_, q);
}

std::vector<RunRecord> RunLog::records(std::int64_t run_id) {
  std::vector<RunRecord> out;
  State::Stmt q(*s_,
                "SELECT step, name, hash, dtype, shape, count, nans, infs, min, max, sum, l2 FROM records "
                "WHERE run_id = ? ORDER BY step, name");
  q.bind(1, run_id);
  while (q.step()) {
    RunRecord r;
    r.step = q.i64(0);
    r.name = q.text(1);
    r.fingerprint.hash = q.text(2);
    const std::optional<Dtype> dtype = detail::dtype_from_name(q.text(3));
    const std::optional<std::vector<std::int64_t>> shape = detail::shape_from_text(q.text(4));
    if (!dtype || !shape)
      damaged(*s_, run_id, "a record \"" + r.name + "\" of dtype \"" + q.text(3) + "\" and shape " + q.text(4));
    r.fingerprint.dtype = *dtype;
    r.fingerprint.shape = *shape;
    r.fingerprint.stats = {q.i64(5), q.i64(6), q.i64(7), q.f64(8), q.f64(9), q.f64(10), q.f64(11)};
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<RunMetric> RunLog::metrics(std::int64_t run_id) {
  std::vector<RunMetric> out;
  State::Stmt q(*s_, "SELECT step, name, value FROM metrics WHERE run_id = ? ORDER BY step, name");
  q.bind(1, run_id);
  while (q.step()) out.push_back({q.i64(0), q.text(1), q.f64(2)});
  return out;
}

std::optional<std::string> RunLog::artifact(std::int64_t run_id, std::int64_t step, const std::string& name) {
  State::Stmt q(*s_, "SELECT path FROM artifacts WHERE run_id = ? AND step = ? AND name = ?");
  q.bind(1, run_id).bind(2, step).bind(3, name);
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

RunData RunLog::load(std::int64_t run_id) {
  const std::optional<RunInfo> info = find(std::to_string(run_id));
  if (!info) detail::fail(ErrorCode::invalid_argument, "RunLog::load", s_->path + " has no run " + std::to_string(run_id));
  return {*info, records(run_id), metrics(run_id)};
}

std::int64_t RunLog::import(const RunData& run) {
  for (std::size_t k = 0; k < run.records.size(); ++k)  // all checked before anything is written
    if (const auto fault = detail::fingerprint_fault(run.records[k].fingerprint))
      detail::fail(ErrorCode::invalid_argument, "RunLog::import",
                   "run.records[" + std::to_string(k) + "].fingerprint." + *fault);
  std::int64_t id = 0;
  s_->transaction([&] {
    const RunInfo& r = run.info;
    State::Stmt q(*s_, "INSERT INTO runs(name, status, started_at, ended_at, host, pid) VALUES(?, ?, ?, ?, ?, 0)");
    q.bind(1, r.name).bind(2, std::string(to_string(r.status))).bind(3, r.started_at).bind(4, r.ended_at);
    const auto host = r.environment.find("host.name");
    q.bind(5, host == r.environment.end() ? std::string() : host->second).step();
    id = sqlite3_last_insert_rowid(s_->db);
    s_->put_pairs("params", id, r.params);
    s_->put_pairs("environment", id, r.environment);
    for (const std::string& t : r.tags) s_->put_tag(id, t);
    for (const auto& [k, v] : r.seeds) s_->put_seed(id, k, v);
    for (const RunRecord& rec : run.records) s_->put_record(id, rec.step, rec.name, rec.fingerprint);
    for (const RunMetric& m : run.metrics) s_->put_metric(id, m.step, m.name, m.value);
  });
  return id;
}

}  // namespace detnum
