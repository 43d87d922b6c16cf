#include <cstdlib>
#include <thread>

#include "detnum/threads.hpp"

namespace detnum {

int default_threads() {
  if (const char* env = std::getenv("DETNUM_NUM_THREADS")) {
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v > 0 && v <= 1024) return static_cast<int>(v);
  }
  const unsigned hw = std::thread::hardware_concurrency();  // at most 1024, as options.threads
  return hw == 0 ? 1 : hw > 1024 ? 1024 : static_cast<int>(hw);
}

}  // namespace detnum
