// SPDX-License-Identifier: Apache-2.0
// glibc allocator tuning (mallopt) and trimming (malloc_trim); see core_memory.hpp.
#include "core/core_memory.hpp"

#include <malloc.h>

namespace sealpost::memory {

namespace {
/// Blocks from this size up are mmapped on their own. Setting it also turns off glibc's dynamic
/// threshold, which otherwise rises to the largest block freed (up to 32 MiB): a message buffer
/// would then come from an arena and stay there after it is freed. 1 MiB keeps the buffers of
/// the 1 KB and 200 KB mails of bench/relay in the arenas (no mmap and page faults per mail).
constexpr int kMmapThreshold = 1 << 20;
/// Arenas: the event loop, the sealing pool (up to 16 threads) and the notice loop allocate.
/// Each arena keeps its own free memory, so fewer arenas hold less after a burst; four keep
/// the sealing threads from waiting for each other's malloc (bench/relay sealed row unchanged).
constexpr int kArenaMax = 8;
}  // namespace

void configure_allocator() noexcept {
    // Not thread safe, hence "before threads start" in the contract.
    (void)mallopt(M_MMAP_THRESHOLD, kMmapThreshold);  // NOLINT(concurrency-mt-unsafe)
    (void)mallopt(M_ARENA_MAX, kArenaMax);            // NOLINT(concurrency-mt-unsafe)
}

void release_free_memory() noexcept {
    (void)malloc_trim(0);
}

}  // namespace sealpost::memory
