// Per-address connection caps (issue: resource bounds; the idea of Postfix's anvil and its
// smtpd_client_connection_count_limit): at most N open connections per client address, where
// an IPv6 client counts per /64 (one subscriber's LAN, RFC 6177, has a /64 or more, so
// counting per /128 would give one host 2^64 slots). IPv4-mapped IPv6 counts as its IPv4.
// Standalone on purpose: a listener asks try_acquire() at accept and keeps the Slot for as long
// as the connection lives.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include <boost/asio/ip/address.hpp>

namespace sealpost::smtp {

class ConnLimit : public std::enable_shared_from_this<ConnLimit> {
  public:
    /// The key an address counts under: 4 bytes of IPv4, or the first 8 bytes of IPv6.
    using Key = std::array<unsigned char, 9>;  ///< [0] = 4 or 6, then the address bytes
    static Key key_of(const boost::asio::ip::address& a) noexcept;

    /// One connection counted; uncounted when destroyed.
    class Slot {
      public:
        Slot(Slot&& o) noexcept = default;
        Slot& operator=(Slot&& o) noexcept;
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        ~Slot();

      private:
        friend class ConnLimit;
        Slot(std::shared_ptr<ConnLimit> l, Key k) : l_(std::move(l)), key_(k) {}
        std::shared_ptr<ConnLimit> l_;
        Key key_{};
    };

    /// `per_address`: the most connections one address (IPv6: one /64) may hold, >= 1.
    static std::shared_ptr<ConnLimit> make(std::size_t per_address);

    /// A slot for a new connection from `a`, or nullopt when `a` already holds per_address.
    std::optional<Slot> try_acquire(const boost::asio::ip::address& a);
    /// Open connections counted for `a` (for logs and tests).
    [[nodiscard]] std::size_t count(const boost::asio::ip::address& a) const;
    [[nodiscard]] std::size_t per_address() const noexcept { return per_address_; }

  private:
    explicit ConnLimit(std::size_t per_address) : per_address_(per_address) {}
    void release(const Key& k) noexcept;

    const std::size_t per_address_;
    mutable std::mutex mu_;
    std::map<Key, std::size_t> open_;  ///< only addresses with open connections
};

}  // namespace sealpost::smtp
