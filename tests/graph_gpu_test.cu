// detnum's CUDA calls inside CUDA graphs. A call that returns nothing to the host never waits for
// the device and takes its temporary memory from the caller's workspace or from stream-ordered
// allocation, so it can be captured: a training step's chain of calls, captured on a stream and
// replayed, must give the bits it gives when run directly, and again on a second replay; so must
// calls given the caller's own stream-ordered memory, which inside a capture has an address but
// no memory until the graph runs (yet a host pointer is still refused there). The embedding
// calls without an IdCheck wait for the stream (to throw for a bad id) and so cannot be
// captured: they must refuse with detnum::Error, not break the capture silently.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "detnum/cuda/adamw.hpp"
#include "detnum/cuda/clip.hpp"
#include "detnum/cuda/dropout.hpp"
#include "detnum/cuda/embedding.hpp"
#include "detnum/cuda/gemm.hpp"
#include "detnum/cuda/init.hpp"
#include "detnum/cuda/norm.hpp"
#include "detnum/cuda/pointwise.hpp"
#include "detnum/cuda/reduce.hpp"
#include "detnum/cuda/shuffle.hpp"
#include "detnum/cuda/softmax.hpp"
#include "detnum/error.hpp"
#include "detnum/random.hpp"
#include "support/gpu.hpp"

namespace detnum {
namespace {

using test::DeviceBuffer;

constexpr std::int64_t kRows = 37, kIn = 48, kHidden = 64, kClasses = 10;  // a step of the demo's MLP
constexpr std::int64_t kTokens = 300, kVocab = 50, kDim = 24;               // an embedding's gradient
constexpr std::int64_t kManyTokens = 9000, kLongRun = 8500;  // the gradient's sort path, an id of > 8192 rows
constexpr std::int64_t kNoise = 1000, kPerm = 777;
constexpr float kDrop = 0.1f;

std::vector<float> values(std::int64_t n, std::uint64_t stream, float scale) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    v[static_cast<std::size_t>(i)] = scale * (2.0f * uniform_float(stream_word(2024, stream, static_cast<std::uint64_t>(i))) - 1.0f);
  return v;
}

// Every buffer of the chain; `outputs` lists what it writes (all compared), `inputs` what it reads
// and, for AdamW's parameter and moments, also updates (reset before each run).
struct Step {
  DeviceBuffer<float> x{kRows * kIn}, w1{kIn * kHidden}, b1{kHidden}, gamma{kHidden}, beta{kHidden},
      w2{kHidden * kClasses}, m2{kHidden * kClasses}, v2{kHidden * kClasses}, dout{kTokens * kDim},
      dout_many{kManyTokens * kDim};
  DeviceBuffer<std::int32_t> labels{kRows}, ids{kTokens}, ids_many{kManyTokens};
  DeviceBuffer<float> h{kRows * kHidden}, hb{kRows * kHidden}, ln{kRows * kHidden}, mean{kRows}, rstd{kRows},
      g{kRows * kHidden}, d{kRows * kHidden}, logits{kRows * kClasses}, loss{1}, dlogits{kRows * kClasses},
      db2{kClasses}, dw2{kHidden * kClasses}, dd{kRows * kHidden}, dg{kRows * kHidden}, dln{kRows * kHidden},
      dh{kRows * kHidden}, dgamma{kHidden}, dbeta{kHidden}, total{1}, spread{1}, dtable{kVocab * kDim},
      dtable_sorted{kVocab * kDim}, noise{kNoise}, relu_total{1}, loss_ignoring{1}, grad_norm{1};
  DeviceBuffer<std::uint8_t> mask{static_cast<std::size_t>(dropout_mask_bytes(kRows * kHidden))};
  DeviceBuffer<std::int64_t> perm{kPerm};
  DeviceBuffer<double> wide{kNoise}, norm{1};  // double nrm2: two passes, the second reads the first's amax
  DeviceBuffer<unsigned char> ws{cuda::reduce_workspace_bytes(kRows * kHidden)};

