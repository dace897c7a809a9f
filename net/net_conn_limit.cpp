// SPDX-License-Identifier: Apache-2.0
// Per-address connection counting (net_conn_limit.hpp): one mutex-guarded map from address key
// to count, shared with the slots so a slot released after its limiter is gone stays safe.
#include "net/net_conn_limit.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace sealpost {

struct ConnLimiter::Slot::State {
    mutable std::mutex m;
    std::unordered_map<std::string, std::size_t> per_key;
    std::size_t open = 0;
};

std::string conn_address_key(std::string_view ip) {
    std::string text(ip.substr(0, ip.find('%')));
    if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
        text = text.substr(1, text.size() - 2);
    }
    std::array<unsigned char, 16> raw{};
    if (inet_pton(AF_INET, text.c_str(), raw.data()) == 1) {
        return std::string("4") + std::string(reinterpret_cast<const char*>(raw.data()), 4);
    }
    if (inet_pton(AF_INET6, text.c_str(), raw.data()) == 1) {
        static constexpr std::array<unsigned char, 12> kMapped = {0, 0, 0, 0, 0,    0,
                                                                  0, 0, 0, 0, 0xff, 0xff};
        if (std::memcmp(raw.data(), kMapped.data(), kMapped.size()) == 0) {
            return std::string("4") +
                   std::string(reinterpret_cast<const char*>(raw.data()) + 12, 4);
        }
        // One /64 is what a provider gives one subscriber (RFC 6177): counting whole
        // addresses would let one host open 2^64 "clients".
        return std::string("6") + std::string(reinterpret_cast<const char*>(raw.data()), 8);
    }
    return "?" + text;
}

ConnLimiter::ConnLimiter(Limits limits)
    : limits_(limits), state_(std::make_shared<Slot::State>()) {}

ConnLimiter::Slot ConnLimiter::try_acquire(std::string_view ip, bool privileged) {
    Slot s;
    std::string key = privileged ? std::string{} : conn_address_key(ip);
    const std::scoped_lock lock(state_->m);
    if (state_->open >= limits_.total) {
        s.verdict_ = Verdict::total_full;
        return s;
    }
    if (!privileged) {
        auto it = state_->per_key.find(key);
        const std::size_t held = it == state_->per_key.end() ? 0 : it->second;
        const bool in_reserve = state_->open + limits_.reserved >= limits_.total;
        if (held >= limits_.per_address || (in_reserve && held > 0)) {
            s.verdict_ = Verdict::address_full;
            return s;
        }
        if (it == state_->per_key.end()) {
            it = state_->per_key.emplace(key, 0).first;
        }
        ++it->second;
        s.key_ = std::move(key);
        s.counted_per_address_ = true;
    }
    ++state_->open;
    s.state_ = state_;
    return s;
}

std::size_t ConnLimiter::open() const {
    const std::scoped_lock lock(state_->m);
    return state_->open;
}

std::size_t ConnLimiter::open_from(std::string_view ip) const {
    const std::string key = conn_address_key(ip);
    const std::scoped_lock lock(state_->m);
    const auto it = state_->per_key.find(key);
    return it == state_->per_key.end() ? 0 : it->second;
}

bool ConnLimiter::under_pressure() const {
    const std::scoped_lock lock(state_->m);
    return state_->open * 4 > limits_.total * 3;
}

void ConnLimiter::Slot::release() noexcept {
    if (!state_) {
        return;
    }
    {
        const std::scoped_lock lock(state_->m);
        --state_->open;
        if (counted_per_address_) {
            auto it = state_->per_key.find(key_);
            if (it != state_->per_key.end() && --it->second == 0) {
                state_->per_key.erase(it);  // the map holds only addresses connected now
            }
        }
    }
    state_.reset();
}

ConnLimiter::Slot& ConnLimiter::Slot::operator=(Slot&& o) noexcept {
    if (this != &o) {
        release();
        state_ = std::move(o.state_);
        key_ = std::move(o.key_);
        counted_per_address_ = o.counted_per_address_;
        verdict_ = o.verdict_;
    }
    return *this;
}

ConnLimiter::Slot::~Slot() {
    release();
}

}  // namespace sealpost
