// SPDX-License-Identifier: Apache-2.0
// The process's allocator settings and the call that gives freed memory back to the kernel.
// glibc keeps freed memory in its arenas (one per thread that allocated, up to 8 per core by
// default) and lowers its mmap threshold after every large free, so a burst of large mails
// leaves hundreds of MiB mapped long after the mails are gone (issue: resource bounds).
#pragma once

namespace sealpost::memory {

/// Call once at startup, before threads start. Fixes the mmap threshold (buffers of a message
/// are mapped on their own and unmapped when freed, instead of the threshold climbing to
/// 32 MiB and such buffers staying in an arena) and caps the arena count. Harmless (no-op)
/// under a sanitizer's allocator.
void configure_allocator() noexcept;

/// Returns free pages of every arena to the kernel (malloc_trim). Takes the arenas' locks for
/// a few milliseconds: call it off the event loop, when a burst is over.
void release_free_memory() noexcept;

}  // namespace sealpost::memory
