#include "cuda/launch.hpp"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "common/validate.hpp"
#include "cuda/check.hpp"

namespace detnum::detail {

void check_launch(std::string_view fn, cuda::LaunchConfig launch, std::string_view name) {
  if (launch.block_threads < kWarpThreads || launch.block_threads > 1024 || launch.block_threads % kWarpThreads != 0)
    fail(ErrorCode::invalid_argument, fn,
         std::string(name) + ".block_threads must be a multiple of 32 in [32, 1024], got " +
             std::to_string(launch.block_threads));
  if (launch.grid_blocks < 0)
    fail(ErrorCode::invalid_argument, fn,
         std::string(name) + ".grid_blocks must be 0 (fill the device) or positive, got " +
             std::to_string(launch.grid_blocks));
}

void check_gemm_config(std::string_view fn, cuda::GemmConfig config, std::string_view name) {
  using cuda::GemmTile;
  if (config.tile != GemmTile::automatic && config.tile != GemmTile::m128n128 && config.tile != GemmTile::m64n64)
    fail(ErrorCode::invalid_argument, fn,
         std::string(name) + ".tile must be GemmTile::automatic, m128n128 or m64n64, got " +
             std::to_string(static_cast<int>(config.tile)));
  if (config.split_k < 0)
    fail(ErrorCode::invalid_argument, fn,
         std::string(name) + ".split_k must be >= 0 (0: automatic), got " + std::to_string(config.split_k));
}

int resident_blocks(std::string_view fn, const void* kernel, int block_threads) {
  int device = 0;
  DETNUM_CUDA_CHECK(fn, cudaGetDevice(&device));
  using Key = std::tuple<int, const void*, int>;
  static std::mutex mutex;
  static std::map<Key, int> cache;
  const Key key{device, kernel, block_threads};
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (const auto it = cache.find(key); it != cache.end()) return it->second;
  }
  int sms = 0, per_sm = 0;
  DETNUM_CUDA_CHECK(fn, cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  DETNUM_CUDA_CHECK(fn, cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, block_threads, 0));
  const int resident = std::max(1, sms) * std::max(1, per_sm);
  const std::lock_guard<std::mutex> lock(mutex);
  cache.emplace(key, resident);
  return resident;
}

int grid_of(std::string_view fn, const void* kernel, int threads, std::int64_t work, cuda::LaunchConfig launch) {
  if (launch.grid_blocks > 0) return launch.grid_blocks;
  const std::int64_t resident = resident_blocks(fn, kernel, threads);
  return static_cast<int>(std::max<std::int64_t>(1, std::min(resident, work)));
}

}  // namespace detnum::detail
