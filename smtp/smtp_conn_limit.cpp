// ConnLimit: per-address (IPv6: per /64) counts of open connections.
#include "smtp/smtp_conn_limit.hpp"

#include <algorithm>

namespace sealpost::smtp {

ConnLimit::Key ConnLimit::key_of(const boost::asio::ip::address& a) noexcept {
    Key k{};
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
        const auto v4 = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
        const auto b = v4.to_bytes();
        k[0] = 4;
        std::copy(b.begin(), b.end(), k.begin() + 1);
    } else if (a.is_v6()) {
        const auto b = a.to_v6().to_bytes();
        k[0] = 6;
        std::copy(b.begin(), b.begin() + 8, k.begin() + 1);  // the /64
    } else {
        const auto b = a.to_v4().to_bytes();
        k[0] = 4;
        std::copy(b.begin(), b.end(), k.begin() + 1);
    }
    return k;
}

std::shared_ptr<ConnLimit> ConnLimit::make(std::size_t per_address) {
    return std::shared_ptr<ConnLimit>(new ConnLimit(std::max<std::size_t>(per_address, 1)));
}

std::optional<ConnLimit::Slot> ConnLimit::try_acquire(const boost::asio::ip::address& a) {
    const Key k = key_of(a);
    {
        const std::lock_guard lock(mu_);
        std::size_t& n = open_[k];
        if (n >= per_address_) {
            return std::nullopt;
        }
        ++n;
    }
    return Slot(shared_from_this(), k);
}

std::size_t ConnLimit::count(const boost::asio::ip::address& a) const {
    const std::lock_guard lock(mu_);
    const auto it = open_.find(key_of(a));
    return it == open_.end() ? 0 : it->second;
}

void ConnLimit::release(const Key& k) noexcept {
    const std::lock_guard lock(mu_);
    const auto it = open_.find(k);
    if (it != open_.end() && --it->second == 0) {
        open_.erase(it);
    }
}

ConnLimit::Slot& ConnLimit::Slot::operator=(Slot&& o) noexcept {
    if (this != &o) {
        if (l_) {
            l_->release(key_);
        }
        l_ = std::move(o.l_);
        key_ = o.key_;
    }
    return *this;
}

ConnLimit::Slot::~Slot() {
    if (l_) {
        l_->release(key_);
    }
}

}  // namespace sealpost::smtp
