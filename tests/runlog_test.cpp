// The run log: round trips through SQLite, interrupted runs (destroyed unfinished, or a process
// killed with SIGKILL), several writer processes at once, and files it must refuse without
// changing them: a foreign SQLite database, a file that is no database, a newer schema, a path
// that cannot be created.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <limits>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "detnum/bf16.hpp"
#include "detnum/error.hpp"
#include "detnum/runlog.hpp"
#include "support/errors.hpp"

namespace detnum::test {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class RunLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("detnum-runlog-" + std::to_string(getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const char* name = "runs.sqlite") const { return (dir_ / name).string(); }
  fs::path dir_;
};

std::string file_bytes(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST_F(RunLogTest, RoundTrip) {
  const float w[6] = {1, 2, 3, 4, 5, 6};
  std::int64_t id = 0;
  {
    RunLog log = RunLog::open(path());
    detnum::Run run = log.start_run("train", {{"lr", "3e-4"}, {"batch", "32"}});
    id = run.id();
    run.record(2, "b", TensorView::of(w, {6}));
    run.record(1, "w", TensorView::of(w, {2, 3}));
    run.record(1, "a", fingerprint(TensorView::of(w, {3})));
    run.metric(1, "loss", 0.25);
    run.tag("baseline");
    run.seed("data", 42);
    expect_error([&] { run.record(1, "w", TensorView::of(w, {6})); }, ErrorCode::invalid_argument,
                 "already has a record at step 1 named \"w\"");
    run.finish();
    expect_error([&] { run.metric(2, "loss", 0.1); }, ErrorCode::invalid_argument, "already closed");
  }
  RunLog log = RunLog::open(path());
  const std::vector<RunInfo> runs = log.runs();
  ASSERT_EQ(runs.size(), 1u);
  const RunInfo& r = runs[0];
  EXPECT_EQ(r.id, id);
  EXPECT_EQ(r.name, "train");
  EXPECT_EQ(r.status, RunStatus::finished);
  EXPECT_EQ(r.params.at("lr"), "3e-4");
  EXPECT_EQ(r.tags, std::vector<std::string>{"baseline"});
  EXPECT_EQ(r.seeds.at("data"), 42u);
  EXPECT_FALSE(r.ended_at.empty());
  for (const char* key : {"detnum.version", "detnum.order_spec_version", "build.cxx_fp_flags", "host.cpu_model",
                          "host.cpu_isa", "host.name", "cuda.status", "command_line"})
    EXPECT_TRUE(r.environment.count(key)) << key;
  const std::vector<RunRecord> rec = log.records(id);
  ASSERT_EQ(rec.size(), 3u);
  EXPECT_EQ(rec[0].name, "a");  // (step, name) order
  EXPECT_EQ(rec[1].name, "w");
  EXPECT_EQ(rec[2].name, "b");
  const Fingerprint want = fingerprint(TensorView::of(w, {2, 3}));
  EXPECT_EQ(rec[1].fingerprint.hash, want.hash);
  EXPECT_EQ(rec[1].fingerprint.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(rec[1].fingerprint.stats.sum, want.stats.sum);
  EXPECT_EQ(rec[1].fingerprint.stats.l2, want.stats.l2);
  ASSERT_EQ(log.metrics(id).size(), 1u);
  EXPECT_EQ(log.metrics(id)[0].value, 0.25);
  ASSERT_TRUE(log.find("train").has_value());
  EXPECT_EQ(log.find(std::to_string(id))->name, "train");
  EXPECT_FALSE(log.find("nothing").has_value());
}

TEST_F(RunLogTest, UnfinishedRunIsInterrupted) {
  RunLog log = RunLog::open(path());
  { detnum::Run run = log.start_run("crash"); }
  EXPECT_EQ(log.runs().at(0).status, RunStatus::interrupted);
  detnum::Run failed = log.start_run("bad");
  failed.fail("diverged at step 7");
  EXPECT_EQ(log.find("bad")->status, RunStatus::failed);
  EXPECT_EQ(log.find("bad")->params.at("error"), "diverged at step 7");
}

TEST_F(RunLogTest, EnvironmentVariableChoosesThePath) {
  setenv("DETNUM_RUNLOG", path("from-env.sqlite").c_str(), 1);
  const RunLog log = RunLog::open();
  unsetenv("DETNUM_RUNLOG");
  EXPECT_EQ(log.path(), path("from-env.sqlite"));
  EXPECT_TRUE(fs::exists(path("from-env.sqlite")));
}

// 4 processes x 1000 records into one log at once: every record arrives.
TEST_F(RunLogTest, ConcurrentWriterProcesses) {
  { RunLog::open(path()); }  // created once, before the writers race
  constexpr int kWriters = 4, kRecords = 1000;
  const float x[2] = {1.0f, 2.0f};
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 0;
      try {
        RunLog log = RunLog::open(path());
        detnum::Run run = log.start_run("rank" + std::to_string(w));
        for (int i = 0; i < kRecords; ++i) run.record(i, "x", TensorView::of(x, {2}));
        run.finish();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "writer %d: %s\n", w, e.what());
        code = 1;
      }
      _exit(code);
    }
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  RunLog log = RunLog::open(path());
  const std::vector<RunInfo> runs = log.runs();
  ASSERT_EQ(runs.size(), static_cast<std::size_t>(kWriters));
  for (const RunInfo& r : runs) {
    EXPECT_EQ(r.status, RunStatus::finished) << r.name;
    EXPECT_EQ(log.records(r.id).size(), static_cast<std::size_t>(kRecords)) << r.name;
  }
}

// A writer killed with SIGKILL: what it recorded is there, and a later reader sees it interrupted.
TEST_F(RunLogTest, KilledWriterLosesNothing) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    RunLog log = RunLog::open(path());
    detnum::Run run = log.start_run("killed");
    const float x[1] = {3.0f};
    for (int i = 0; i < 10; ++i) run.record(i, "x", TensorView::of(x, {1}));
    const char c = 'r';
    (void)!write(ready[1], &c, 1);
    for (;;) pause();
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  RunLog log = RunLog::open(path());
  const std::optional<RunInfo> r = log.find("killed");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, RunStatus::interrupted);
  EXPECT_EQ(log.records(r->id).size(), 10u);
  close(ready[0]);
  close(ready[1]);
}

