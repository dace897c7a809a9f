// SPDX-License-Identifier: Apache-2.0
// Listeners, session bookkeeping, signals and graceful shutdown of sealpost-proxy.
#include "proxy/proxy_server.hpp"

#include <unistd.h>
#include <algorithm>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "core/core_log.hpp"
#include "core/core_memory.hpp"
#include "net/net_listen.hpp"
#include "net/net_signals.hpp"
#include "net/net_tls.hpp"
#include "proxy/proxy_reload.hpp"
#include "vault/vault_metrics.hpp"

namespace sealpost::proxy {

namespace {

std::string system_hostname() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') {
        return "localhost";
    }
    return buf;
}

/// Threads that seal and settle messages (see Server::Server).
constexpr std::size_t kSealThreads = 16;

/// Large messages (1 MiB and up) sealed at once. Sealing one holds its decoded documents and
/// the vault's dirty pages of their ciphertext (LMDB mallocs them until the commit) besides
/// the message, ~2.5x its size at the commit; a waiting one holds only itself. With 2, twelve
/// concurrent 24 MB mails peaked at 1.02x the bytes in flight (2.15x before this and the
/// copies removed; tests/integration/proxy/test_proxy_bounds.py). Small mails never wait.
constexpr std::size_t kLargeSeals = 2;

/// The allocator is trimmed when the in-flight budget falls to zero after at least this much
/// mail: after a burst of large mails, not after every small one (a trim walks every arena).
constexpr std::uint64_t kTrimAfter = std::uint64_t{16} << 20;

/// A trim once the budget has stayed empty this long: at the end of a burst, not in every
/// short gap between mails (each trim makes the next mails fault their pages in again; with a
/// trim at every empty moment bench/relay's sealed row looked slower, though within this
/// machine's noise).
constexpr std::chrono::seconds kTrimDelay{2};

/// Answers a connection that is not taken with `r` and closes it.
void turn_away(net::ip::tcp::socket sock, const smtp::Reply& r) {
    auto s = std::make_shared<net::ip::tcp::socket>(std::move(sock));
    auto text = std::make_shared<std::string>(r.serialize());
    net::async_write(*s, net::buffer(*text),
                     [s, text](const boost::system::error_code&, std::size_t) {
                         boost::system::error_code ignored;
                         s->shutdown(net::ip::tcp::socket::shutdown_both, ignored);
                         s->close(ignored);
                     });
}

bool needs_tls(ListenerKind k) {
    return k != ListenerKind::plain;
}

}  // namespace

void validate_proxy_config(const Config& cfg) {
    const auto& p = cfg.proxy;
    if (p.listeners.empty()) {
        throw std::runtime_error("proxy.listeners is empty");
    }
    for (const auto& l : p.listeners) {
        if (l.kind == ListenerKind::plain && !is_loopback_ip(l.address) &&
            !p.allow_plain_nonlocal) {
            throw std::runtime_error(
                "a plain listener on " + l.address +
                " is not loopback; set proxy.allow_plain_nonlocal to allow it");
        }
    }
    for (const auto& n : p.trusted_networks) {
        // A trusted network of everything would be an open relay (auth none from anywhere).
        if (n.prefix == 0) {
            throw std::runtime_error("proxy.trusted_networks contains " + n.to_string() +
                                     ", which would make an open relay");
        }
    }
    if (p.auth == AuthMode::local && p.users_file.empty()) {
        throw std::runtime_error("proxy.auth = local needs proxy.users_file");
    }
}

