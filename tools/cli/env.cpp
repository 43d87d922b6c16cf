// `detnum env`: what this build of detnum runs on, as JSON (detnum::capture_environment).
#include <cstdio>
#include <string>

#include "cli.hpp"
#include "detnum/environment.hpp"

namespace detnum::cli {

const char* const kEnvHelp =
    "usage: detnum env [--compact | --summary]\n"
    "\n"
    "Prints detnum's version and order-spec version, how it was built (compiler, floating-point\n"
    "flags, CUDA architectures), the host (CPU model and ISA features, cores, default thread\n"
    "count, OS, host name) and CUDA (runtime and driver versions, each device) as one JSON object.\n"
    "\n"
    "  --compact   the JSON on one line\n"
    "  --summary   one line of text instead of JSON\n";

int run_env(Args args) {
  bool compact = false, summary_only = false;
  for (const std::string_view a : args) {
    if (a == "--compact") compact = true;
    else if (a == "--summary") summary_only = true;
    else throw UsageError("env: unknown argument '" + std::string(a) + "'", "env");
  }
  if (compact && summary_only) throw UsageError("env: --compact and --summary exclude each other", "env");
  const Environment env = capture_environment();
  const std::string text = summary_only ? summary(env) : to_json(env, compact ? 0 : 2);
  std::printf("%s\n", text.c_str());
  return kExitOk;
}

}  // namespace detnum::cli