  std::vector<std::pair<void*, std::size_t>> outputs() const {
    std::vector<std::pair<void*, std::size_t>> o;
    for (const DeviceBuffer<float>* b : {&h, &hb, &ln, &mean, &rstd, &g, &d, &logits, &loss, &dlogits, &db2, &dw2,
                                         &dd, &dg, &dln, &dh, &dgamma, &dbeta, &total, &spread, &dtable,
                                         &dtable_sorted, &noise, &relu_total, &loss_ignoring, &grad_norm, &w2, &m2,
                                         &v2})
      o.emplace_back(b->get(), b->size() * sizeof(float));
    o.emplace_back(mask.get(), mask.size());
    o.emplace_back(perm.get(), perm.size() * sizeof(std::int64_t));
    o.emplace_back(norm.get(), sizeof(double));
    return o;
  }
};

// The inputs, and AdamW's state as it was before the step; every output made a NaN pattern, so
// that a run that leaves one unwritten cannot pass.
void reset(Step& s) {
  const auto up = [](const DeviceBuffer<float>& b, const std::vector<float>& v) {
    ASSERT_EQ(cudaMemcpy(b.get(), v.data(), v.size() * sizeof(float), cudaMemcpyHostToDevice), cudaSuccess);
  };
  up(s.x, values(kRows * kIn, 1, 1.0f));
  up(s.w1, values(kIn * kHidden, 2, 0.2f));
  up(s.b1, values(kHidden, 3, 0.1f));
  up(s.gamma, values(kHidden, 4, 1.0f));
  up(s.beta, values(kHidden, 5, 0.1f));
  up(s.w2, values(kHidden * kClasses, 6, 0.2f));
  up(s.m2, values(kHidden * kClasses, 7, 0.01f));
  std::vector<float> v2 = values(kHidden * kClasses, 8, 0.001f);
  for (float& e : v2) e = e < 0.0f ? -e : e;
  up(s.v2, v2);
  up(s.dout, values(kTokens * kDim, 9, 1.0f));
  up(s.dout_many, values(kManyTokens * kDim, 12, 1.0f));
  const std::vector<float> wide = values(kNoise, 11, 3.0f);
  const std::vector<double> wide_d(wide.begin(), wide.end());
  ASSERT_EQ(cudaMemcpy(s.wide.get(), wide_d.data(), wide_d.size() * sizeof(double), cudaMemcpyHostToDevice),
            cudaSuccess);
  std::vector<std::int32_t> labels(kRows), ids(kTokens), ids_many(kManyTokens, 0);
  for (std::int64_t r = 0; r < kRows; ++r) labels[static_cast<std::size_t>(r)] = static_cast<std::int32_t>(r * 7 % kClasses);
  for (std::int64_t t = 0; t < kTokens; ++t)  // a few frequent ids and a tail
    ids[static_cast<std::size_t>(t)] = static_cast<std::int32_t>(stream_word(2024, 10, static_cast<std::uint64_t>(t)) % (t % 3 == 0 ? 4 : kVocab));
  ASSERT_EQ(cudaMemcpy(s.labels.get(), labels.data(), labels.size() * 4, cudaMemcpyHostToDevice), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(s.ids.get(), ids.data(), ids.size() * 4, cudaMemcpyHostToDevice), cudaSuccess);
  for (std::int64_t t = kLongRun; t < kManyTokens; ++t)
    ids_many[static_cast<std::size_t>(t)] = static_cast<std::int32_t>(stream_word(2024, 13, static_cast<std::uint64_t>(t)) % kVocab);
  ASSERT_EQ(cudaMemcpy(s.ids_many.get(), ids_many.data(), ids_many.size() * 4, cudaMemcpyHostToDevice), cudaSuccess);
  for (const auto& [p, bytes] : s.outputs())
    if (p != s.w2.get() && p != s.m2.get() && p != s.v2.get()) ASSERT_EQ(cudaMemset(p, 0xFF, bytes), cudaSuccess);
  // The copies and memsets above run on the legacy stream, which the chain's non-blocking stream
  // does not wait for (cudaMemset returns before it is done; a pageable cudaMemcpy before its DMA).
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
}

// Forward, loss, backward and an update, with reductions, two embedding gradients (ids ordered
// by counting, and by cub's sort with an id of more than 8192 rows), an init and a shuffle
// beside them: every kind of temporary memory (the caller's, stream-ordered, none), and a
// buffer of the caller's own from cudaMallocAsync (inside a capture: an allocation of the graph).
void chain(Step& s, cudaStream_t st, cuda::IdCheck& check) {
  const Transpose no = Transpose::no, yes = Transpose::yes;
  cuda::gemm(no, no, kRows, kHidden, kIn, 1.0f, s.x.get(), kIn, s.w1.get(), kHidden, 0.0f, s.h.get(), kHidden, st);
  cuda::bias_add(s.h.get(), s.b1.get(), s.hb.get(), kRows, kHidden, st);
  cuda::layer_norm(s.hb.get(), s.gamma.get(), s.beta.get(), s.ln.get(), s.mean.get(), s.rstd.get(), kRows, kHidden,
                   1e-5f, st);
  cuda::gelu(s.ln.get(), s.g.get(), kRows * kHidden, st);
  cuda::dropout_forward(s.g.get(), s.d.get(), kRows * kHidden, {kDrop, 77, 0}, s.mask.get(), st);
  cuda::gemm(no, no, kRows, kClasses, kHidden, 1.0f, s.d.get(), kHidden, s.w2.get(), kClasses, 0.0f, s.logits.get(),
             kClasses, st);
  cuda::cross_entropy(s.logits.get(), s.labels.get(), kRows, kClasses, s.loss.get(), s.dlogits.get(), st);
  // The loss once more with class 3 ignored and label smoothing (a memset and a counting kernel
  // before the rows, and a pass more in each row).
  cuda::cross_entropy(s.logits.get(), s.labels.get(), kRows, kClasses, {.ignore_index = 3, .label_smoothing = 0.1f},
                      s.loss_ignoring.get(), nullptr,
                      check, st);
  cuda::column_sums(static_cast<const float*>(s.dlogits.get()), MatrixLayout::dense(kRows, kClasses), s.db2.get(), st);
  cuda::gemm(yes, no, kHidden, kClasses, kRows, 1.0f, s.d.get(), kHidden, s.dlogits.get(), kClasses, 0.0f,
             s.dw2.get(), kClasses, st);
  const GradTensor grads[] = {{s.dw2.get(), kHidden * kClasses}, {s.db2.get(), kClasses}};
  cuda::clip_grad_norm(grads, 0.5f, s.grad_norm.get(), st);
  cuda::gemm(no, yes, kRows, kHidden, kClasses, 1.0f, s.dlogits.get(), kClasses, s.w2.get(), kClasses, 0.0f,
             s.dd.get(), kHidden, st);
  cuda::dropout_backward(s.dd.get(), s.mask.get(), s.dg.get(), kRows * kHidden, kDrop, st);
  cuda::gelu_backward(s.ln.get(), s.dg.get(), s.dln.get(), kRows * kHidden, st);
  cuda::layer_norm_backward(s.hb.get(), s.gamma.get(), s.mean.get(), s.rstd.get(), s.dln.get(), s.dh.get(),
                            s.dgamma.get(), s.dbeta.get(), kRows, kHidden, st);
  cuda::sum(static_cast<const float*>(s.dh.get()), kRows * kHidden, s.total.get(), st,
            {s.ws.get(), s.ws.size()});
  cuda::variance(static_cast<const float*>(s.dh.get()), kRows * kHidden, Ddof{1}, s.spread.get(), st);
  cuda::nrm2(static_cast<const double*>(s.wide.get()), kNoise, s.norm.get(), st);
  AdamWParams adam;
  adam.step = 3;
  cuda::adamw_step(s.w2.get(), s.dw2.get(), s.m2.get(), s.v2.get(), kHidden * kClasses, adam, st);
  cuda::embedding_backward(s.ids.get(), kTokens, s.dout.get(), kVocab, kDim, s.dtable.get(), check, st);
  cuda::embedding_backward(s.ids_many.get(), kManyTokens, s.dout_many.get(), kVocab, kDim, s.dtable_sorted.get(),
                           check, st);
  cuda::init_uniform(s.noise.get(), kNoise, -1.0f, 1.0f, {5, 123}, st);
  cuda::shuffle_indices(kPerm, 11, 2, s.perm.get(), st);
  // (A failure throws, so that the caller ends a capture before it reports it.)
  const auto must = [](cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw Error(ErrorCode::cuda_error, std::string(what) + ": " + cudaGetErrorString(e));
  };
  float* scratch = nullptr;
  must(cudaMallocAsync(reinterpret_cast<void**>(&scratch), kRows * kHidden * sizeof(float), st), "cudaMallocAsync");
  cuda::relu(s.dh.get(), scratch, kRows * kHidden, st);
  cuda::sum(static_cast<const float*>(scratch), kRows * kHidden, s.relu_total.get(), st);
  must(cudaFreeAsync(scratch, st), "cudaFreeAsync");
}

std::vector<std::vector<unsigned char>> download(const Step& s) {
  std::vector<std::vector<unsigned char>> out;
  for (const auto& [p, bytes] : s.outputs()) {
    out.emplace_back(bytes);
    if (cudaMemcpy(out.back().data(), p, bytes, cudaMemcpyDeviceToHost) != cudaSuccess) out.back().clear();
  }
  return out;
}

class Stream {
 public:
  Stream() { (void)cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking); }
  ~Stream() { (void)cudaStreamDestroy(s_); }
  cudaStream_t get() const { return s_; }

