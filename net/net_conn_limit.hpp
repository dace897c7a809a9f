// SPDX-License-Identifier: Apache-2.0
// Per-address connection caps shared by the listeners (the portal and the proxy): who
// may open one more connection, counted per client address, IPv6 per /64 (one subscriber's
// prefix, RFC 6177), with a total cap and a reserve that an address already connected cannot
// use. Postfix's anvil(8) and postscreen(8) are the model: a cap per client, not per server,
// so one address flooding the listener does not starve everyone else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sealpost {

/** The key a client address is counted under: an IPv4 address (also when written as an
 * IPv4-mapped IPv6 address) by itself, an IPv6 address by its /64 prefix. A zone id
 * ("%eth0") is ignored. Something that is not an IP literal is its own key. Binary, not for
 * logs. */
std::string conn_address_key(std::string_view ip);

/** Counts open connections per address key and in total. Thread-safe: accept loops and the
 * threads that end connections may differ. A Slot held for the connection's life releases
 * its count when destroyed; slots may outlive the limiter. */
class ConnLimiter {
  public:
    struct Limits {
        std::size_t total = 1000;      ///< connections at once, all addresses
        std::size_t per_address = 32;  ///< from one address key (IPv6: one /64)
        std::size_t reserved = 0;      ///< of `total`: the last ones go only to privileged
                                       ///< connections and addresses that hold none yet
    };

    enum class Verdict : std::uint8_t {
        accepted,
        address_full,  ///< the address holds per_address (or wanted the reserve)
        total_full,    ///< `total` connections are open
    };

    /// A connection's place; releases it when destroyed. Movable, empty when refused.
    class Slot {
      public:
        Slot() = default;
        Slot(Slot&& o) noexcept = default;
        Slot& operator=(Slot&& o) noexcept;
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        ~Slot();
        [[nodiscard]] explicit operator bool() const noexcept { return state_ != nullptr; }
        [[nodiscard]] Verdict verdict() const noexcept { return verdict_; }

      private:
        friend class ConnLimiter;
        struct State;
        std::shared_ptr<State> state_;
        std::string key_;
        bool counted_per_address_ = false;
        Verdict verdict_ = Verdict::accepted;
        void release() noexcept;
    };

    explicit ConnLimiter(Limits limits);

    /** A slot for one more connection from `ip`, or an empty Slot whose verdict says why.
     * `privileged` connections (a trusted network, the configured reverse proxy) are not
     * counted per address and may use the reserve; they still count towards `total`. */
    [[nodiscard]] Slot try_acquire(std::string_view ip, bool privileged = false);

    /// Connections open now.
    [[nodiscard]] std::size_t open() const;
    /// Connections open now from `ip`'s address key.
    [[nodiscard]] std::size_t open_from(std::string_view ip) const;
    /** True when more than three quarters of `total` are open: callers shorten their
     * timeouts then, as Postfix's postscreen does under stress. */
    [[nodiscard]] bool under_pressure() const;

    [[nodiscard]] const Limits& limits() const noexcept { return limits_; }

  private:
    Limits limits_;
    std::shared_ptr<Slot::State> state_;
};

}  // namespace sealpost