Server::Server(net::io_context& io, const Config& cfg)
    : io_(io), cfg_(cfg), live_(cfg), signals_(io), grace_timer_(io) {
    validate_proxy_config(cfg);
    auto shared = std::make_shared<SessionShared>();
    shared->cfg = &cfg.proxy;
    shared->hostname = cfg.proxy.hostname.empty() ? system_hostname() : cfg.proxy.hostname;
    shared->language = cfg.practice.refusal_lang();
    shared->upstream = smtp::load_upstream_settings(
        {.upstream = cfg.upstream,
         .hostname = cfg.proxy.hostname,
         .max_message_size = cfg.proxy.max_message_size,
         .data_timeout = cfg.proxy.data_timeout,
         .relays_client_auth = cfg.proxy.auth == AuthMode::passthrough});
    if (cfg.proxy.auth == AuthMode::local) {
        shared->users = std::make_shared<const UserDb>(UserDb::load(cfg.proxy.users_file));
        shared->auth_pool = std::make_shared<net::thread_pool>(1);
    }
    seal_ = load_seal_context(cfg);
    shared->deliver = make_seal_delivery(seal_);
    // Sealing (MIME parsing, encryption, the vault's commit) and settling (mark sent, discard)
    // run here, never on the event loop. A sealing thread spends most of its time waiting for
    // the vault's fsync, and every envelope sealed during one fsync shares the next commit
    // (the vault's group commit): so the number of threads, not of cores, sets how many
    // envelopes one fsync carries. 16 carry a practice's burst (bench/relay with a slow fsync
    // shows sealed throughput rising with the thread count up to about there); more than
    // max_sessions could never all be busy. They run at a lower priority
    // than the event loop (proxy_session_data.cpp).
    shared->seal_pool = std::make_shared<net::thread_pool>(
        std::clamp<std::size_t>(cfg.proxy.max_sessions, 2, kSealThreads));
    // When nothing has been in flight for kTrimDelay, freed buffers go back to the kernel (on
    // the sealing pool: a trim takes the arenas' locks for a few milliseconds). The budget
    // calls from the event loop (leases end in the sessions' coroutines); the weak pointer
    // makes a call after the server is gone (sessions destroyed with the loop) a no-op.
    trimmer_ = std::make_shared<Trimmer>(io, shared->seal_pool);
    shared->inflight = std::make_shared<InflightBudget>(cfg.proxy.max_inflight, kTrimAfter,
                                                        [t = std::weak_ptr<Trimmer>(trimmer_)] {
                                                            if (auto p = t.lock()) {
                                                                p->arm();
                                                            }
                                                        });
    trimmer_->budget = shared->inflight;
    shared->seal_gate = std::make_shared<SealGate>(io.get_executor(), kLargeSeals);
    shared->load = std::make_shared<SessionLoad>();
    load_ = shared->load;
    // Only untrusted sessions are counted (see accept); max_sessions bounds them in total.
    conn_limit_ = std::make_unique<ConnLimiter>(
        ConnLimiter::Limits{.total = cfg.proxy.max_sessions,
                            .per_address = cfg.proxy.max_connections_per_ip,
                            .reserved = 0});
    metrics_ = shared->metrics;
    shared_ = std::move(shared);
    notices_ = std::make_unique<NoticeLoop>(cfg, seal_->vault, *metrics_);
    admin_ = std::make_unique<AdminListener>(io, cfg.proxy.admin_listen, "proxy.admin_listen");
    bool any_tls = false;
    for (const auto& l : cfg.proxy.listeners) {
        any_tls = any_tls || needs_tls(l.kind);
    }
    if (any_tls) {
        tls_ = make_server_tls_context(cfg.proxy.tls_cert.string(), cfg.proxy.tls_key.string());
    }
    for (const auto& l : cfg.proxy.listeners) {
        net::ip::tcp::acceptor acc = listen_on(io_, {l.address, l.port}, "proxy.listener");
        bound_.push_back({l.kind, acc.local_endpoint()});
        acceptors_.push_back(std::move(acc));
    }
}

Server::Trimmer::Trimmer(net::io_context& io, std::shared_ptr<net::thread_pool> pool)
    : timer(io), pool_(std::move(pool)) {}

