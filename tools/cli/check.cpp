// `detnum check`: every op in the registry (check.hpp), for every size, on every backend present,
// compared byte for byte (memcmp) with the reference. Prints one row per (op, dtype, n) with
// the fingerprint of the reference output, or one JSON object with --json. Exit 0 when every
// backend agrees, 1 on any difference or backend error.
#include <unistd.h>

#include <chrono>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "check.hpp"
#include "cli.hpp"
#include "detnum/config.hpp"
#include "detnum/environment.hpp"
#include "detnum/error.hpp"
#include "detnum/fingerprint.hpp"
#include "detnum/runlog.hpp"
#include "common/json.hpp"

namespace detnum::cli {

const char* const kCheckHelp =
    "usage: detnum check [--json] [--quick] [--progress] [--log PATH]\n"
    "\n"
    "Runs every implemented op on seeded inputs (the same on every machine) for sizes\n"
    "0 1 2 3 7 127 128 129 4093 65535 65537 1000003 10000019, on every backend present: ref\n"
    "(the scalar reference), cpu/1 cpu/2 cpu/3 cpu/7 (thread counts) and, with a CUDA device,\n"
    "cuda/256x0 cuda/128x7 cuda/1024x1 cuda/32x1000 (block threads x grid blocks, 0 = default).\n"
    "Every output is compared byte for byte with the reference. Each row shows the reference\n"
    "output's fingerprint (xxh3 of its bytes; of the mask too where the op writes one).\n"
    "\n"
    "  --json      one JSON object on stdout: environment, results, ok\n"
    "  --quick     leave out the two largest sizes\n"
    "  --progress  a progress line per step on stderr even when it is not a terminal\n"
    "  --log PATH  record the run, with the fingerprint of every reference output, in the run log\n"
    "              at PATH (also when DETNUM_RUNLOG names one): compare two machines' checks with\n"
    "              `detnum runs diff`\n"
    "\n"
    "exit status: 0 all backends agree, 1 a difference or a backend error, 2 usage error.\n";

const char* dtype_name(Dtype d) {
  switch (d) {
    case Dtype::f32: return "f32";
    case Dtype::f64: return "f64";
    case Dtype::bf16: return "bf16";
    case Dtype::fp16: return "fp16";
    case Dtype::i64: return "i64";
  }
  return "?";
}
std::size_t dtype_size(Dtype d) { return d == Dtype::f64 || d == Dtype::i64 ? 8 : d == Dtype::f32 ? 4 : 2; }

namespace {

constexpr std::int64_t kSizes[] = {0, 1, 2, 3, 7, 127, 128, 129, 4093, 65535, 65537, 1000003, 10000019};
constexpr int kQuickDrops = 2;

std::vector<CheckOp> all_check_ops() {
  std::vector<CheckOp> ops = dropout_check_ops();
  for (CheckOp& op : reduce_check_ops()) ops.push_back(std::move(op));
  for (CheckOp& op : gemm_check_ops()) ops.push_back(std::move(op));
  for (CheckOp& op : row_check_ops()) ops.push_back(std::move(op));
  for (CheckOp& op : pointwise_check_ops()) ops.push_back(std::move(op));
  for (CheckOp& op : embedding_check_ops()) ops.push_back(std::move(op));
  for (CheckOp& op : attention_check_ops()) ops.push_back(std::move(op));
  for (CheckOp& op : batch_norm_check_ops()) ops.push_back(std::move(op));
  return ops;
}

// ---- comparing ----

struct Mismatch {
  std::string backend;
  std::string buffer;      // "y", "mask", "mask padding", "size"
  std::int64_t index = 0;  // element index (of y, or the mask bit's element)
  std::string expected, actual;
  std::int64_t count = 0;  // elements (or mask bits) that differ
  std::optional<std::int64_t> ulps;  // distance of the first pair, when neither is NaN
};

struct RowResult {
  const CheckOp* op = nullptr;
  std::int64_t n = 0;
  std::vector<std::string> backends;
  std::string fingerprint, mask_fingerprint;
  std::vector<Mismatch> mismatches;
  std::vector<std::pair<std::string, std::string>> errors;  // backend, message
  bool ok() const { return mismatches.empty() && errors.empty(); }
};

std::uint64_t load_bits(Dtype d, const std::uint8_t* p) {
  std::uint64_t u = 0;
  std::memcpy(&u, p, dtype_size(d));  // little-endian: the low bytes
  return u;
}

// The sign bit and the exponent-all-ones pattern of a floating-point dtype.
std::uint64_t sign_bit(Dtype d) { return std::uint64_t{1} << (8 * dtype_size(d) - 1); }
std::uint64_t inf_bits(Dtype d) {
  switch (d) {
    case Dtype::f32: return 0x7F800000u;
    case Dtype::f64: return 0x7FF0000000000000ull;
    case Dtype::bf16: return 0x7F80u;
    case Dtype::fp16: return 0x7C00u;
    case Dtype::i64: break;
  }
  return ~std::uint64_t{0};
}

bool is_nan(Dtype d, std::uint64_t u) { return d != Dtype::i64 && (u & (sign_bit(d) - 1)) > inf_bits(d); }

// Position on the number line in ulps: sign-magnitude to a signed integer (i64: the value).
std::int64_t ordered(Dtype d, std::uint64_t u) {
  if (d == Dtype::i64) return static_cast<std::int64_t>(u);
  const auto mag = static_cast<std::int64_t>(u & (sign_bit(d) - 1));
  return (u & sign_bit(d)) ? -mag : mag;
}

std::string describe_element(Dtype d, std::uint64_t u) {
  if (d == Dtype::i64) return std::to_string(static_cast<std::int64_t>(u));
  char num[40];
  std::to_chars_result r{};
  if (d == Dtype::f64) {
    r = std::to_chars(num, num + sizeof num, double_from_bits(u));
  } else {
    const float f = d == Dtype::f32    ? float_from_bits(static_cast<std::uint32_t>(u))
                    : d == Dtype::bf16 ? to_float(bf16{static_cast<std::uint16_t>(u)})
                                       : to_float(fp16{static_cast<std::uint16_t>(u)});
    r = std::to_chars(num, num + sizeof num, f);
  }
  char buf[72];
  std::snprintf(buf, sizeof buf, "0x%0*llx (%.*s)", static_cast<int>(2 * dtype_size(d)), static_cast<unsigned long long>(u),
                static_cast<int>(r.ptr - num), num);
  return buf;
}

std::optional<Mismatch> compare_y(Dtype d, const std::vector<std::uint8_t>& want, const std::vector<std::uint8_t>& got) {
  if (want.size() != got.size())
    return Mismatch{"", "size", -1, std::to_string(want.size()) + " bytes", std::to_string(got.size()) + " bytes", 1, std::nullopt};
  if (want.empty() || std::memcmp(want.data(), got.data(), want.size()) == 0) return std::nullopt;
  const std::size_t es = dtype_size(d);
  std::optional<Mismatch> m;
  for (std::size_t i = 0; i < want.size() / es; ++i) {
    if (std::memcmp(want.data() + i * es, got.data() + i * es, es) == 0) continue;
    if (!m) {
      const std::uint64_t a = load_bits(d, want.data() + i * es), b = load_bits(d, got.data() + i * es);
      m = Mismatch{"", "y", static_cast<std::int64_t>(i), describe_element(d, a), describe_element(d, b), 0, std::nullopt};
      if (!is_nan(d, a) && !is_nan(d, b)) {
        const std::int64_t ulps = ordered(d, a) - ordered(d, b);
        m->ulps = ulps < 0 ? -ulps : ulps;
      }
    }
    ++m->count;
  }
  return m;
}

// Bit i % 8 of byte i / 8 is element i; bits at or above n in the last byte are padding (0).
std::optional<Mismatch> compare_mask(std::int64_t n, const std::vector<std::uint8_t>& want,
                                     const std::vector<std::uint8_t>& got) {
  if (want.size() != got.size())
    return Mismatch{"", "size", -1, std::to_string(want.size()) + " mask bytes", std::to_string(got.size()) + " mask bytes", 1, std::nullopt};
  if (want.empty() || std::memcmp(want.data(), got.data(), want.size()) == 0) return std::nullopt;
  std::optional<Mismatch> m;
  for (std::size_t byte = 0; byte < want.size(); ++byte) {
    const unsigned diff = static_cast<unsigned>(want[byte] ^ got[byte]);
    if (diff == 0) continue;
    for (int bit = 0; bit < 8; ++bit) {
      if (!((diff >> bit) & 1u)) continue;
      const std::int64_t i = static_cast<std::int64_t>(byte) * 8 + bit;
      if (!m) {
        char w[48], g[48];
        std::snprintf(w, sizeof w, "bit %u (byte 0x%02x)", (want[byte] >> bit) & 1u, want[byte]);
        std::snprintf(g, sizeof g, "bit %u (byte 0x%02x)", (got[byte] >> bit) & 1u, got[byte]);
        m = Mismatch{"", i < n ? "mask" : "mask padding", i, w, g, 0, std::nullopt};
      }
      ++m->count;
    }
  }
  return m;
}

// ---- progress on stderr ----

class Progress {
 public:
  explicit Progress(bool lines) : lines_(lines), live_(!lines && isatty(STDERR_FILENO) == 1) {}
  void step(const std::string& what) {
    if (lines_) std::fprintf(stderr, "check: %s ...\n", what.c_str());
    else if (live_) std::fprintf(stderr, "\r\033[Kcheck: %s ...", what.c_str());
    else return;
    std::fflush(stderr);
  }
  void clear() {
    if (!live_) return;
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }

