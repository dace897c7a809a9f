// SPDX-License-Identifier: Apache-2.0
// SealGate: a FIFO semaphore for coroutines on one event loop; a waiter sleeps on a timer that
// release() cancels.
#include "proxy/proxy_seal_gate.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sealpost::proxy {

namespace asio = boost::asio;

asio::awaitable<SealGate::Permit> SealGate::acquire() {
    if (free_ > 0 && waiters_.empty()) {
        --free_;
        co_return Permit(shared_from_this());
    }
    auto timer = std::make_shared<asio::steady_timer>(ex_, asio::steady_timer::time_point::max());
    waiters_.push_back(timer);
    boost::system::error_code ec;
    co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    // Woken by release(), which handed its permit over (free_ unchanged).
    co_return Permit(shared_from_this());
}

void SealGate::release() {
    while (!waiters_.empty()) {
        auto next = std::move(waiters_.front());
        waiters_.pop_front();
        if (next.use_count() > 1) {  // else its coroutine is gone (the event loop stopped)
            next->cancel();          // the permit passes to the first waiter
            return;
        }
    }
    ++free_;
}

SealGate::Permit& SealGate::Permit::operator=(Permit&& o) noexcept {
    if (this != &o) {
        if (g_) {
            g_->release();
        }
        g_ = std::move(o.g_);
    }
    return *this;
}

SealGate::Permit::~Permit() {
    if (g_) {
        g_->release();
    }
}

}  // namespace sealpost::proxy
