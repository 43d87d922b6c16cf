// detnum::capture_environment and its JSON. The build facts come from detnum/config.hpp and from
// compile definitions that src/CMakeLists.txt sets on this file alone; the CUDA facts from
// capture_cuda_environment (src/cuda/environment_cuda.cpp, or a stub without CUDA).
#include "detnum/environment.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string_view>
#include <thread>

#include "common/environment_detail.hpp"
#include "detnum/config.hpp"
#include "detnum/threads.hpp"

#ifndef DETNUM_CXX_FP_FLAGS
#define DETNUM_CXX_FP_FLAGS ""
#endif
#ifndef DETNUM_CUDA_FP_FLAGS
#define DETNUM_CUDA_FP_FLAGS ""
#endif
#ifndef DETNUM_BUILD_TYPE
#define DETNUM_BUILD_TYPE ""
#endif
#ifndef DETNUM_CUDA_COMPILER
#define DETNUM_CUDA_COMPILER ""
#endif
#ifndef DETNUM_CUDA_ARCHITECTURES
#define DETNUM_CUDA_ARCHITECTURES ""
#endif

namespace detnum {

namespace {

std::string cxx_compiler() {
#if defined(__clang__)
  return "Clang " __clang_version__;
#elif defined(__GNUC__)
  return "GCC " __VERSION__;
#elif defined(_MSC_VER)
  return "MSVC " + std::to_string(_MSC_FULL_VER);
#else
  return "unknown";
#endif
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

// The first "model name" line of /proc/cpuinfo (x86), else the first "Model"/"CPU part" style
// line that names the part; "unknown" when there is none.
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  for (const char* wanted : {"model name", "Model", "cpu model", "Hardware"}) {
    in.clear();
    in.seekg(0);
    while (std::getline(in, line)) {
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      if (trim(std::string_view(line).substr(0, colon)) == wanted) {
        std::string v = trim(std::string_view(line).substr(colon + 1));
        if (!v.empty()) return v;
      }
    }
  }
  return "unknown";
}

std::vector<CpuFeature> cpu_features() {
  std::vector<CpuFeature> f;
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  f.push_back({"sse4.2", __builtin_cpu_supports("sse4.2") != 0});
  f.push_back({"avx", __builtin_cpu_supports("avx") != 0});
  f.push_back({"avx2", __builtin_cpu_supports("avx2") != 0});
  f.push_back({"fma", __builtin_cpu_supports("fma") != 0});
  f.push_back({"avx512f", __builtin_cpu_supports("avx512f") != 0});
#endif
  return f;
}

// ---- a minimal JSON writer: objects, arrays, strings, numbers, booleans ----

std::string quoted(std::string_view s) {
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
          out += ch;  // UTF-8 passes through unchanged
        }
    }
  }
  return out + "\"";
}

class Json {
 public:
  explicit Json(int indent) : indent_(indent) {}
  void open(char bracket) {
    out_ += bracket;
    first_.push_back(true);
  }
  void close(char bracket) {
    const bool empty = first_.back();
    first_.pop_back();
    if (!empty) newline();
    out_ += bracket;
  }
  void key(std::string_view k) {
    item();
    out_ += quoted(k);
    out_ += indent_ > 0 ? ": " : ":";
  }
  void element() { item(); }  // before an array element
  void raw(std::string_view v) { out_ += v; }
  void str(std::string_view v) { out_ += quoted(v); }
  void num(long long v) { out_ += std::to_string(v); }
  void boolean(bool v) { out_ += v ? "true" : "false"; }
  std::string take() { return std::move(out_); }

  // key: value shorthands
  void field(std::string_view k, std::string_view v) { key(k); str(v); }
  void field(std::string_view k, const char* v) { key(k); str(v); }
  void field(std::string_view k, long long v) { key(k); num(v); }
  void field(std::string_view k, int v) { key(k); num(v); }
  void field(std::string_view k, bool v) { key(k); boolean(v); }

 private:
  void item() {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
    newline();
  }
  void newline() {
    if (indent_ <= 0) return;
    out_ += '\n';
    out_.append(first_.size() * static_cast<std::size_t>(indent_), ' ');
  }
  int indent_;
  std::string out_;
  std::vector<bool> first_;
};

}  // namespace