 private:
  cudaStream_t s_ = nullptr;
};

TEST(CudaGraph, ACapturedStepGivesTheDirectBits) {
  DETNUM_REQUIRE_GPU();
  Stream stream;
  ASSERT_NE(stream.get(), nullptr);
  Step s;
  cuda::IdCheck check;
  reset(s);
  chain(s, stream.get(), check);
  DETNUM_TEST_CUDA(cudaStreamSynchronize(stream.get()));
  check.throw_if_bad();
  const auto direct = download(s);

  reset(s);
  cudaGraph_t graph = nullptr;
  DETNUM_TEST_CUDA(cudaStreamBeginCapture(stream.get(), cudaStreamCaptureModeGlobal));
  try {
    chain(s, stream.get(), check);
  } catch (const Error& e) {
    (void)cudaStreamEndCapture(stream.get(), &graph);
    if (graph != nullptr) (void)cudaGraphDestroy(graph);
    FAIL() << "a call failed under capture: " << e.what();
  }
  DETNUM_TEST_CUDA(cudaStreamEndCapture(stream.get(), &graph));
  cudaGraphExec_t exec = nullptr;
  DETNUM_TEST_CUDA(cudaGraphInstantiate(&exec, graph, 0));
  for (int replay = 0; replay < 2; ++replay) {
    if (replay > 0) reset(s);
    DETNUM_TEST_CUDA(cudaGraphLaunch(exec, stream.get()));
    DETNUM_TEST_CUDA(cudaStreamSynchronize(stream.get()));
    check.throw_if_bad();
    const auto replayed = download(s);
    ASSERT_EQ(replayed.size(), direct.size());
    for (std::size_t i = 0; i < direct.size(); ++i) {
      ASSERT_FALSE(direct[i].empty() || replayed[i].empty()) << "output " << i << " could not be read";
      EXPECT_EQ(std::memcmp(direct[i].data(), replayed[i].data(), direct[i].size()), 0)
          << "output " << i << " differs on replay " << replay;
    }
  }
  (void)cudaGraphExecDestroy(exec);
  (void)cudaGraphDestroy(graph);
}

