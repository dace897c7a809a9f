// SPDX-License-Identifier: Apache-2.0
// The daemons' signal loop (net_signals.hpp).
#include "net/net_signals.hpp"

#include <csignal>
#include <memory>
#include <string>

#include "core/core_log.hpp"

namespace sealpost {

namespace {

struct Watch {
    boost::asio::signal_set& signals;
    std::string event;
    std::function<void()> reload;
    std::function<void()> stop;
};

void wait(const std::shared_ptr<Watch>& w) {
    w->signals.async_wait([w](const boost::system::error_code& ec, int sig) {
        if (ec) {
            return;
        }
        if (sig == SIGHUP) {
            w->reload();
            wait(w);
            return;
        }
        log::info(w->event).kv("signal", sig == SIGTERM ? "TERM" : "INT");
        w->stop();
    });
}

}  // namespace

void watch_signals(boost::asio::signal_set& signals, std::string_view event,
                   std::function<void()> reload, std::function<void()> stop) {
    signals.add(SIGTERM);
    signals.add(SIGINT);
    signals.add(SIGHUP);
    wait(std::make_shared<Watch>(
        Watch{signals, std::string(event), std::move(reload), std::move(stop)}));
}

}  // namespace sealpost
