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
#include "common/json.hpp"
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
  detail::JsonWriter j(indent);
  j.begin_object();

  j.key("detnum");
  j.begin_object();
  j.field("version", env.detnum_version);
  j.field("order_spec_version", env.order_spec_version);
  j.end_object();

  j.key("build");
  j.begin_object();
  j.field("build_type", env.build_type);
  j.field("cxx_compiler", env.cxx_compiler);
  j.field("cxx_fp_flags", env.cxx_fp_flags);
  j.field("cuda", env.cuda_built);
  j.field("cuda_compiler", env.cuda_compiler);
  j.field("cuda_fp_flags", env.cuda_fp_flags);
  j.field("cuda_architectures", env.cuda_architectures);
  j.end_object();

  j.key("host");
  j.begin_object();
  j.field("cpu_model", env.cpu_model);
  j.key("cpu_features");
  j.begin_object();
  for (const CpuFeature& f : env.cpu_features) j.field(f.name, f.present);
  j.end_object();
  j.field("logical_cores", env.logical_cores);
  j.field("default_threads", env.default_threads);
  j.field("os", env.os_name);
  j.field("os_release", env.os_release);
  j.field("machine", env.machine);
  j.field("host_name", env.host_name);
  j.end_object();

  j.key("cuda");
  j.begin_object();
  j.field("runtime_version", env.cuda_runtime_version);
  j.field("driver_version", env.cuda_driver_version);
  j.field("status", env.cuda_status);
  j.key("devices");
  j.begin_array();
  for (const GpuInfo& g : env.gpus) {
    j.begin_object();
    j.field("index", g.index);
    j.field("name", g.name);
    j.field("compute_capability", std::to_string(g.compute_major) + "." + std::to_string(g.compute_minor));
    j.field("sm_count", g.sm_count);
    j.field("memory_bytes", static_cast<long long>(g.memory_bytes));
    j.end_object();
  }
  j.end_array();
  j.end_object();

  j.end_object();
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
