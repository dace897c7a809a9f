// SPDX-License-Identifier: Apache-2.0
// A tiny recording HTTP/1.1 server for unit tests: listens on 127.0.0.1 (port 0) in a thread,
// records each request (method, target, headers, body) and answers from a scripted status list.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace sealpost::test {

struct RecordedRequest {
    std::string method;                                        ///< "POST"
    std::string target;                                        ///< "/path?query", exactly as sent
    std::vector<std::pair<std::string, std::string>> headers;  ///< in order, values trimmed
    std::string body;                                          ///< Content-Length bytes

    /// How many headers have this name (case-insensitive).
    [[nodiscard]] std::size_t count(std::string_view name) const {
        return static_cast<std::size_t>(std::count_if(
            headers.begin(), headers.end(), [&](const auto& h) { return same(h.first, name); }));
    }
    /// The first header with this name (case-insensitive), "" when absent.
    [[nodiscard]] std::string header(std::string_view name) const {
        for (const auto& h : headers) {
            if (same(h.first, name)) {
                return h.second;
            }
        }
        return {};
    }

  private:
    static bool same(std::string_view a, std::string_view b) {
        return a.size() == b.size() &&
               std::equal(a.begin(), a.end(), b.begin(),
                          [](char x, char y) { return (x | 0x20) == (y | 0x20); });
    }
};

/** Answers request i with `statuses[i]`, and every request after the list with `then`.
 * With Mode::hang it records requests but never answers (and keeps the connection open), so a
 * client runs into its timeout. `response_body` is sent with every answer. Connections are
 * handled one at a time, which is all a blocking client needs. */
class HttpRecorder {
  public:
    enum class Mode { answer, hang };

    explicit HttpRecorder(std::vector<int> statuses = {}, int then = 200, Mode mode = Mode::answer,
                          std::string response_body = "{}")
        : statuses_(std::move(statuses)),
          then_(then),
          mode_(mode),
          response_body_(std::move(response_body)) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(listen_fd_ >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        auto* sa = reinterpret_cast<sockaddr*>(&addr);  // NOLINT: the sockets API
        REQUIRE(::bind(listen_fd_, sa, sizeof addr) == 0);
        REQUIRE(::listen(listen_fd_, 16) == 0);
        socklen_t len = sizeof addr;
        REQUIRE(::getsockname(listen_fd_, sa, &len) == 0);
        port_ = ntohs(addr.sin_port);
        REQUIRE(::pipe2(stop_.data(), O_CLOEXEC) == 0);
        thread_ = std::thread([this] { run(); });
    }

    ~HttpRecorder() {
        const char c = 'x';
        (void)!::write(stop_[1], &c, 1);
        thread_.join();
        for (const int fd : held_) {
            ::close(fd);
        }
        ::close(listen_fd_);
        ::close(stop_[0]);
        ::close(stop_[1]);
    }
    HttpRecorder(const HttpRecorder&) = delete;
    HttpRecorder& operator=(const HttpRecorder&) = delete;
    HttpRecorder(HttpRecorder&&) = delete;
    HttpRecorder& operator=(HttpRecorder&&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    /// "http://127.0.0.1:PORT", no trailing slash.
    [[nodiscard]] std::string base_url() const {
        return "http://127.0.0.1:" + std::to_string(port_);
    }
    /// A copy of everything recorded so far. A request is recorded before it is answered, so
    /// once a client call returns, its requests are all here.
    [[nodiscard]] std::vector<RecordedRequest> requests() const {
        const std::lock_guard lock(mu_);
        return requests_;
    }

  private:
    /// Waits until `fd` is readable; false when the recorder is stopping.
    [[nodiscard]] bool wait_readable(int fd) const {
        std::array<pollfd, 2> p{pollfd{fd, POLLIN, 0}, pollfd{stop_[0], POLLIN, 0}};
        while (true) {
            const int n = ::poll(p.data(), p.size(), -1);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return n > 0 && p[1].revents == 0;
        }
    }

    void run() {
        while (wait_readable(listen_fd_)) {
            const int conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (conn >= 0) {
                serve(conn);
            }
        }
    }

    void serve(int conn) {
        std::string in;
        std::size_t head_end = std::string::npos;
        std::size_t body_len = 0;
        char buf[4096];
        while (true) {
            if (head_end == std::string::npos) {
                head_end = in.find("\r\n\r\n");
                if (head_end != std::string::npos) {
                    body_len = content_length(in.substr(0, head_end));
                }
            }
            if (head_end != std::string::npos && in.size() >= head_end + 4 + body_len) {
                break;
            }
            if (!wait_readable(conn)) {
                ::close(conn);
                return;
            }
            const ssize_t n = ::recv(conn, buf, sizeof buf, 0);
            if (n <= 0) {
                ::close(conn);
                return;
            }
            in.append(buf, static_cast<std::size_t>(n));
        }
        RecordedRequest r = parse(in.substr(0, head_end));
        r.body = in.substr(head_end + 4, body_len);
        int status = then_;
        {
            const std::lock_guard lock(mu_);
            if (requests_.size() < statuses_.size()) {
                status = statuses_[requests_.size()];
            }
            requests_.push_back(std::move(r));
        }
        if (mode_ == Mode::hang) {
            held_.push_back(conn);  // never answered; closed when the recorder stops
            return;
        }
        const std::string out = "HTTP/1.1 " + std::to_string(status) +
                                " Scripted\r\nContent-Type: application/json\r\nContent-Length: " +
                                std::to_string(response_body_.size()) +
                                "\r\nConnection: close\r\n\r\n" + response_body_;
        std::size_t done = 0;
        while (done < out.size()) {
            // MSG_NOSIGNAL: a client that stops reading early must not kill the test with SIGPIPE.
            const ssize_t n = ::send(conn, out.data() + done, out.size() - done, MSG_NOSIGNAL);
            if (n <= 0) {
                break;
            }
            done += static_cast<std::size_t>(n);
        }
        ::close(conn);
    }

    static RecordedRequest parse(const std::string& head) {
        RecordedRequest r;
        std::size_t pos = head.find("\r\n");
        const std::string line = head.substr(0, pos);
        const std::size_t sp1 = line.find(' ');
        const std::size_t sp2 = line.find(' ', sp1 + 1);
        r.method = line.substr(0, sp1);
        r.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
        while (pos != std::string::npos && pos < head.size()) {
            const std::size_t start = pos + 2;
            pos = head.find("\r\n", start);
            const std::string h = head.substr(start, pos == std::string::npos ? pos : pos - start);
            const std::size_t colon = h.find(':');
            if (colon == std::string::npos) {
                continue;
            }
            std::string value = h.substr(colon + 1);
            value.erase(0, std::min(value.find_first_not_of(' '), value.size()));
            r.headers.emplace_back(h.substr(0, colon), value);
        }
        return r;
    }

    static std::size_t content_length(const std::string& head) {
        RecordedRequest r = parse(head);
        const std::string v = r.header("Content-Length");
        return v.empty() ? 0 : static_cast<std::size_t>(std::stoul(v));
    }

    std::vector<int> statuses_;
    int then_;
    Mode mode_;
    std::string response_body_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::array<int, 2> stop_{-1, -1};
    std::vector<int> held_;  // only the server thread touches it until the destructor's join
    mutable std::mutex mu_;
    std::vector<RecordedRequest> requests_;
    std::thread thread_;
};

}  // namespace sealpost::test
