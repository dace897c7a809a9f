// SPDX-License-Identifier: Apache-2.0
// sealpost-portal entry point: loads the config, the pepper (and no other key), the vault,
// the pages, the SMS provider and the logo; prints one `listening kind=... addr=...` line per
// listener; runs the event loop on a few threads.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/core_config.hpp"
#include "core/core_log.hpp"
#include "portal/portal_app.hpp"
#include "portal/portal_logo.hpp"
#include "portal/portal_server.hpp"
#include "vault/vault_options.hpp"

namespace {

constexpr const char* kUsage =
    "usage: sealpost-portal --config PATH\n"
    "       sealpost-portal --help | --version\n";

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& ep) {
    std::string out;
    if (ep.address().is_v6()) {
        out += '[';
        out += ep.address().to_string();
        out += ']';
    } else {
        out += ep.address().to_string();
    }
    out += ':';
    out += std::to_string(ep.port());
    return out;
}

template <typename T>
T need(sealpost::Result<T> r, const std::string& what) {
    if (!r) {
        throw std::runtime_error(what + ": " + r.error().detail);
    }
    return std::move(r).value();
}

/// Longest wait at shutdown for the jobs still queued on the pool.
constexpr std::chrono::seconds kDrainLimit{20};

/** Lets the pool finish its queue before the process ends: the queue may hold the `downloaded`
 * audit event and the practice's notice of a download already served (App::audit_later),
 * which pool.stop() would drop. The io_contexts are stopped, so nothing new is queued. The
 * jobs are short vault writes, but a POST's SMS call waits up to sms.timeout per try, so after
 * kDrainLimit the pool is stopped anyway: what still runs finishes, what waits is dropped. */
void drain(boost::asio::thread_pool& pool) {
    std::mutex m;
    std::condition_variable cv;
    bool drained = false;
    std::thread watchdog([&] {
        std::unique_lock lock(m);
        if (!cv.wait_for(lock, kDrainLimit, [&] { return drained; })) {
            sealpost::log::warn("portal.drain_timeout").kv("seconds", kDrainLimit.count());
            pool.stop();
        }
    });
    pool.join();
    {
        const std::scoped_lock lock(m);
        drained = true;
    }
    cv.notify_one();
    watchdog.join();
}

}  // namespace

int main(int argc, char** argv) {
    using namespace sealpost;  // NOLINT(google-build-using-namespace): a short main
    std::string config_path;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        }
        if (arg == "--version") {
            std::cout << "sealpost-portal 0.1.0\n";
            return 0;
        }
        if (arg == "--config" && i + 1 < argc) {
            config_path = argv[++i];
        } else if (arg.rfind("--config=", 0) == 0) {
            config_path = arg.substr(9);
        } else {
            std::cerr << "sealpost-portal: unknown argument " << arg << "\n" << kUsage;
            return 2;
        }
    }
    if (config_path.empty()) {
        std::cerr << kUsage;
        return 2;
    }
    // A client that hangs up must not kill the process (libcurl with CURLOPT_NOSIGNAL and
    // our own writes both rely on EPIPE instead of SIGPIPE).
    (void)std::signal(SIGPIPE, SIG_IGN);
    // Every download allocates and frees 64 KiB chunks on several threads; without this glibc
    // keeps returning those pages to the kernel and faulting them back in (seen in perf).
    (void)mallopt(M_TRIM_THRESHOLD, 64 << 20);  // NOLINT(concurrency-mt-unsafe): no threads yet
    (void)mallopt(M_MMAP_THRESHOLD, 4 << 20);   // NOLINT(concurrency-mt-unsafe): no threads yet
    try {
        const Config cfg = load_config(config_path);
        log::init("sealpost-portal", to_string(cfg.log.level));
        // The portal needs the pepper only: never the escrow or contacts keys (DESIGN 2).
        auto keys = need(keys::keys_load(cfg.vault.key_dir, keys::pepper), "keys");
        vault::VaultOptions opts = vault::vault_options_from(cfg.vault);
        auto vault = need(vault::Vault::open(std::move(opts), keys), "vault");
        auto pages = need(portal::Pages::load(cfg.portal.templates_dir), "templates");
        auto sms = need(portal::make_sms_sender(cfg.sms), "sms");
        // [voice]: landline numbers get their code by a call (none configured: no caller).
        std::unique_ptr<portal::VoiceCaller> voice;
        if (cfg.voice.enabled) {
            voice = need(portal::make_voice_caller(cfg.voice), "voice");
        }
        // A stable key for the audit's IP hashes, derived so the pepper itself stays inside.
        const auto ip_key =
            crypto::hmac_sha256(keys.pepper.key, crypto::as_bytes("sealpost-ip-key-v1"));
        auto logo = portal::load_logo(cfg.practice.logo);
        if (!logo) {
            std::cerr << "sealpost-portal: " << logo.error().detail << "\n";
            return 1;
        }
        portal::App app(cfg, vault, std::move(pages), std::move(sms),
                        crypto::SecretBytes(ip_key.begin(), ip_key.end()), std::move(logo).value(),
                        std::move(voice));

        // One io_context per core, each run by one thread, the first also holding the
        // listeners, signals and timers. The hint 1 (BOOST_ASIO_CONCURRENCY_HINT_1) only tells
        // the scheduler that one thread runs it; its locks stay, and must: pool threads post
        // the completions of co_spawn back onto these contexts, and Server::stop(), run by the
        // first context on a signal, stops all the others from its own thread. Only
        // BOOST_ASIO_CONCURRENCY_HINT_UNSAFE would remove the locks.
        const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 2U, 8U);
        std::vector<std::unique_ptr<boost::asio::io_context>> workers;
        std::vector<boost::asio::io_context*> worker_ptrs;
        for (unsigned i = 0; i < threads; ++i) {
            workers.push_back(std::make_unique<boost::asio::io_context>(1));
            worker_ptrs.push_back(workers.back().get());
        }
        boost::asio::thread_pool pool(8);  // routes: vault writes and SMS gateway calls block
        boost::asio::io_context& io = *workers.front();
        portal::Server server(io, worker_ptrs, pool, cfg, app, vault);
        // Signal handlers first: whoever reads the `listening` lines may send SIGHUP at once
        // (a signal before them would end the process).
        server.start();
        std::cout << "listening kind=" << (server.tls() ? "https" : "http")
                  << " addr=" << endpoint_text(server.portal_endpoint()) << "\n"
                  << "listening kind=admin addr=" << endpoint_text(server.admin_endpoint()) << "\n";
        std::cout.flush();
        log::info("portal.start").kv("threads", threads);
        std::vector<std::thread> runners;
        for (unsigned i = 1; i < threads; ++i) {
            runners.emplace_back([w = workers[i].get()] {
                auto guard = boost::asio::make_work_guard(*w);  // idle until stop()
                w->run();
            });
        }
        io.run();
        for (auto& t : runners) {
            t.join();
        }
        drain(pool);
        log::info("portal.stop");
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "sealpost-portal: " << e.what() << "\n";
        return 1;
    }
}
