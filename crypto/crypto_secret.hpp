// SPDX-License-Identifier: Apache-2.0
// Secrets in memory: wiping (OPENSSL_cleanse, which the compiler may not optimise away), an
// allocator that wipes before it frees, and the byte and string types built on it. Every buffer
// that holds a key, a token, a password or decrypted personal data is one of these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sealpost::crypto {

/// Overwrites `n` bytes at `p` with zeros in a way the optimiser keeps. Null or empty is a no-op.
void secure_wipe(void* p, std::size_t n) noexcept;

/// Wipes the bytes of an ordinary string and clears it (for buffers that briefly held a secret:
/// a command line with an AUTH payload, a mail text with a link token).
void wipe(std::string& s) noexcept;

/// Allocator that wipes memory (secure_wipe) before freeing it.
template <class T>
struct WipingAllocator {
    using value_type = T;
    WipingAllocator() noexcept = default;
    template <class U>
    WipingAllocator(const WipingAllocator<U>& /*other*/) noexcept {
    }  // NOLINT(google-explicit-constructor)
    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept {
        secure_wipe(p, n * sizeof(T));
        std::allocator<T>{}.deallocate(p, n);
    }
    template <class U>
    bool operator==(const WipingAllocator<U>& /*other*/) const noexcept {
        return true;
    }
};

/// Bytes that are wiped when freed: keys, tokens, decrypted data.
using SecretBytes = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;
/// A string that is wiped when freed: link tokens, codes.
using SecretString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

/// A std::string for passwords and AUTH payloads: wiped on destruction, on clear() and when
/// moved from. Move-only. Never log one.
class Secret {
  public:
    Secret() = default;
    explicit Secret(std::string s) : s_(std::move(s)) {}
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;
    Secret(Secret&& o) noexcept : s_(std::move(o.s_)) { o.clear(); }
    Secret& operator=(Secret&& o) noexcept;
    ~Secret() { clear(); }

    void clear() noexcept { wipe(s_); }
    [[nodiscard]] std::string_view view() const noexcept { return s_; }
    [[nodiscard]] bool empty() const noexcept { return s_.empty(); }
    std::string& str() noexcept { return s_; }

  private:
    std::string s_;
};

}  // namespace sealpost::crypto