Environment capture_environment() {
  Environment env;
  env.detnum_version = DETNUM_VERSION_STRING;
  env.order_spec_version = DETNUM_ORDER_SPEC_VERSION;
  env.cuda_built = DETNUM_HAS_CUDA != 0;
  env.build_type = DETNUM_BUILD_TYPE;
  env.cxx_compiler = cxx_compiler();
  env.cxx_fp_flags = DETNUM_CXX_FP_FLAGS;
  if (env.cuda_built) {
    env.cuda_compiler = DETNUM_CUDA_COMPILER;
    env.cuda_fp_flags = DETNUM_CUDA_FP_FLAGS;
    env.cuda_architectures = DETNUM_CUDA_ARCHITECTURES;
  }

  env.cpu_model = cpu_model();
  env.cpu_features = cpu_features();
  env.logical_cores = static_cast<int>(std::thread::hardware_concurrency());
  env.default_threads = default_threads();
  if (utsname u{}; uname(&u) == 0) {
    env.os_name = u.sysname;
    env.os_release = u.release;
    env.machine = u.machine;
    env.host_name = u.nodename;
  }
  if (char host[256] = {}; gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') env.host_name = host;

  detail::capture_cuda_environment(env);
  return env;
}

std::string to_json(const Environment& env, int indent) {
  Json j(indent);
  j.open('{');

  j.key("detnum");
  j.open('{');
  j.field("version", env.detnum_version);
  j.field("order_spec_version", env.order_spec_version);
  j.close('}');

  j.key("build");
  j.open('{');
  j.field("build_type", env.build_type);
  j.field("cxx_compiler", env.cxx_compiler);
  j.field("cxx_fp_flags", env.cxx_fp_flags);
  j.field("cuda", env.cuda_built);
  j.field("cuda_compiler", env.cuda_compiler);
  j.field("cuda_fp_flags", env.cuda_fp_flags);
  j.field("cuda_architectures", env.cuda_architectures);
  j.close('}');

  j.key("host");
  j.open('{');
  j.field("cpu_model", env.cpu_model);
  j.key("cpu_features");
  j.open('{');
  for (const CpuFeature& f : env.cpu_features) j.field(f.name, f.present);
  j.close('}');
  j.field("logical_cores", env.logical_cores);
  j.field("default_threads", env.default_threads);
  j.field("os", env.os_name);
  j.field("os_release", env.os_release);
  j.field("machine", env.machine);
  j.field("host_name", env.host_name);
  j.close('}');

  j.key("cuda");
  j.open('{');
  j.field("runtime_version", env.cuda_runtime_version);
  j.field("driver_version", env.cuda_driver_version);
  j.field("status", env.cuda_status);
  j.key("devices");
  j.open('[');
  for (const GpuInfo& g : env.gpus) {
    j.element();
    j.open('{');
    j.field("index", g.index);
    j.field("name", g.name);
    j.field("compute_capability", std::to_string(g.compute_major) + "." + std::to_string(g.compute_minor));
    j.field("sm_count", g.sm_count);
    j.field("memory_bytes", static_cast<long long>(g.memory_bytes));
    j.close('}');
  }
  j.close(']');
  j.close('}');

  j.close('}');
  return j.take();
}

std::string summary(const Environment& env) {
  std::string s = "CPU " + env.cpu_model + " (" + std::to_string(env.logical_cores) + " logical cores, default " +
                  std::to_string(env.default_threads) + " threads)";
  if (!env.cuda_built) return s + "; CUDA backend not built";
  if (env.gpus.empty()) {
    s += "; no CUDA device";
    if (env.cuda_status != "ok") s += " (" + env.cuda_status + ")";
    return s;
  }
  for (const GpuInfo& g : env.gpus) {
    char mem[32];
    std::snprintf(mem, sizeof mem, "%.1f GiB", static_cast<double>(g.memory_bytes) / (1024.0 * 1024.0 * 1024.0));
    s += "; GPU " + std::to_string(g.index) + " " + g.name + " (sm_" + std::to_string(g.compute_major) +
         std::to_string(g.compute_minor) + ", " + std::to_string(g.sm_count) + " SMs, " + mem + ")";
  }
  return s;
}

}  // namespace detnum
