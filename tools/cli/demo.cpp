// `detnum demo`: trains one small classifier on the handwritten digits several ways — detnum on
// one CPU thread, on all of them, on CUDA when a GPU is present — records every step into the
// run log, and shows that the runs are bit-identical; then trains it with a conventional,
// thread-count-dependent bias gradient at two thread counts and shows where those part.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli.hpp"
#include "demo_backend.hpp"
#include "demo_data.hpp"
#include "demo_train.hpp"
#include "detnum/threads.hpp"
#include "run_compare.hpp"

namespace detnum::cli {

const char* const kDemoHelp =
    "usage: detnum demo [--steps N] [--data PATH] [--log PATH] [--threads N] [--no-cuda]\n"
    "\n"
    "Trains an MLP (64 -> 128 with LayerNorm, GELU and dropout -> 10) on scikit-learn's\n"
    "handwritten digits with gradient clipping (max norm 1) and AdamW, the same seed every time,\n"
    "on: the CPU with 1 thread, the CPU with N threads, and CUDA when a GPU is present; then the\n"
    "same model with a conventional bias gradient (per-thread partial sums) at 1 and N threads.\n"
    "Every step's loss and gradient norm and every parameter's fingerprint go to the run log;\n"
    "the runs are compared record by record, as `detnum runs diff` does.\n"
    "\n"
    "  --steps N     training steps (default 300)\n"
    "  --data PATH   digits.csv.gz (default: DETNUM_DIGITS, data/digits.csv.gz, or python3-sklearn's)\n"
    "  --log PATH    the run log (default: DETNUM_RUNLOG, else ./detnum-runs.sqlite)\n"
    "  --threads N   the many-thread runs' thread count (default: all hardware threads, at least 2)\n"
    "  --no-cuda     leave out the CUDA run\n"
    "\n"
    "exit status: 0 the detnum runs are bit-identical, 1 they are not, 2 usage or input error.\n";

namespace {

struct Options {
  TrainConfig train;
  std::string data, log;
  int threads = std::max(2, default_threads());
  bool cuda = true;
};

Options parse(Args args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw UsageError("demo: " + std::string(a) + " needs a value", "demo");
      return std::string(args[++i]);
    };
    const auto number = [&](long long lo, long long hi) {
      const std::string v = value();
      try {
        std::size_t used = 0;
        const long long n = std::stoll(v, &used);
        if (used == v.size() && n >= lo && n <= hi) return n;
      } catch (const std::exception&) {
      }
      throw UsageError("demo: " + std::string(a) + " must be an integer in [" + std::to_string(lo) + ", " +
                           std::to_string(hi) + "], got '" + v + "'",
                       "demo");
    };
    if (a == "--steps") o.train.steps = number(1, 1000000);
    else if (a == "--data") o.data = value();
    else if (a == "--log") o.log = value();
    else if (a == "--threads") o.threads = static_cast<int>(number(1, 1024));
    else if (a == "--no-cuda") o.cuda = false;
    else throw UsageError("demo: unknown option '" + std::string(a) + "'", "demo");
  }
  return o;
}

struct Trained {
  std::string name, description;
  std::int64_t run_id;
  TrainResult result;
  double seconds;
};

Trained train_one(DemoBackend& backend, const Digits& data, const DatasetSplit& split, const Options& o,
                  RunLog& log) {
  Run run = log.start_run("demo " + backend.name(), {{"backend", backend.description()},
                                                     {"steps", std::to_string(o.train.steps)},
                                                     {"batch", std::to_string(o.train.batch)},
                                                     {"hidden", std::to_string(o.train.hidden)}});
  run.seed("seed", o.train.seed);
  const auto start = std::chrono::steady_clock::now();
  const std::int64_t every = std::max<std::int64_t>(1, o.train.steps / 6);
  const TrainResult r = train(backend, data, split, o.train, run, [&](std::int64_t step, float loss) {
    if ((step + 1) % every == 0 || step + 1 == o.train.steps)
      std::printf("  %-8s step %4lld/%lld  loss %.6f\n", backend.name().c_str(), static_cast<long long>(step + 1),
                  static_cast<long long>(o.train.steps), static_cast<double>(loss));
    std::fflush(stdout);
  });
  run.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {backend.name(), backend.description(), run.id(), r, seconds};
}

