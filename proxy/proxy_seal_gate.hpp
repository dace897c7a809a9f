// SPDX-License-Identifier: Apache-2.0
// How many large messages are sealed at once. Sealing holds, besides the message, its decoded
// attachments and the vault's copy of their ciphertext until the commit (about 1.5 times the
// message again), so twelve 25 MB mails sealed side by side would need 2.5 times their size.
// Large messages wait here (holding only their own bytes) for one of a few permits; small ones
// never wait. Event loop thread only (the sessions' coroutines).
#pragma once

#include <cstddef>
#include <deque>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace sealpost::proxy {

class SealGate : public std::enable_shared_from_this<SealGate> {
  public:
    /// Messages from this size up are large.
    static constexpr std::size_t kLarge = std::size_t{1} << 20;

    /// `ex`: the event loop the sessions run on.
    SealGate(boost::asio::any_io_executor ex, std::size_t permits)
        : ex_(std::move(ex)), free_(permits) {}

    /// A permit, returned when destroyed.
    class Permit {
      public:
        Permit() = default;
        Permit(Permit&& o) noexcept : g_(std::move(o.g_)) {}
        Permit& operator=(Permit&& o) noexcept;
        Permit(const Permit&) = delete;
        Permit& operator=(const Permit&) = delete;
        ~Permit();

      private:
        friend class SealGate;
        explicit Permit(std::shared_ptr<SealGate> g) : g_(std::move(g)) {}
        std::shared_ptr<SealGate> g_;
    };

    /// Waits (without blocking the event loop) until a permit is free.
    boost::asio::awaitable<Permit> acquire();

  private:
    void release();

    boost::asio::any_io_executor ex_;
    std::size_t free_;
    std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters_;
};

}  // namespace sealpost::proxy
