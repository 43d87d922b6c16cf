// What a result was computed with: detnum's build, the host and the CUDA devices. `detnum env`
// prints it, and every check result or run record carries it, so that a fingerprint can be
// read next to the machine, compiler and flags that produced it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace detnum {

struct CpuFeature {
  std::string name;  // as __builtin_cpu_supports spells it: "sse4.2", "avx", "avx2", "fma", "avx512f"
  bool present = false;
};

struct GpuInfo {
  int index = 0;
  std::string name;                 // "NVIDIA H100 80GB HBM3"
  int compute_major = 0, compute_minor = 0;
  int sm_count = 0;
  std::uint64_t memory_bytes = 0;   // total global memory
};

struct Environment {
  // This build of detnum (detnum/config.hpp and the compile definitions of environment.cpp).
  std::string detnum_version;       // "0.1.0"
  int order_spec_version = 0;       // docs/ORDER.md
  bool cuda_built = false;          // the CUDA backend is compiled in
  std::string build_type;           // CMAKE_BUILD_TYPE
  std::string cxx_compiler;         // "GCC 12.2.0"
  std::string cxx_fp_flags;         // "-ffp-contract=off -fno-fast-math"
  std::string cuda_compiler;        // "NVIDIA 13.0.88", empty without CUDA
  std::string cuda_fp_flags;        // "--fmad=false ...", empty without CUDA
  std::string cuda_architectures;   // CMAKE_CUDA_ARCHITECTURES, empty without CUDA

  // The host.
  std::string cpu_model;            // /proc/cpuinfo "model name", or "unknown"
  std::vector<CpuFeature> cpu_features;  // fixed list and order; empty on non-x86 hosts
  int logical_cores = 0;            // std::thread::hardware_concurrency()
  int default_threads = 0;          // detnum::default_threads()
  std::string os_name, os_release, machine, host_name;  // uname(2)

  // CUDA, when cuda_built. Versions as "major.minor"; the driver's is "none" when no driver is
  // installed. cuda_status is "ok" when devices were counted, otherwise CUDA's message for why
  // not (e.g. "no CUDA-capable device is detected"), or "not built".
  std::string cuda_runtime_version;
  std::string cuda_driver_version;
  std::string cuda_status = "not built";
  std::vector<GpuInfo> gpus;
};

// Queries everything above. Initializes the CUDA runtime when the CUDA backend is built; never
// throws for a missing driver or device (cuda_status says what happened).
Environment capture_environment();

// One JSON object with a fixed key order (a stable diff between two machines' output):
// {"detnum": {...}, "build": {...}, "host": {...}, "cuda": {...}}. Multi-line when indent > 0,
// one line otherwise.
std::string to_json(const Environment& env, int indent = 2);

// One line for a report header: "AMD EPYC (2 threads); no CUDA device (...)" or
// "... ; GPU 0: NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 79.1 GiB)".
std::string summary(const Environment& env);

}  // namespace detnum