 private:
  bool lines_, live_;
};

// ---- running ----

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// on_reference sees the reference's outputs (for the run log) before the backends run.
RowResult run_row(const CheckOp& op, const CheckInputs& in, std::vector<std::unique_ptr<Backend>>& backends,
                  Progress& progress, const std::function<void(const CheckOutputs&)>& on_reference) {
  RowResult r;
  r.op = &op;
  r.n = in.n;
  for (const auto& b : backends) r.backends.push_back(b->name());
  const std::string label = op.op + " " + dtype_name(op.dtype) + " n=" + std::to_string(in.n) + " ";

  Backend& ref = *backends.front();
  CheckOutputs want;
  try {
    progress.step(label + ref.name());
    want = op.expected ? op.expected(ref, in) : op.run(ref, in);
  } catch (const std::exception& e) {
    r.errors.emplace_back(ref.name(), e.what());
    return r;
  }
  r.fingerprint = fingerprint_bytes(want.y.data(), want.y.size());
  if (op.has_mask) r.mask_fingerprint = fingerprint_bytes(want.mask.data(), want.mask.size());
  if (on_reference) on_reference(want);

  for (std::size_t k = op.expected ? 0 : 1; k < backends.size(); ++k) {
    Backend& b = *backends[k];
    progress.step(label + b.name());
    CheckOutputs got;
    try {
      got = op.run(b, in);
    } catch (const std::exception& e) {
      r.errors.emplace_back(b.name(), e.what());
      continue;
    }
    if (auto m = compare_y(op.result_dtype(), want.y, got.y)) {
      m->backend = b.name();
      r.mismatches.push_back(std::move(*m));
    }
    if (op.has_mask) {
      if (auto m = compare_mask(in.n, want.mask, got.mask)) {
        m->backend = b.name();
        r.mismatches.push_back(std::move(*m));
      }
    }
  }
  return r;
}

std::string verdict(const RowResult& r) {
  if (r.ok()) return "ok";
  std::vector<std::string> parts;
  for (const Mismatch& m : r.mismatches) {
    std::string s = "MISMATCH " + m.backend + " " + m.buffer;
    if (m.index >= 0) {  // (appended piecewise: GCC 12 warns falsely on "[" + to_string(...))
      s += '[';
      s += std::to_string(m.index);
      s += ']';
    }
    s += ": want " + m.expected + ", got " + m.actual;
    if (m.ulps) s += ", " + std::to_string(*m.ulps) + (*m.ulps == 1 ? " ulp" : " ulps") + " apart";
    if (m.count > 1) s += " (" + std::to_string(m.count) + (m.buffer == "y" ? " elements differ)" : " bits differ)");
    parts.push_back(std::move(s));
  }
  for (const auto& [backend, message] : r.errors) parts.push_back("ERROR " + backend + ": " + message);
  return join(parts, "; ");
}

struct Options {
  bool json = false, quick = false, progress_lines = false;
  std::string log;  // the run log to record into; "" for none
};

Options parse(Args args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--json") o.json = true;
    else if (a == "--quick") o.quick = true;
    else if (a == "--progress") o.progress_lines = true;
    else if (a == "--log" && i + 1 < args.size()) o.log = std::string(args[++i]);
    else if (a == "--log") throw UsageError("check: --log needs a path", "check");
    else throw UsageError("check: unknown argument '" + std::string(a) + "'", "check");
  }
  if (o.log.empty())
    if (const char* env = std::getenv("DETNUM_RUNLOG"); env && *env) o.log = env;
  return o;
}

detnum::Dtype tensor_dtype(Dtype d) {
  switch (d) {
    case Dtype::f32: return detnum::Dtype::f32;
    case Dtype::f64: return detnum::Dtype::f64;
    case Dtype::bf16: return detnum::Dtype::bf16;
    case Dtype::fp16: return detnum::Dtype::fp16;
    case Dtype::i64: return detnum::Dtype::i64;
  }
  return detnum::Dtype::u8;
}

// The reference outputs of a row as run-log records at step 0: "<op> <dtype> [<params>] n=<n>",
// and " mask" after it for the mask.
void record_row(detnum::Run& run, const CheckOp& op, std::int64_t n, const CheckOutputs& want) {
  const std::string name = op.op + " " + dtype_name(op.dtype) + " [" + op.params + "] n=" + std::to_string(n);
  const detnum::Dtype d = tensor_dtype(op.result_dtype());
  const auto count = static_cast<std::int64_t>(want.y.size() / detnum::dtype_size(d));
  run.record(0, name, TensorView{want.y.data(), d, {count}});
  if (op.has_mask)
    run.record(0, name + " mask", TensorView{want.mask.data(), detnum::Dtype::u8, {static_cast<std::int64_t>(want.mask.size())}});
}

constexpr int kOpWidth = 26, kFingerprintWidth = 37;

void print_row(const RowResult& r, int backends_width) {
  std::printf("%-*s %-5s %9lld  %-*s %-*s %-*s %s\n", kOpWidth, r.op->op.c_str(), dtype_name(r.op->dtype),
              static_cast<long long>(r.n), backends_width, join(r.backends, ",").c_str(), kFingerprintWidth,
              r.fingerprint.empty() ? "-" : r.fingerprint.c_str(), kFingerprintWidth,
              r.mask_fingerprint.empty() ? "-" : r.mask_fingerprint.c_str(), verdict(r).c_str());
  std::fflush(stdout);
}

void write_json(const Environment& env, const Options& opt, const std::vector<std::int64_t>& sizes,
                const std::vector<RowResult>& rows, double seconds, bool ok) {
  detail::JsonWriter j;
  j.begin_object();
  j.key("environment").raw(to_json(env, 2));
  j.field("quick", opt.quick);
  j.key("sizes").begin_array();
  for (const std::int64_t n : sizes) j.value(n);
  j.end_array();
  j.key("results").begin_array();
  for (const RowResult& r : rows) {
    j.begin_object();
    j.field("op", r.op->op);
    j.field("dtype", dtype_name(r.op->dtype));
    j.field("n", r.n);
    j.field("params", r.op->params);
    j.key("backends").begin_array();
    for (const auto& b : r.backends) j.value(b);
    j.end_array();
    if (r.fingerprint.empty()) j.key("fingerprint").null();
    else j.field("fingerprint", r.fingerprint);
    if (r.mask_fingerprint.empty()) j.key("mask_fingerprint").null();
    else j.field("mask_fingerprint", r.mask_fingerprint);
    j.field("verdict", verdict(r));
    j.key("mismatches").begin_array();
    for (const Mismatch& m : r.mismatches) {
      j.begin_object();
      j.field("backend", m.backend);
      j.field("buffer", m.buffer);
      j.field("index", m.index);
      j.field("expected", m.expected);
      j.field("actual", m.actual);
      j.field("count", m.count);
      if (m.ulps) j.field("ulps", *m.ulps);
      else j.key("ulps").null();
      j.end_object();
    }
    j.end_array();
    j.key("errors").begin_array();
    for (const auto& [backend, message] : r.errors) {
      j.begin_object();
      j.field("backend", backend);
      j.field("message", message);
      j.end_object();
    }
    j.end_array();
    j.end_object();
  }
  j.end_array();
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f", seconds);
  j.key("elapsed_s").raw(secs);
  j.field("ok", ok);
  j.end_object();
  std::printf("%s\n", j.str().c_str());
}

}  // namespace