TEST(CudaGraph, AHostPointerIsRefusedUnderCapture) {
  DETNUM_REQUIRE_GPU();
  Stream stream;
  ASSERT_NE(stream.get(), nullptr);
  DeviceBuffer<float> total{1};
  const std::vector<float> host(1000, 1.0f);
  float* graph_memory = nullptr;
  DETNUM_TEST_CUDA(cudaStreamBeginCapture(stream.get(), cudaStreamCaptureModeGlobal));
  bool threw = false;
  ErrorCode code{};
  std::string what;
  const cudaError_t allocated = cudaMallocAsync(reinterpret_cast<void**>(&graph_memory), 4096, stream.get());
  try {  // the graph's own allocation passes; the host's memory does not
    if (allocated == cudaSuccess) cuda::sum(static_cast<const float*>(graph_memory), 1024, total.get(), stream.get());
    cuda::sum(host.data(), static_cast<std::int64_t>(host.size()), total.get(), stream.get());
  } catch (const Error& e) {
    threw = true;
    code = e.code();
    what = e.what();
  }
  if (allocated == cudaSuccess) (void)cudaFreeAsync(graph_memory, stream.get());
  cudaGraph_t graph = nullptr;
  DETNUM_TEST_CUDA(cudaStreamEndCapture(stream.get(), &graph));  // the refusal left the capture intact
  if (graph != nullptr) (void)cudaGraphDestroy(graph);
  ASSERT_EQ(allocated, cudaSuccess);
  ASSERT_TRUE(threw) << "a host pointer was taken inside a capture";
  EXPECT_EQ(code, ErrorCode::wrong_memory_space) << what;
  // (the second call's pointer: the graph's allocation was taken)
  const std::string expected = "x must be device, managed or mapped memory, got host pointer " +
                               std::to_string(reinterpret_cast<std::uintptr_t>(host.data()));
  EXPECT_NE(what.find(expected), std::string::npos) << what;
}

TEST(CudaGraph, EmbeddingWithoutAnIdCheckRefusesACapture) {
  DETNUM_REQUIRE_GPU();
  Stream stream;
  ASSERT_NE(stream.get(), nullptr);
  Step s;
  reset(s);
  DETNUM_TEST_CUDA(cudaStreamBeginCapture(stream.get(), cudaStreamCaptureModeGlobal));
  bool threw = false;
  try {
    cuda::embedding_backward(s.ids.get(), kTokens, s.dout.get(), kVocab, kDim, s.dtable.get(), stream.get());
  } catch (const Error& e) {
    threw = true;
    EXPECT_EQ(e.code(), ErrorCode::cuda_error) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("cuda::embedding_backward", 0), 0u) << e.what();
  }
  cudaGraph_t graph = nullptr;
  (void)cudaStreamEndCapture(stream.get(), &graph);  // the capture was invalidated
  if (graph != nullptr) (void)cudaGraphDestroy(graph);
  (void)cudaGetLastError();
  EXPECT_TRUE(threw) << "the call waited inside a capture without an error";
  // The stream works again, and the call with it outside a capture.
  cuda::embedding_backward(s.ids.get(), kTokens, s.dout.get(), kVocab, kDim, s.dtable.get(), stream.get());
  DETNUM_TEST_CUDA(cudaStreamSynchronize(stream.get()));
}

}  // namespace
}  // namespace detnum
