// Shared by the `detnum` subcommands: exit codes, the usage error, and the command signature.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace detnum::cli {

// docs: 0 success, 1 a check found a difference, 2 usage or input errors.
inline constexpr int kExitOk = 0;
inline constexpr int kExitDifference = 1;
inline constexpr int kExitUsage = 2;

// Thrown for a bad command line; main prints "detnum: <what>" and the hint, and exits 2.
class UsageError : public std::runtime_error {
 public:
  UsageError(std::string message, std::string command)
      : std::runtime_error(std::move(message)), command_(std::move(command)) {}
  const std::string& command() const { return command_; }  // "" for the top level

 private:
  std::string command_;
};

using Args = std::span<const std::string_view>;

// Each subcommand: its arguments after the command name; returns the exit code.
int run_env(Args args);
int run_check(Args args);
int run_runs(Args args);
int run_demo(Args args);

// Each subcommand's --help text.
extern const char* const kEnvHelp;
extern const char* const kCheckHelp;
extern const char* const kRunsHelp;
extern const char* const kDemoHelp;

}  // namespace detnum::cli