// "identical (N records)" or "DIVERGED at step S, NAME".
std::string verdict(RunLog& log, const Trained& a, const Trained& b, RunComparison* out = nullptr) {
  RunComparison c = compare_runs(log.load(a.run_id), log.load(b.run_id));
  std::string v = !c.diverged() ? "identical (" + std::to_string(c.same) + " records)"
                  : c.first     ? "DIVERGED at step " + std::to_string(c.first->first.step) + ", " + c.first->first.name
                                : "DIVERGED (records missing)";
  if (out != nullptr) *out = std::move(c);
  return v;
}

}  // namespace

int run_demo(Args args) {
  const Options o = parse(args);
  const std::string path = find_digits(o.data);
  if (path.empty()) {
    std::fprintf(stderr, "detnum demo: %s", kDigitsHint);
    return kExitUsage;
  }
  const Digits data = load_digits(path);
  const DatasetSplit split = split_indices(data.count(), 0.8, 0.1, o.train.seed);
  if (static_cast<std::int64_t>(split.train.size()) < o.train.batch)
    throw std::runtime_error(path + ": " + std::to_string(data.count()) + " digits give " +
                             std::to_string(split.train.size()) + " for training, fewer than one batch of " +
                             std::to_string(o.train.batch));
  RunLog log = RunLog::open(o.log);
  std::printf("detnum demo: %lld digits from %s (train %zu, validation %zu, test %zu); %lld steps of %lld; run log %s\n",
              static_cast<long long>(data.count()), path.c_str(), split.train.size(), split.validation.size(),
              split.test.size(), static_cast<long long>(o.train.steps), static_cast<long long>(o.train.batch),
              log.path().c_str());

  std::vector<std::unique_ptr<DemoBackend>> deterministic;
  deterministic.push_back(make_host_demo_backend(1, false));
  deterministic.push_back(make_host_demo_backend(o.threads, false));
  std::string no_cuda = "left out (--no-cuda)";
  if (o.cuda)
    if (auto cuda = make_cuda_demo_backend(no_cuda)) deterministic.push_back(std::move(cuda));

  std::vector<Trained> det, naive;
  for (auto& b : deterministic) det.push_back(train_one(*b, data, split, o, log));
  for (const int threads : {1, o.threads}) naive.push_back(train_one(*make_host_demo_backend(threads, true), data, split, o, log));

  std::printf("\n%-5s %-8s %-42s %5s %-12s %8s %7s  %-39s %s\n", "run", "config", "backend", "steps", "final loss",
              "test acc", "seconds", "weights fingerprint", "compared with the first");
  const auto row = [&](const Trained& t, const std::string& v) {
    std::printf("%-5lld %-8s %-42s %5lld %-12.9g %7.2f%% %7.2f  %-39s %s\n", static_cast<long long>(t.run_id),
                t.name.c_str(), t.description.c_str(), static_cast<long long>(t.result.steps),
                static_cast<double>(t.result.final_loss), 100.0 * t.result.test_accuracy, t.seconds,
                t.result.weights.c_str(), v.c_str());
  };
  bool identical = true;
  for (std::size_t i = 0; i < det.size(); ++i) {
    RunComparison c;
    const std::string v = i == 0 ? "(reference)" : verdict(log, det[0], det[i], &c);
    identical &= i == 0 || !c.diverged();
    row(det[i], v);
  }
  if (!o.cuda || det.size() < 3) std::printf("%-5s %-8s %s\n", "-", "cuda", no_cuda.c_str());
  RunComparison naive_diff;
  row(naive[0], "(reference)");
  row(naive[1], verdict(log, naive[0], naive[1], &naive_diff));

  std::printf("\n%s: the %zu detnum runs %s.\n", identical ? "identical" : "DIVERGED", det.size(),
              identical ? "agree bit for bit at every step: each loss and each parameter's fingerprint"
                        : "do not agree; see `detnum runs diff` on their ids");
  if (naive_diff.first) {
    std::printf("conventional bias gradient: 1 and %d threads part at step %lld, %s:\n", o.threads,
                static_cast<long long>(naive_diff.first->first.step), naive_diff.first->first.name.c_str());
    print_record_stats("1 thread ", naive_diff.first->first);
    print_record_stats(("threads " + std::to_string(o.threads)).c_str(), naive_diff.first->second);
    std::printf("(%zu of %zu records differ.) `detnum runs diff %lld %lld` shows it again.\n", naive_diff.differing,
                naive_diff.differing + naive_diff.same, static_cast<long long>(naive[0].run_id),
                static_cast<long long>(naive[1].run_id));
  } else if (!naive_diff.diverged()) {
    std::printf("conventional bias gradient: 1 and %d threads happened to agree this time.\n", o.threads);
  }
  return identical ? kExitOk : kExitDifference;
}

}  // namespace detnum::cli
