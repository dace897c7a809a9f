// SPDX-License-Identifier: Apache-2.0
// How both daemons answer signals: SIGTERM and SIGINT stop (once), SIGHUP reloads and the
// daemon keeps waiting for the next one (systemctl reload, certbot's deploy hook).
#pragma once

#include <functional>
#include <string_view>

#include <boost/asio/signal_set.hpp>

namespace sealpost {

/** Adds SIGTERM, SIGINT and SIGHUP to `signals` and waits on it: each SIGHUP calls `reload`
 * and waits again; SIGTERM or SIGINT logs `event=EVENT signal=TERM|INT` and calls `stop`,
 * after which no more signals are handled. Both run on `signals`' executor. `signals` must
 * outlive the wait (cancel it to end the wait early). */
void watch_signals(boost::asio::signal_set& signals, std::string_view event,
                   std::function<void()> reload, std::function<void()> stop);

}  // namespace sealpost