void Server::Trimmer::arm() {
    timer.expires_after(kTrimDelay);
    timer.async_wait([w = weak_from_this()](const boost::system::error_code& ec) {
        auto self = w.lock();
        if (ec || !self) {
            return;
        }
        auto b = self->budget.lock();
        if (b && b->in_use() == 0) {
            net::post(self->pool_->get_executor(), [] { memory::release_free_memory(); });
        }
    });
}

void Server::start() {
    for (std::size_t i = 0; i < acceptors_.size(); ++i) {
        net::co_spawn(io_, accept_loop(i), net::detached);
    }
    // The pages read the vault: on the sealing pool, never on the sessions' event loop.
    AdminPages pages;
    pages.metrics = [m = metrics_, v = seal_->vault] {
        auto stats = v->vault_stats();
        std::string out = render_proxy_metrics(*m, stats ? &*stats : nullptr);
        vault::render_pool_metrics(out, *v);
        return out;
    };
    pages.unhealthy = [v = seal_->vault] {
        return v->vault_stats().ok() ? std::string() : std::string("vault unavailable");
    };
    admin_->start(shared_->seal_pool->get_executor(), std::move(pages));
    notices_->start();
    watch_signals(
        signals_, "proxy.signal", [this] { reload(); }, [this] { shutdown(); });
}

void Server::reload() {
    Config next;
    std::shared_ptr<net::ssl::context> tls = tls_;
    std::shared_ptr<SealContext> seal;
    std::shared_ptr<const UserDb> users = shared_->users;
    try {
        next = load_config(cfg_.source);
        validate_proxy_config(next);
        if (tls_) {
            tls =
                make_server_tls_context(next.proxy.tls_cert.string(), next.proxy.tls_key.string());
        }
        // The policy keeps its own rule (DESIGN 5): a broken file keeps the old policy, is
        // logged as policy.reload_failed and does not stop the rest of the reload.
        auto store = seal_->policy;
        if (next.proxy.policy_file == store->path()) {
            (void)store->reload();
        } else {
            try {
                store = std::make_shared<policy::PolicyStore>(next.proxy.policy_file);
                log::info("policy.reload").kv("file", next.proxy.policy_file.string());
            } catch (const std::exception& e) {
                log::error("policy.reload_failed").kv("detail", e.what());
            }
        }
        seal = reload_seal_context(*seal_, next, std::move(store));
        if (cfg_.proxy.auth == AuthMode::local) {
            users = std::make_shared<const UserDb>(UserDb::load(next.proxy.users_file));
        }
    } catch (const std::exception& e) {
        // Keep serving with what we had (DESIGN 5: a broken file keeps the old one). The
        // detail names a file, a line and a key, never a value.
        ReloadReport::log_failed("proxy.reload", e.what());
        return;
    }
    ReloadReport report = proxy_reload_report(live_, cfg_, next);
    if (tls) {
        report.certificate(certificate_fingerprint(*tls_), certificate_fingerprint(*tls));
    }
    // Sessions take shared_ and tls_ when they are accepted: the open ones keep theirs.
    auto shared = std::make_shared<SessionShared>(*shared_);
    shared->users = std::move(users);
    shared->deliver = make_seal_delivery(seal);
    shared_ = std::move(shared);
    seal_ = std::move(seal);
    tls_ = std::move(tls);
    notices_->set_practice(next.practice);
    live_ = std::move(next);
    report.log_ok("proxy.reload");
}

void Server::shutdown() {
    if (stopping_) {
        return;
    }
    stopping_ = true;
    for (auto& a : acceptors_) {
        boost::system::error_code ec;
        a.close(ec);
    }
    admin_->stop();
    notices_->stop();  // joined when the server is destroyed
    log::info("proxy.shutdown")
        .kv("sessions", static_cast<std::uint64_t>(sessions_.size()))
        .kv("grace_s", static_cast<std::int64_t>(cfg_.proxy.shutdown_grace.count()));
    for (auto& [id, weak] : sessions_) {
        if (auto s = weak.lock()) {
            s->request_shutdown();
        }
    }
    if (sessions_.empty()) {
        signals_.cancel();
        io_.stop();
        return;
    }
    grace_timer_.expires_after(cfg_.proxy.shutdown_grace);
    grace_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) {
            return;
        }
        log::warn("proxy.shutdown_forced")
            .kv("sessions", static_cast<std::uint64_t>(sessions_.size()));
        for (auto& [id, weak] : sessions_) {
            if (auto s = weak.lock()) {
                s->force_close();
            }
        }
        signals_.cancel();
        io_.stop();
    });
}

