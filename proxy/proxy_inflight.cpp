// SPDX-License-Identifier: Apache-2.0
// InflightBudget: a lock-free counter of bytes held, with leases that give them back.
#include "proxy/proxy_inflight.hpp"

#include <utility>

namespace sealpost::proxy {

InflightBudget::InflightBudget(std::uint64_t limit, std::uint64_t trim_after,
                               std::function<void()> on_idle)
    : limit_(limit), trim_after_(trim_after), on_idle_(std::move(on_idle)) {}

bool InflightBudget::take(std::uint64_t n) noexcept {
    std::uint64_t cur = used_.load();
    do {
        if (n > limit_ || cur > limit_ - n) {
            return false;
        }
    } while (!used_.compare_exchange_weak(cur, cur + n));
    since_trim_ += n;
    return true;
}

void InflightBudget::give(std::uint64_t n) noexcept {
    if (n == 0) {
        return;
    }
    const std::uint64_t before = used_.fetch_sub(n);
    if (before == n && on_idle_ && since_trim_.load() >= trim_after_) {
        since_trim_ = 0;
        on_idle_();
    }
}

std::optional<InflightBudget::Lease> InflightBudget::try_reserve(std::uint64_t n) {
    if (!take(n)) {
        return std::nullopt;
    }
    return Lease(shared_from_this(), n);
}

InflightBudget::Lease::Lease(Lease&& o) noexcept
    : b_(std::move(o.b_)), bytes_(std::exchange(o.bytes_, 0)) {}

InflightBudget::Lease& InflightBudget::Lease::operator=(Lease&& o) noexcept {
    if (this != &o) {
        release();
        b_ = std::move(o.b_);
        bytes_ = std::exchange(o.bytes_, 0);
    }
    return *this;
}

InflightBudget::Lease::~Lease() {
    release();
}

void InflightBudget::Lease::release() noexcept {
    if (b_) {
        b_->give(bytes_);
    }
    bytes_ = 0;
    b_.reset();
}

bool InflightBudget::Lease::resize(std::uint64_t n) {
    if (!b_) {
        return false;
    }
    if (n > bytes_) {
        if (!b_->take(n - bytes_)) {
            return false;
        }
    } else {
        b_->give(bytes_ - n);
    }
    bytes_ = n;
    return true;
}

}  // namespace sealpost::proxy
