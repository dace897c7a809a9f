// SPDX-License-Identifier: Apache-2.0
// The global in-flight budget: how many bytes of mail the proxy holds at once, over all
// sessions. A DATA that does not fit is answered 452 4.3.1 (RFC 3463: insufficient system
// storage, temporary), so the client retries later instead of the host running out of memory.
//
// Accounting: at DATA the session reserves the size the client declared with SIZE= (RFC 1870)
// or, without one, kInitialReserve; as bytes arrive beyond the reservation it grows, and a
// growth that does not fit makes the message be read to its end, dropped and answered 452.
// After the end of DATA the lease holds the message's size until the final reply is sent.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace sealpost::proxy {

class InflightBudget : public std::enable_shared_from_this<InflightBudget> {
  public:
    /// Without SIZE=, what a DATA reserves before its first bytes arrive.
    static constexpr std::uint64_t kInitialReserve = std::uint64_t{64} << 10;

    /// `on_idle` runs (on the thread that released the last byte) whenever the budget falls to
    /// zero after at least `trim_after` bytes were held since the last time: the moment to
    /// give the freed buffers back to the kernel.
    InflightBudget(std::uint64_t limit, std::uint64_t trim_after, std::function<void()> on_idle);

    /// Bytes held by one message; returned when it is destroyed.
    class Lease {
      public:
        Lease() = default;
        Lease(Lease&& o) noexcept;
        Lease& operator=(Lease&& o) noexcept;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease();
        /// Holds `n` bytes instead; false (nothing changed) if growing does not fit.
        bool resize(std::uint64_t n);
        [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }

      private:
        friend class InflightBudget;
        Lease(std::shared_ptr<InflightBudget> b, std::uint64_t n) : b_(std::move(b)), bytes_(n) {}
        void release() noexcept;
        std::shared_ptr<InflightBudget> b_;
        std::uint64_t bytes_ = 0;
    };

    /// A lease of `n` bytes, or nullopt when it does not fit.
    std::optional<Lease> try_reserve(std::uint64_t n);

    [[nodiscard]] std::uint64_t in_use() const noexcept { return used_.load(); }
    [[nodiscard]] std::uint64_t limit() const noexcept { return limit_; }

  private:
    bool take(std::uint64_t n) noexcept;
    void give(std::uint64_t n) noexcept;

    const std::uint64_t limit_;
    const std::uint64_t trim_after_;
    std::function<void()> on_idle_;
    std::atomic<std::uint64_t> used_{0};
    std::atomic<std::uint64_t> since_trim_{0};  ///< bytes taken since on_idle last ran
};

}  // namespace sealpost::proxy