void Server::on_session_end(std::uint64_t id) {
    sessions_.erase(id);
    load_->open = sessions_.size();
    --metrics_->sessions_open;
    if (stopping_ && sessions_.empty()) {
        grace_timer_.cancel();
        signals_.cancel();
        io_.stop();
    }
}

net::awaitable<void> Server::accept_loop(std::size_t index) {
    auto& acc = acceptors_[index];
    const ListenerKind kind = bound_[index].kind;
    const bool loopback = bound_[index].endpoint.address().is_loopback();
    for (;;) {
        boost::system::error_code ec;
        net::ip::tcp::socket sock =
            co_await acc.async_accept(net::redirect_error(net::use_awaitable, ec));
        if (stopping_) {
            co_return;
        }
        if (ec) {
            // EMFILE and friends: log and keep going (after a short pause so we do not spin).
            log::warn("proxy.accept_failed").kv("detail", ec.message());
            net::steady_timer pause(io_, std::chrono::milliseconds(100));
            co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
            continue;
        }
        sock.set_option(net::ip::tcp::no_delay(true), ec);
        const auto& pc = cfg_.proxy;
        boost::system::error_code ep_ec;
        const auto remote = sock.remote_endpoint(ep_ec);
        if (ep_ec) {
            continue;  // already gone
        }
        const std::string ip = remote.address().to_string();
        const bool trusted = pc.is_trusted(ip);
        // The last reserved_sessions (at most half) are for trusted networks and sessions that
        // authenticate: a flood of anonymous connections cannot take them all.
        const std::size_t reserved = std::min(pc.reserved_sessions, pc.max_sessions / 2);
        if (sessions_.size() >= pc.max_sessions ||
            (!trusted && load_->unprivileged >= pc.max_sessions - reserved)) {
            // RFC 5321 3.1: a server may refuse at connect with 421 (4.3.2 system not accepting).
            ++metrics_->sessions_refused;
            log::warn("proxy.too_many_sessions")
                .kv("limit", static_cast<std::uint64_t>(pc.max_sessions))
                .kv("trusted", trusted);
            turn_away(std::move(sock), reply(R::too_many_sessions));
            continue;
        }
        // Per-address cap (Postfix anvil's connection count), not for trusted networks: an MTA
        // that uses the proxy as its filter opens many connections from one address.
        ConnLimiter::Slot slot;
        if (!trusted) {
            slot = conn_limit_->try_acquire(ip);
            if (!slot) {
                ++metrics_->sessions_refused_ip;
                log::warn("proxy.too_many_from_ip")
                    .kv("ip", ip)
                    .kv("limit", static_cast<std::uint64_t>(pc.max_connections_per_ip));
                turn_away(std::move(sock), reply(R::too_many_from_ip));
                continue;
            }
        }
        auto session = std::make_shared<Session>(shared_, kind, loopback, std::move(sock),
                                                 needs_tls(kind) ? tls_ : nullptr);
        if (slot) {
            session->hold(std::move(slot));
        }
        const std::uint64_t id = ++next_id_;
        sessions_.emplace(id, session);
        load_->open = sessions_.size();
        ++metrics_->sessions;
        ++metrics_->sessions_open;
        net::co_spawn(io_, session->run(), [this, id, session](const std::exception_ptr& e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    log::error("smtp.session_failed")
                        .kv("sid", session->id())
                        .kv("detail", ex.what());
                }
            }
            on_session_end(id);
        });
    }
}

}  // namespace sealpost::proxy
