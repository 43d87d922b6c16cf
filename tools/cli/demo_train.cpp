#include "demo_train.hpp"

#include <vector>

#include "demo_model.hpp"

namespace detnum::cli {

TrainResult train(DemoBackend& b, const Digits& data, const DatasetSplit& split, const TrainConfig& c, Run& run,
                  const std::function<void(std::int64_t, float)>& progress) {
  Mlp model(b, c);
  Activations batch(b, c.batch, c.hidden);
  const auto train_n = static_cast<std::int64_t>(split.train.size());
  const std::int64_t steps_per_epoch = train_n / c.batch;  // the last partial batch of an epoch is left out
  std::vector<std::int64_t> order(split.train.size()), items(split.train.size());
  TrainResult result;
  for (std::int64_t s = 0; s < c.steps; ++s) {
    if (s % steps_per_epoch == 0) {  // a new epoch: its permutation of the training items
      shuffle_indices(train_n, c.seed, static_cast<std::uint64_t>(s / steps_per_epoch), order.data());
      for (std::size_t i = 0; i < order.size(); ++i) items[i] = split.train[static_cast<std::size_t>(order[i])];
    }
    load_batch(b, data, items, s % steps_per_epoch * c.batch, c.batch, batch);
    result.final_loss = model.step(batch, s);
    run.metric(s, "loss", result.final_loss);
    run.record(s, "loss", TensorView::of(&result.final_loss, {1}));
    const float grad_norm = model.grad_norm();
    run.metric(s, "grad_norm", grad_norm);
    run.record(s, "grad_norm", TensorView::of(&grad_norm, {1}));
    for (const Param& p : model.params()) run.record(s, p.name, b.fingerprint(p.value, p.shape));
    progress(s, result.final_loss);
    result.steps = s + 1;
  }

  // Test accuracy: the whole test split as one batch, without dropout; ties go to the lower class.
  const auto test_n = static_cast<std::int64_t>(split.test.size());
  Activations test(b, test_n, c.hidden);
  load_batch(b, data, split.test, 0, test_n, test);
  model.forward(test, test_n, false, 0);
  std::vector<float> logits(static_cast<std::size_t>(test_n * kOut));
  b.download(logits.data(), test.logits, test_n * kOut);
  std::int64_t correct = 0;
  for (std::int64_t r = 0; r < test_n; ++r) {
    int best = 0;
    for (int k = 1; k < kOut; ++k)
      if (logits[r * kOut + k] > logits[r * kOut + best]) best = k;
    correct += best == data.labels[split.test[static_cast<std::size_t>(r)]];
  }
  result.test_accuracy = test_n > 0 ? static_cast<double>(correct) / static_cast<double>(test_n) : 0.0;

  std::vector<float> all;
  for (const Param& p : model.params()) {
    std::vector<float> host(static_cast<std::size_t>(p.size()));
    b.download(host.data(), p.value, p.size());
    all.insert(all.end(), host.begin(), host.end());
  }
  result.weights = fingerprint(TensorView::of(all.data(), {static_cast<std::int64_t>(all.size())})).hash;
  return result;
}

}  // namespace detnum::cli
