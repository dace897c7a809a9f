// SPDX-License-Identifier: Apache-2.0
// sealpost-proxy entry point: parses arguments, loads the config, binds the listeners, prints
// one `listening kind=... addr=...` line per listener on stdout (the admin listener last, as
// `kind=admin`), and runs the event loop.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include <boost/asio/io_context.hpp>

#include "core/core_config.hpp"
#include "core/core_log.hpp"
#include "core/core_memory.hpp"
#include "proxy/proxy_auth.hpp"
#include "proxy/proxy_server.hpp"
#include "smtp/smtp_sasl.hpp"

namespace {

constexpr const char* usage =
    "usage: sealpost-proxy --config PATH\n"
    "       sealpost-proxy --hash-password   (reads a password on stdin, prints a users-file "
    "hash)\n"
    "       sealpost-proxy --help | --version\n";

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& ep) {
    const auto a = ep.address();
    // Appending (not "literal" + temporary) also avoids GCC 12's -Wrestrict false positive.
    std::string out;
    if (a.is_v6()) {
        out += '[';
        out += a.to_string();
        out += ']';
    } else {
        out += a.to_string();
    }
    out += ':';
    out += std::to_string(ep.port());
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    sealpost::memory::configure_allocator();  // before any thread starts
    std::string config_path;
    bool hash_password = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << usage;
            return 0;
        }
        if (arg == "--version") {
            std::cout << "sealpost-proxy 0.1.0\n";
            return 0;
        }
        if (arg == "--config" && i + 1 < argc) {
            config_path = argv[++i];
        } else if (arg.rfind("--config=", 0) == 0) {
            config_path = arg.substr(9);
        } else if (arg == "--hash-password") {
            hash_password = true;
        } else {
            std::cerr << "sealpost-proxy: unknown argument " << arg << "\n" << usage;
            return 2;
        }
    }
    if (hash_password) {
        sealpost::crypto::Secret pw;
        std::getline(std::cin, pw.str());
        auto h = sealpost::proxy::make_scrypt_hash(pw.view());
        if (!h || pw.empty()) {
            std::cerr << "sealpost-proxy: cannot hash an empty password\n";
            return 1;
        }
        std::cout << *h << "\n";
        return 0;
    }
    if (config_path.empty()) {
        std::cerr << usage;
        return 2;
    }
    try {
        const sealpost::Config cfg = sealpost::load_config(config_path);
        sealpost::log::init("sealpost-proxy", sealpost::to_string(cfg.log.level));
        boost::asio::io_context io(1);
        sealpost::proxy::Server server(io, cfg);
        // Signal handlers first: whoever reads the `listening` lines may send SIGTERM at once.
        server.start();
        for (const auto& l : server.listeners()) {
            std::cout << "listening kind=" << sealpost::to_string(l.kind)
                      << " addr=" << endpoint_text(l.endpoint) << "\n";
        }
        std::cout << "listening kind=admin addr=" << endpoint_text(server.admin_endpoint()) << "\n";
        std::cout.flush();
        sealpost::log::info("proxy.start")
            .kv("listeners", static_cast<std::uint64_t>(server.listeners().size()));
        io.run();
        sealpost::log::info("proxy.stop");
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "sealpost-proxy: " << e.what() << "\n";
        return 1;
    }
}
