// `detnum`: the command-line face of the library. Subcommands are listed in kCommands; each
// lives in its own file. Exit status: 0 success, 1 a check found a difference, 2 usage or
// input errors (the message goes to stderr).
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "cli.hpp"
#include "detnum/config.hpp"
#include "detnum/error.hpp"

namespace detnum::cli {
namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(Args);
  const char* help;
};

const Command kCommands[] = {
    {"demo", "train one model on the CPU and a GPU, record every step, and show the runs are bit-identical",
     run_demo, kDemoHelp},
    {"check", "run every op on every backend present and compare the bits with the reference", run_check, kCheckHelp},
    {"env", "print the build, host and CUDA environment as JSON", run_env, kEnvHelp},
    {"runs", "list, show, diff, export and import the runs of a run log", run_runs, kRunsHelp},
};

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "usage: detnum <command> [options]\n"
               "\n"
               "detnum %s (order spec v%d): bit-reproducible numerics.\n"
               "\n"
               "commands:\n",
               DETNUM_VERSION_STRING, DETNUM_ORDER_SPEC_VERSION);
  for (const Command& c : kCommands)
    std::fprintf(out, "  %-8.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(), static_cast<int>(c.summary.size()),
                 c.summary.data());
  std::fprintf(out,
               "  %-8s %s\n"
               "\n"
               "`detnum <command> --help` describes a command's options.\n"
               "exit status: 0 success, 1 a check found a difference, 2 usage or input error.\n",
               "help", "this text, or `detnum help <command>`");
}

const Command* find(std::string_view name) {
  for (const Command& c : kCommands)
    if (c.name == name) return &c;
  return nullptr;
}

int dispatch(const std::vector<std::string_view>& argv) {
  if (argv.empty()) {
    print_usage(stderr);
    return kExitUsage;
  }
  const std::string_view cmd = argv[0];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    if (argv.size() > 1) {
      if (const Command* c = find(argv[1])) {
        std::fputs(c->help, stdout);
        return kExitOk;
      }
      throw UsageError("unknown command '" + std::string(argv[1]) + "'", "");
    }
    print_usage(stdout);
    return kExitOk;
  }
  if (cmd == "--version") {
    std::printf("detnum %s (order spec v%d)\n", DETNUM_VERSION_STRING, DETNUM_ORDER_SPEC_VERSION);
    return kExitOk;
  }
  const Command* c = find(cmd);
  if (c == nullptr) throw UsageError("unknown command '" + std::string(cmd) + "'", "");
  const Args rest(argv.data() + 1, argv.size() - 1);
  for (const std::string_view a : rest)
    if (a == "--help" || a == "-h") {
      std::fputs(c->help, stdout);
      return kExitOk;
    }
  return c->run(rest);
}

}  // namespace
}  // namespace detnum::cli

int main(int argc, char** argv) {
  using namespace detnum::cli;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  try {
    return dispatch(args);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "detnum: %s\n", e.what());
    if (e.command().empty()) std::fprintf(stderr, "Run `detnum --help` for the commands.\n");
    else std::fprintf(stderr, "Run `detnum %s --help` for its options.\n", e.command().c_str());
    return kExitUsage;
  } catch (const detnum::Error& e) {
    std::fprintf(stderr, "detnum: %s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "detnum: %s\n", e.what());
    return kExitUsage;
  }
}