int run_check(Args args) {
  const Options opt = parse(args);
  const auto start = std::chrono::steady_clock::now();
  const Environment env = capture_environment();
  auto backends = make_backends(env);
  const std::vector<CheckOp> ops = all_check_ops();
  std::vector<std::int64_t> sizes(std::begin(kSizes), std::end(kSizes) - (opt.quick ? kQuickDrops : 0));

  std::vector<std::string> names;
  for (const auto& b : backends) names.push_back(b->name());
  const int backends_width = std::max<int>(8, static_cast<int>(join(names, ",").size()));
  if (!opt.json) {
    std::printf("detnum %s check, order spec v%d\n", DETNUM_VERSION_STRING, DETNUM_ORDER_SPEC_VERSION);
    std::printf("environment: %s\n\n", summary(env).c_str());
    std::printf("%-*s %-5s %9s  %-*s %-*s %-*s %s\n", kOpWidth, "op", "dtype", "n", backends_width, "backends",
                kFingerprintWidth, "fingerprint", kFingerprintWidth, "mask fingerprint", "verdict");
    std::fflush(stdout);
  }

  std::optional<RunLog> log;
  std::optional<detnum::Run> run;
  if (!opt.log.empty()) {
    log.emplace(RunLog::open(opt.log));
    run.emplace(log->start_run("detnum check", {{"quick", opt.quick ? "yes" : "no"}}));
  }

  Progress progress(opt.progress_lines);
  std::map<std::int64_t, CheckInputs> inputs;
  std::vector<RowResult> rows;
  int failed = 0;
  for (const CheckOp& op : ops) {
    for (const std::int64_t n : sizes) {
      auto it = inputs.find(n);
      if (it == inputs.end()) {
        progress.step("inputs n=" + std::to_string(n));
        it = inputs.emplace(n, make_check_inputs(n)).first;
      }
      std::function<void(const CheckOutputs&)> on_reference;
      if (run) on_reference = [&](const CheckOutputs& want) { record_row(*run, op, n, want); };
      rows.push_back(run_row(op, it->second, backends, progress, on_reference));
      progress.clear();
      if (!rows.back().ok()) ++failed;
      if (!opt.json) print_row(rows.back(), backends_width);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const bool ok = failed == 0;
  if (run) {
    if (ok) run->finish();
    else run->fail(std::to_string(failed) + " cases differ");
    if (!opt.json) std::printf("recorded as run %lld in %s\n", static_cast<long long>(run->id()), log->path().c_str());
  }
  if (opt.json) {
    write_json(env, opt, sizes, rows, seconds, ok);
  } else {
    std::printf("\n%s: %d of %zu cases %s on %s (%.1f s)\n", ok ? "ok" : "FAILED", ok ? static_cast<int>(rows.size()) : failed,
                rows.size(), ok ? "agree" : "differ", join(names, ",").c_str(), seconds);
  }
  return ok ? kExitOk : kExitDifference;
}

}  // namespace detnum::cli
