// Embedding lookup and gradient on CUDA: the CPU reference's bits for every shape (a segment of
// more than one chunk included) and several block sizes and grids, with the caller's workspace
// and with stream-ordered memory; a bad id is the CPU's error.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "detnum/cuda/embedding.hpp"
#include "detnum/embedding.hpp"
#include "embedding_cases.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"
#include "support/gpu.hpp"

namespace detnum::test {
namespace {

// Grids of 3, 5 and 6 blocks (with few claims of zeros, at most two warps a block zero from the
// start), blocks of 3 to 32 warps: each of the long-id kernel's four builds (4, 8, 16, 32 warps).
constexpr cuda::LaunchConfig kLaunches[] = {{128, 0}, {256, 3}, {96, 6}, {512, 5}, {1024, 0}};

TEST(EmbeddingGpu, ForwardSameAsTheCpu) {
  DETNUM_REQUIRE_GPU();
  for (const EmbeddingShape& s : kEmbeddingShapes) {
    const EmbeddingInputs in(s);
    std::vector<float> want(static_cast<std::size_t>(s.n * s.dim));
    ref::embedding_forward(in.table.data(), s.vocab, s.dim, in.ids.data(), s.n, want.data());
    const auto table = to_device(in.table);
    const auto ids = to_device(in.ids);
    DeviceBuffer<float> out(want.size());
    cuda::embedding_forward(table.get(), s.vocab, s.dim, ids.get(), s.n, out.get());
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_TRUE(same_bits(want, to_host(out))) << s.label();
  }
}

TEST(EmbeddingGpu, BackwardSameAsTheCpu) {
  DETNUM_REQUIRE_GPU();
  for (const EmbeddingShape& s : kEmbeddingShapes)
    for (const cuda::LaunchConfig launch : kLaunches)
      for (const bool own_workspace : {true, false}) {
        // NaNs, infinities and huge values in dout with the caller's workspace; ordinary numbers
        // (so that every rounding shows) with stream-ordered memory.
        const bool specials = own_workspace;
        const EmbeddingInputs in(s, specials);
        std::vector<float> want(static_cast<std::size_t>(s.vocab * s.dim));
        ref::embedding_backward(in.ids.data(), s.n, in.dout.data(), s.vocab, s.dim, want.data());
        const auto ids = to_device(in.ids);
        const auto dout = to_device(in.dout);
        // Sentinels in the table and the workspace: every row must be written (the zeros of the
        // ids that do not occur included), and no byte of the workspace may be assumed zero.
        DeviceBuffer<float> dtable(want.size());
        if (!want.empty()) ASSERT_EQ(cudaMemset(dtable.get(), kSentinel, want.size() * sizeof(float)), cudaSuccess);
        const std::size_t bytes = cuda::embedding_backward_workspace_bytes(s.n, s.vocab);
        DeviceBuffer<unsigned char> ws(own_workspace ? bytes : 0);
        if (own_workspace) ASSERT_EQ(cudaMemset(ws.get(), kSentinel, bytes), cudaSuccess);
        const cuda::Workspace w = own_workspace ? cuda::Workspace{ws.get(), bytes} : cuda::Workspace{};
        cuda::embedding_backward(ids.get(), s.n, dout.get(), s.vocab, s.dim, dtable.get(), nullptr, w, launch);
        ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
        EXPECT_TRUE(same_bits(want, to_host(dtable)))
            << s.label() << ", block " << launch.block_threads << ", grid " << launch.grid_blocks
            << (own_workspace ? ", caller's workspace, special values" : ", stream-ordered workspace");
      }
}

void expect_table_and_nothing_around(const EmbeddingShape& s) {
  const EmbeddingInputs in(s);
  std::vector<float> want(static_cast<std::size_t>(s.vocab * s.dim));
  ref::embedding_backward(in.ids.data(), s.n, in.dout.data(), s.vocab, s.dim, want.data());
  const auto ids = to_device(in.ids);
  const auto dout = to_device(in.dout);
  const std::size_t table_bytes = want.size() * sizeof(float);
  for (const std::size_t offset : {kGuardBytes, kGuardBytes + sizeof(float)}) {
    DeviceBuffer<unsigned char> buffer(offset + table_bytes + kGuardBytes);
    ASSERT_EQ(cudaMemset(buffer.get(), kSentinel, buffer.size()), cudaSuccess);
    auto* dtable = reinterpret_cast<float*>(buffer.get() + offset);
    cuda::embedding_backward(ids.get(), s.n, dout.get(), s.vocab, s.dim, dtable);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    std::vector<float> got(want.size());
    ASSERT_EQ(cudaMemcpy(got.data(), dtable, table_bytes, cudaMemcpyDeviceToHost), cudaSuccess);
    EXPECT_TRUE(same_bits(want, got)) << s.label() << ", table at byte " << offset;
    EXPECT_EQ(untouched(buffer.get(), 0, offset), "") << s.label() << ", table at byte " << offset;
    EXPECT_EQ(untouched(buffer.get(), offset + table_bytes, buffer.size()), "")
        << s.label() << ", table at byte " << offset;
  }
}

// Every byte of the table and none around it, with the table 16-byte aligned and not (the zeros'
// float4 stores need the first); ids ordered by counting, and by the sort with the table's last
// row written by the long-id kernel.
TEST(EmbeddingGpu, BackwardWritesTheTableAndNothingAround) {
  DETNUM_REQUIRE_GPU();
  for (const EmbeddingShape& s : {EmbeddingShape{50257, 8, 8191}, EmbeddingShape{3, 12, 16402, {17, 8192, 8193}}})
    expect_table_and_nothing_around(s);
}

// The first bad row is named, whichever way the rows are ordered (counting up to 8192 rows, a
// radix sort beyond), with the most negative and the largest ids among them; nothing is written.
TEST(EmbeddingGpu, BadIdIsTheCpusErrorAndWritesNothing) {
  DETNUM_REQUIRE_GPU();
  struct Case {
    std::vector<std::int32_t> ids;
    std::string message;
  };
  std::vector<std::int32_t> many(9000, 1);  // the sort's path
  many[8500] = 4;
  many[8999] = -5;
  // Bad ids that the sort's low bits take for a valid one (4 is 0 in two bits): they split 0's run.
  std::vector<std::int32_t> aliasing(16384, 0);
  for (std::size_t r = 1; r < aliasing.size(); r += 2) aliasing[r] = 4;
  std::vector<std::int32_t> extremes(100, 2);
  extremes[70] = INT32_MIN;
  extremes[31] = INT32_MAX;
  const Case cases[] = {{{0, 3, -1, 9}, "ids[2] must be in [0, vocab = 4), got -1"},
                        {many, "ids[8500] must be in [0, vocab = 4), got 4"},
                        {aliasing, "ids[1] must be in [0, vocab = 4), got 4"},
                        {extremes, "ids[31] must be in [0, vocab = 4), got 2147483647"}};
  for (const Case& c : cases) {
    const auto n = static_cast<std::int64_t>(c.ids.size());
    const auto ids = to_device(c.ids);
    const auto dout = to_device(std::vector<float>(static_cast<std::size_t>(n * 2), 1.0f));
    DeviceBuffer<unsigned char> dtable(8 * sizeof(float));
    ASSERT_EQ(cudaMemset(dtable.get(), kSentinel, dtable.size()), cudaSuccess);
    auto* table = reinterpret_cast<float*>(dtable.get());
    expect_error([&] { cuda::embedding_backward(ids.get(), n, dout.get(), 4, 2, table); },
                 ErrorCode::invalid_argument, c.message);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_EQ(untouched(dtable.get(), 0, dtable.size()), "") << c.message;
    DeviceBuffer<unsigned char> out(static_cast<std::size_t>(n * 2) * sizeof(float));
    ASSERT_EQ(cudaMemset(out.get(), kSentinel, out.size()), cudaSuccess);
    expect_error([&] { cuda::embedding_forward(dout.get(), 4, 2, ids.get(), n, reinterpret_cast<float*>(out.get())); },
                 ErrorCode::invalid_argument, c.message);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_EQ(untouched(out.get(), 0, out.size()), "") << c.message;
    // Nothing to write (dim 0): the ids are still checked.
    expect_error([&] { cuda::embedding_backward(ids.get(), n, dout.get(), 4, 0, table); },
                 ErrorCode::invalid_argument, c.message);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  }
}

// With an IdCheck the calls do not wait. Good ids: the same bits, and nothing to report. A bad
// id: the call throws nothing and writes nothing; the check keeps the first bad call's error
// (a later good call with the same check still writes; a later bad one is not reported over
// it) until throw_if_bad() throws it, which clears the check.
TEST(EmbeddingGpu, IdCheckDefersTheError) {
  DETNUM_REQUIRE_GPU();
  cuda::IdCheck check;
  // (The counting path, the sort's path, and ids of 17, 8192 and 8193 rows: every kernel that writes.)
  for (const EmbeddingShape& s : {EmbeddingShape{50257, 8, 8191}, EmbeddingShape{20, 37, 12000},
                                  EmbeddingShape{3, 12, 17 + 8192 + 8193, {17, 8192, 8193}}}) {
    const EmbeddingInputs in(s);
    std::vector<float> want(static_cast<std::size_t>(s.vocab * s.dim));
    ref::embedding_backward(in.ids.data(), s.n, in.dout.data(), s.vocab, s.dim, want.data());
    const auto ids = to_device(in.ids);
    const auto dout = to_device(in.dout);
    DeviceBuffer<float> dtable(want.size());
    cuda::embedding_backward(ids.get(), s.n, dout.get(), s.vocab, s.dim, dtable.get(), check);
    check.throw_if_bad();
    EXPECT_TRUE(same_bits(want, to_host(dtable))) << s.label();
    std::vector<float> rows(static_cast<std::size_t>(s.n * s.dim));
    ref::embedding_forward(in.table.data(), s.vocab, s.dim, in.ids.data(), s.n, rows.data());
    const auto table = to_device(in.table);
    DeviceBuffer<float> out(rows.size());
    cuda::embedding_forward(table.get(), s.vocab, s.dim, ids.get(), s.n, out.get(), check);
    check.throw_if_bad();
    EXPECT_TRUE(same_bits(rows, to_host(out))) << s.label();
  }

  const auto bad_ids = to_device(std::vector<std::int32_t>{0, 3, -1, 9});
  std::vector<std::int32_t> many(9000, 1);  // the sort's path
  many[8999] = 7;
  const auto bad_many = to_device(many);
  const auto good_ids = to_device(std::vector<std::int32_t>{3, 1, 1, 0});
  const auto dout = to_device(std::vector<float>(9000 * 2, 1.0f));
  DeviceBuffer<unsigned char> first(8 * sizeof(float)), second(8 * sizeof(float)), looked_up(8 * sizeof(float));
  for (const auto* b : {&first, &second, &looked_up})
    ASSERT_EQ(cudaMemset(b->get(), kSentinel, b->size()), cudaSuccess);
  const auto as_floats = [](const DeviceBuffer<unsigned char>& b) { return reinterpret_cast<float*>(b.get()); };
  cuda::embedding_backward(bad_ids.get(), 4, dout.get(), 4, 2, as_floats(first), check);
  cuda::embedding_backward(good_ids.get(), 4, dout.get(), 4, 2, as_floats(second), check);
  cuda::embedding_backward(bad_many.get(), 9000, dout.get(), 4, 2, as_floats(second), check);  // not reported
  cuda::embedding_forward(dout.get(), 4, 2, bad_ids.get(), 4, as_floats(looked_up), check);
  expect_error([&] { check.throw_if_bad(); }, ErrorCode::invalid_argument,
               "cuda::embedding_backward: ids[2] must be in [0, vocab = 4), got -1");
  check.throw_if_bad();  // cleared
  EXPECT_EQ(untouched(first.get(), 0, first.size()), "");
  EXPECT_EQ(untouched(looked_up.get(), 0, looked_up.size()), "");
  std::vector<float> got(8);
  ASSERT_EQ(cudaMemcpy(got.data(), second.get(), 32, cudaMemcpyDeviceToHost), cudaSuccess);
  EXPECT_EQ(got, (std::vector<float>{1, 1, 2, 2, 0, 0, 1, 1}));  // the good call's sums; the bad one wrote nothing
  // The lookup's error, and the sort's path, each on a clear check.
  cuda::embedding_forward(dout.get(), 4, 2, bad_ids.get(), 4, as_floats(looked_up), check);
  expect_error([&] { check.throw_if_bad(); }, ErrorCode::invalid_argument,
               "cuda::embedding_forward: ids[2] must be in [0, vocab = 4), got -1");
  cuda::embedding_backward(bad_many.get(), 9000, dout.get(), 4, 2, as_floats(first), check);
  expect_error([&] { check.throw_if_bad(); }, ErrorCode::invalid_argument,
               "ids[8999] must be in [0, vocab = 4), got 7");
  EXPECT_EQ(untouched(first.get(), 0, first.size()), "");
  // Nothing to write (dim 0): the ids are still checked.
  cuda::embedding_backward(bad_ids.get(), 4, dout.get(), 4, 0, as_floats(first), check);
  expect_error([&] { check.throw_if_bad(); }, ErrorCode::invalid_argument, "ids[2] must be in [0, vocab = 4), got -1");
}

__global__ void spin_kernel(long long cycles) {
  const long long t0 = clock64();
  while (clock64() - t0 < cycles) {
  }
}

// On a non-blocking stream (not ordered with the legacy stream that the check's own memory
// operations would use): each bad call reported once and cleared; the calls do not wait for the
// stream; the lookup with nothing to write keeps its error too; a moved-from check is an error.
TEST(EmbeddingGpu, IdCheckOnANonBlockingStream) {
  DETNUM_REQUIRE_GPU();
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), cudaSuccess);
  cuda::IdCheck check;
  const auto bad_ids = to_device(std::vector<std::int32_t>{2, 0, 5, 1});
  const auto good_ids = to_device(std::vector<std::int32_t>{3, 1, 1, 0});
  const auto dout = to_device(std::vector<float>(8, 1.0f));
  DeviceBuffer<float> table(8), out(8);
  for (int round = 0; round < 3; ++round) {
    cuda::embedding_backward(bad_ids.get(), 4, dout.get(), 4, 2, table.get(), check, stream);
    expect_error([&] { check.throw_if_bad(); }, ErrorCode::invalid_argument,
                 "cuda::embedding_backward: ids[2] must be in [0, vocab = 4), got 5");
    cuda::embedding_forward(dout.get(), 4, 2, bad_ids.get(), 4, out.get(), check, stream);
    expect_error([&] { check.throw_if_bad(); }, ErrorCode::invalid_argument,
                 "cuda::embedding_forward: ids[2] must be in [0, vocab = 4), got 5");
    cuda::embedding_backward(good_ids.get(), 4, dout.get(), 4, 2, table.get(), check, stream);
    check.throw_if_bad();
  }
  cuda::embedding_forward(dout.get(), 4, 0, bad_ids.get(), 4, out.get(), check, stream);  // nothing to write
  expect_error([&] { check.throw_if_bad(); }, ErrorCode::invalid_argument, "ids[2] must be in [0, vocab = 4), got 5");

  spin_kernel<<<1, 1, 0, stream>>>(200'000'000);  // about 0.1 s
  cuda::embedding_backward(good_ids.get(), 4, dout.get(), 4, 2, table.get(), check, stream);
  EXPECT_EQ(cudaStreamQuery(stream), cudaErrorNotReady) << "the call waited for its stream";
  check.throw_if_bad();
  EXPECT_EQ(cudaStreamQuery(stream), cudaSuccess);

  cuda::IdCheck moved = std::move(check);
  expect_error([&] { cuda::embedding_backward(good_ids.get(), 4, dout.get(), 4, 2, table.get(), check, stream); },
               ErrorCode::invalid_argument, "check was moved from");
  cuda::embedding_backward(bad_ids.get(), 4, dout.get(), 4, 2, table.get(), moved, stream);
  expect_error([&] { moved.throw_if_bad(); }, ErrorCode::invalid_argument, "ids[2] must be in [0, vocab = 4), got 5");
  ASSERT_EQ(cudaStreamDestroy(stream), cudaSuccess);
}

}  // namespace
}  // namespace detnum::test
