// detnum_bench's entry point: Google Benchmark's usual main, plus a few facts of this build in
// the report's context (shown in the console header and in --benchmark_format=json), so that a
// recorded figure carries the detnum version and the thread count it ran with.
#include <benchmark/benchmark.h>

#include <string>

#include "detnum/config.hpp"
#include "detnum/threads.hpp"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("detnum_version", DETNUM_VERSION_STRING);
  benchmark::AddCustomContext("detnum_order_spec", std::to_string(DETNUM_ORDER_SPEC_VERSION));
  benchmark::AddCustomContext("detnum_cuda_backend", DETNUM_HAS_CUDA ? "on" : "off");
  benchmark::AddCustomContext("detnum_default_threads", std::to_string(detnum::default_threads()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