TEST_F(RunLogTest, ForeignFilesAreRefusedAndLeftAlone) {
  // Another application's SQLite database.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path("other.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1);", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  const std::string before = file_bytes(path("other.sqlite"));
  expect_error([&] { RunLog::open(path("other.sqlite")); }, ErrorCode::io_error, "is not a detnum run log");
  EXPECT_EQ(file_bytes(path("other.sqlite")), before);
  // A text file.
  { std::ofstream(path("notes.txt")) << "not a database, just notes\n"; }
  const std::string text = file_bytes(path("notes.txt"));
  expect_error([&] { RunLog::open(path("notes.txt")); }, ErrorCode::io_error, "is not a detnum run log");
  EXPECT_EQ(file_bytes(path("notes.txt")), text);
  // Places where nothing can be created: a missing directory, and a read-only file system
  // (/proc refuses new files even to root, who ignores permission bits).
  expect_error([&] { RunLog::open((dir_ / "missing-dir" / "runs.sqlite").string()); }, ErrorCode::io_error,
               "cannot open or create");
  expect_error([&] { RunLog::open("/proc/detnum-runs.sqlite"); }, ErrorCode::io_error, "cannot open or create");
  // A foreign table named meta whose format is NULL: refused the same way (and the file closed).
  ASSERT_EQ(sqlite3_open(path("meta.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE meta(key, value); INSERT INTO meta VALUES('format', NULL);", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const std::string meta = file_bytes(path("meta.sqlite"));
  for (int i = 0; i < 3; ++i)
    expect_error([&] { RunLog::open(path("meta.sqlite")); }, ErrorCode::io_error, "is not a detnum run log");
  EXPECT_EQ(file_bytes(path("meta.sqlite")), meta);
}

// open_existing never creates a file; on a log that exists it is open().
TEST_F(RunLogTest, OpenExistingCreatesNothing) {
  expect_error([&] { RunLog::open_existing(path("typo.sqlite")); }, ErrorCode::io_error,
               "RunLog::open_existing: no run log at " + path("typo.sqlite") +
                   " (no file, or an empty one; nothing was created)");
  EXPECT_FALSE(fs::exists(path("typo.sqlite")));
  RunLog::open(path()).start_run("r").finish();
  EXPECT_EQ(RunLog::open_existing(path()).runs().size(), 1u);
}

// Digits past 2^63 - 1 are no id: they name a run, if one has that name.
TEST_F(RunLogTest, FindAnIdPastInt64) {
  RunLog log = RunLog::open(path());
  log.start_run("r").finish();
  EXPECT_FALSE(log.find("99999999999999999999").has_value());
  log.start_run("99999999999999999999").finish();
  ASSERT_TRUE(log.find("99999999999999999999").has_value());
  EXPECT_EQ(log.find("99999999999999999999")->id, 2);
  EXPECT_EQ(log.find("1")->name, "r");
}

// Values that detnum never writes, put there by something else, are an Error when read back,
// naming the run: a status, a seed, a record's dtype or shape.
TEST_F(RunLogTest, DamagedValuesAreAnError) {
  const char* const damage[] = {
      "UPDATE runs SET status = 'paused'",
      "UPDATE seeds SET value = 'abc'",
      "UPDATE seeds SET value = '-1'",
      "UPDATE records SET dtype = 'float128'",
      "UPDATE records SET shape = '[99999999999999999999]'",
      "UPDATE records SET shape = '[2,,3]'",
  };
  for (const char* sql : damage) {
    SCOPED_TRACE(sql);
    fs::remove(path());
    {
      RunLog log = RunLog::open(path());
      detnum::Run run = log.start_run("r");
      const float x[2] = {1.0f, 2.0f};
      run.record(0, "x", TensorView::of(x, {2}));
      run.seed("init", 7);
      run.finish();
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    RunLog log = RunLog::open(path());
    expect_error([&] { log.load(1); }, ErrorCode::io_error, "run 1 has ");
  }
}

// A fingerprint the log could not read back as written is refused by record() and import(), and
// by from_jsonl: a dtype that is none, a hash that is not xxh3 hex, a negative extent or count.
TEST_F(RunLogTest, InvalidFingerprintsAreRefused) {
  RunLog log = RunLog::open(path());
  detnum::Run run = log.start_run("r");
  const float x[2] = {1.0f, 2.0f};
  const Fingerprint good = fingerprint(TensorView::of(x, {2}));
  struct Bad {
    Fingerprint f;
    std::string what;
  };
  std::vector<Bad> bad(4, Bad{good, ""});
  bad[0].f.dtype = static_cast<Dtype>(99);
  bad[0].what = "dtype must be a detnum::Dtype, got 99";
  bad[1].f.hash = "xxh3:" + std::string(32, 'z');
  bad[1].what = "hash must be xxh3:<32 hex digits>";
  bad[2].f.shape = {-5, 3};
  bad[2].what = "shape must not have a negative extent, got [-5,3]";
  bad[3].f.stats.count = -3;
  bad[3].what = "stats.count, nans and infs must be >= 0";
  for (const Bad& b : bad) {
    expect_error([&] { run.record(0, "x", b.f); }, ErrorCode::invalid_argument, "Run::record: f." + b.what);
    RunData d{log.load(run.id()).info, {{0, "x", b.f}}, {}};
    expect_error([&] { log.import(d); }, ErrorCode::invalid_argument,
                 "RunLog::import: run.records[0].fingerprint." + b.what);
    if (b.f.dtype == good.dtype)  // (to_jsonl writes an unknown dtype as "?", which from_jsonl names first)
      expect_error([&] { from_jsonl(to_jsonl(d), "bad.jsonl"); }, ErrorCode::io_error, "bad.jsonl:2: " + b.what);
  }
  run.record(0, "x", good);
  run.finish();
  EXPECT_EQ(log.runs().size(), 1u);  // no import happened
  EXPECT_EQ(log.load(run.id()).records.size(), 1u);
}

void expect_same(const RunData& a, const RunData& b) {
  EXPECT_EQ(a.info.name, b.info.name);
  EXPECT_EQ(a.info.status, b.info.status);
  EXPECT_EQ(a.info.started_at, b.info.started_at);
  EXPECT_EQ(a.info.params, b.info.params);
  EXPECT_EQ(a.info.environment, b.info.environment);
  EXPECT_EQ(a.info.tags, b.info.tags);
  EXPECT_EQ(a.info.seeds, b.info.seeds);
  ASSERT_EQ(a.records.size(), b.records.size());
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    const Fingerprint &x = a.records[i].fingerprint, &y = b.records[i].fingerprint;
    EXPECT_EQ(a.records[i].step, b.records[i].step);
    EXPECT_EQ(a.records[i].name, b.records[i].name);
    EXPECT_EQ(x.hash, y.hash);
    EXPECT_EQ(x.dtype, y.dtype);
    EXPECT_EQ(x.shape, y.shape);
    for (const auto [u, v] : {std::pair{x.stats.min, y.stats.min}, std::pair{x.stats.max, y.stats.max},
                              std::pair{x.stats.sum, y.stats.sum}, std::pair{x.stats.l2, y.stats.l2}})
      EXPECT_EQ(bits_of(u), bits_of(v)) << a.records[i].name;
    EXPECT_EQ(x.stats.nans, y.stats.nans);
  }
  ASSERT_EQ(a.metrics.size(), b.metrics.size());
  for (std::size_t i = 0; i < a.metrics.size(); ++i) EXPECT_EQ(bits_of(a.metrics[i].value), bits_of(b.metrics[i].value));
}

// Export to JSONL, read back, import into another log: the same run, bit for bit (NaN and
// infinite statistics, exact doubles, uint64 seeds included).
TEST_F(RunLogTest, JsonlRoundTrip) {
  RunLog log = RunLog::open(path());
  detnum::Run run = log.start_run("exported \"quoted\"\nname", {{"note", "tab\there, ü"}});
  const float x[4] = {0.1f, std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(), -2.5f};
  run.record(0, "specials", TensorView::of(x, {4}));
  run.record(3, "plain", TensorView::of(x, {1}));
  run.metric(3, "loss", 0.1 + 0.2);
  run.seed("init", ~std::uint64_t{0});
  run.tag("golden");
  run.finish();
  const RunData original = log.load(run.id());
  const std::string text = to_jsonl(original);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);
  const RunData back = from_jsonl(text, "export.jsonl");
  expect_same(original, back);
  RunLog other = RunLog::open(path("other.sqlite"));
  const std::int64_t id = other.import(back);
  expect_same(original, other.load(id));
  EXPECT_EQ(to_jsonl(other.load(id)).substr(text.find('\n')), text.substr(text.find('\n')));  // records and metrics
}

TEST_F(RunLogTest, MalformedJsonlNamesTheLine) {
  RunLog log = RunLog::open(path());
  detnum::Run run = log.start_run("r");
  const float x[1] = {1.0f};
  run.record(0, "x", TensorView::of(x, {1}));
  run.record(1, "x", TensorView::of(x, {1}));
  run.finish();
  std::string text = to_jsonl(log.load(run.id()));
  const std::size_t third = text.find('\n', text.find('\n') + 1) + 1;
  text.insert(third + 10, "}");  // break line 3
  expect_error([&] { from_jsonl(text, "broken.jsonl"); }, ErrorCode::io_error, "broken.jsonl:3: ");
  expect_error([&] { from_jsonl("{\"kind\": \"record\", \"step\": 1}\n", "short.jsonl"); }, ErrorCode::io_error,
               "short.jsonl:1: missing \"name\"");
  expect_error([&] { from_jsonl("{\"kind\": \"metric\", \"step\": 1, \"step\": 2}\n", "twice.jsonl"); },
               ErrorCode::io_error, "twice.jsonl:1: duplicate key \"step\"");
  expect_error([&] { from_jsonl("{\"kind\": \"metric\", \"name\": \"\\udc00\"}\n", "low.jsonl"); }, ErrorCode::io_error,
               "lone surrogate");
  // Seeds: decimal digits only, all of them, below 2^64 (no sign, no spaces, no trailing text).
  std::string good = to_jsonl(log.load(run.id()));
  const std::size_t seeds = good.find("\"seeds\":{}");
  ASSERT_NE(seeds, std::string::npos) << good.substr(0, good.find('\n'));
  for (const char* bad : {"-1", "12abc", " 7", "+7", "", "18446744073709551616"}) {
    std::string text = good;
    text.replace(seeds, 10, std::string("\"seeds\":{\"init\":\"") + bad + "\"}");
    expect_error([&] { from_jsonl(text, "seeds.jsonl"); }, ErrorCode::io_error,
                 std::string("seeds.jsonl:1: seed \"init\" must be a decimal number below 2^64, got \"") + bad + "\"");
  }
  EXPECT_EQ(log.runs().size(), 1u);  // nothing was imported
}

// save_npy writes numpy's format: magic, version 1.0, a header dict padded to 64 bytes, the data.
TEST_F(RunLogTest, NpyArtifacts) {
  RunLog log = RunLog::open(path());
  detnum::Run run = log.start_run("npy");
  const float w[6] = {1, 2, 3, 4, 5, 6};
  run.record(4, "layer1/weight", TensorView::of(w, {2, 3}), true);
  run.finish();
  const std::optional<std::string> file = log.artifact(run.id(), 4, "layer1/weight");
  ASSERT_TRUE(file.has_value());
  EXPECT_NE(file->find("runs.sqlite.artifacts/run-1/4-layer1_2Fweight.npy"), std::string::npos) << *file;
  const std::string bytes = file_bytes(*file);
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const std::size_t header = static_cast<unsigned char>(bytes[8]) | static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8;
  EXPECT_EQ((10 + header) % 64, 0u);
  EXPECT_NE(bytes.find("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), std::string::npos);
  ASSERT_EQ(bytes.size(), 10 + header + sizeof w);
  EXPECT_EQ(std::memcmp(bytes.data() + 10 + header, w, sizeof w), 0);
  EXPECT_FALSE(log.artifact(run.id(), 4, "other").has_value());
}

// Names that differ only in bytes a file name cannot hold keep their own files; a tensor numpy
// cannot read (more than 64 dimensions) is refused before anything is recorded.
TEST_F(RunLogTest, NpyArtifactNamesNeverCollide) {
  RunLog log = RunLog::open(path());
  detnum::Run run = log.start_run("npy names");
  const float first[2] = {1, 2}, second[2] = {3, 4}, third[2] = {5, 6};
  run.record(0, "a/b", TensorView::of(first, {2}), true);
  run.record(0, "a_b", TensorView::of(second, {2}), true);
  run.record(0, "a_2Fb", TensorView::of(third, {2}), true);
  const std::vector<std::int64_t> many(65, 1);
  expect_error([&] { run.record(0, "deep", TensorView::of(first, many), true); }, ErrorCode::invalid_argument,
               "save_npy: numpy reads at most 64 dimensions, host_tensor.shape has 65");
  run.finish();
  std::set<std::string> files;
  for (const auto& [name, values] : {std::pair{"a/b", first}, std::pair{"a_b", second}, std::pair{"a_2Fb", third}}) {
    const std::optional<std::string> file = log.artifact(run.id(), 0, name);
    ASSERT_TRUE(file.has_value()) << name;
    files.insert(*file);
    const std::string bytes = file_bytes(*file);
    ASSERT_GE(bytes.size(), 2 * sizeof(float)) << name;
    EXPECT_EQ(std::memcmp(bytes.data() + bytes.size() - 2 * sizeof(float), values, 2 * sizeof(float)), 0) << name;
  }
  EXPECT_EQ(files.size(), 3u);
  EXPECT_EQ(log.load(run.id()).records.size(), 3u);  // "deep" was not recorded
}

// Long names (each '_' and each byte of UTF-8 takes three bytes escaped) still get a file of at
// most 255 bytes; a file that cannot be written leaves no record, so the call can be repeated.
TEST_F(RunLogTest, NpyArtifactsOfLongNamesAndFailedWrites) {
  RunLog log = RunLog::open(path());
  detnum::Run run = log.start_run("npy long");
  const float x[2] = {1, 2};
  std::string snake, cjk;
  for (int i = 0; i < 100; ++i) snake += "w_";
  for (int i = 0; i < 40; ++i) cjk += "\xE6\x9D\x83";  // 40 x U+6743
  for (const std::string& name : {snake, snake + "x", cjk}) {
    run.record(1, name, TensorView::of(x, {2}), true);
    const std::optional<std::string> file = log.artifact(run.id(), 1, name);
    ASSERT_TRUE(file.has_value());
    EXPECT_LE(std::filesystem::path(*file).filename().string().size(), 255u) << *file;
    EXPECT_EQ(file_bytes(*file).size(), 128u + sizeof x) << *file;
  }
  EXPECT_NE(*log.artifact(run.id(), 1, snake), *log.artifact(run.id(), 1, snake + "x"));
  // A plain file where the run's folder of artifacts should be: the write fails, nothing is kept.
  const std::string folder = path() + ".artifacts/run-2";
  detnum::Run blocked = log.start_run("blocked");
  ASSERT_EQ(blocked.id(), 2);
  { std::ofstream(folder) << "in the way"; }
  expect_error([&] { blocked.record(0, "w", TensorView::of(x, {2}), true); }, ErrorCode::io_error, "cannot write");
  EXPECT_TRUE(log.load(blocked.id()).records.empty());
  std::filesystem::remove(folder);
  blocked.record(0, "w", TensorView::of(x, {2}), true);  // the same call again, now that it can
  EXPECT_EQ(log.load(blocked.id()).records.size(), 1u);
  EXPECT_TRUE(log.artifact(blocked.id(), 0, "w").has_value());
}

// A damaged file (its header overwritten) is refused and left as it is.
TEST_F(RunLogTest, CorruptFileIsRefused) {
  {
    RunLog log = RunLog::open(path());
    log.start_run("r").finish();
  }
  {
    std::fstream f(path(), std::ios::in | std::ios::out | std::ios::binary);
    f.write("garbage garbage garbage garbage!", 32);
  }
  const std::string before = file_bytes(path());
  expect_error([&] { RunLog::open(path()); }, ErrorCode::io_error, "is not a detnum run log");
  EXPECT_EQ(file_bytes(path()), before);
}

TEST_F(RunLogTest, NewerSchemaIsRefused) {
  { RunLog::open(path()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE meta SET value = '2' WHERE key = 'schema_version'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  expect_error([&] { RunLog::open(path()); }, ErrorCode::io_error, "has schema version 2, newer than this detnum's 1");
}

}  // namespace
}  // namespace detnum::test
