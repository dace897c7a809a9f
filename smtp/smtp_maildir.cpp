// SPDX-License-Identifier: Apache-2.0
// Maildir delivery (https://cr.yp.to/proto/maildir.html) and the maildir upstream.
#include "smtp/smtp_maildir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "core/core_log.hpp"
#include "smtp/smtp_upstream.hpp"

namespace sealpost::smtp {

namespace {

/// Closes a file descriptor once (RAII for the POSIX handle).
class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    [[nodiscard]] int get() const { return fd_; }
    int release() {
        const int f = fd_;
        fd_ = -1;
        return f;
    }

  private:
    int fd_;
};

Error sys_error(const std::string& what) {
    // std::system_category().message is thread-safe where strerror is not.
    return make_error(Errc::io, what + ": " + std::system_category().message(errno));
}

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) {
        return "localhost";
    }
    // The convention replaces '/' and ':' which would break the name.
    std::string h(buf);
    std::string out;
    for (char c : h) {
        if (c == '/') {
            out += "\\057";
        } else if (c == ':') {
            out += "\\072";
        } else {
            out += c;
        }
    }
    return out;
}

std::string unique_name() {
    static std::atomic<std::uint64_t> counter{0};
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto sec = std::chrono::duration_cast<std::chrono::seconds>(now).count();
    const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(now).count() % 1000000;
    // time.M<usec>P<pid>Q<n>.host: unique per process, and the pid for across processes.
    return std::to_string(sec) + ".M" + std::to_string(usec) + "P" + std::to_string(::getpid()) +
           "Q" + std::to_string(++counter) + "." + host_name();
}

Status write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return sys_error("write");
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

Status fsync_dir(const std::filesystem::path& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) {
        return sys_error("open dir");
    }
    if (::fsync(fd.get()) != 0) {
        return sys_error("fsync dir");
    }
    return {};
}

}  // namespace

void maildir_prepare(const std::filesystem::path& dir) {
    for (const char* sub : {"", "tmp", "new", "cur"}) {
        const auto p = dir / sub;
        if (::mkdir(p.c_str(), 0700) != 0 && errno != EEXIST) {
            throw std::runtime_error("cannot create maildir folder " + p.string() + ": " +
                                     std::system_category().message(errno));
        }
    }
}

Result<std::string> maildir_deliver(const std::filesystem::path& dir, std::string_view sender,
                                    std::string_view message) {
    const std::string name = unique_name();
    const auto tmp = dir / "tmp" / name;
    const auto dst = dir / "new" / name;
    std::string content;
    content.reserve(message.size() + 64);
    content += "Return-Path: <";
    content += sender;
    content += ">\n";
    for (std::size_t i = 0; i < message.size(); ++i) {
        if (message[i] == '\r' && i + 1 < message.size() && message[i + 1] == '\n') {
            continue;
        }
        content += message[i];
    }
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) {
        return sys_error("create " + tmp.string());
    }
    auto st = write_all(fd.get(), content);
    if (!st || ::fsync(fd.get()) != 0 || ::close(fd.release()) != 0) {
        ::unlink(tmp.c_str());
        return st ? sys_error("fsync") : std::move(st).error();
    }
    if (::rename(tmp.c_str(), dst.c_str()) != 0) {
        auto e = sys_error("rename");
        ::unlink(tmp.c_str());
        return e;
    }
    SP_CHECK(fsync_dir(dir / "new"));
    return name;
}

namespace {

/// Upstream that accepts every envelope and delivers each message once into the Maildir.
class MaildirUpstream final : public Upstream {
  public:
    explicit MaildirUpstream(std::shared_ptr<const UpstreamSettings> s) : s_(std::move(s)) {
        caps_.eightbitmime = true;
        caps_.smtputf8 = true;
        caps_.enhanced = true;
        caps_.pipelining = true;
        caps_.size_given = true;
        caps_.size = 0;
    }

    net::awaitable<Result<smtp::Reply>> hello() override {
        open_ = true;
        sender_.clear();
        smtp::Reply r;
        r.code = 250;
        r.lines = {"maildir"};
        co_return r;
    }
    [[nodiscard]] const smtp::Capabilities& caps() const override { return caps_; }
    [[nodiscard]] bool is_open() const override { return open_; }
    net::awaitable<Result<smtp::Reply>> mail(const smtp::MailArgs& a) override {
        sender_ = a.reverse_path;
        co_return smtp::make_reply(250, "2.1.0", "OK");
    }
    net::awaitable<Result<smtp::Reply>> rcpt(const smtp::RcptArgs&) override {
        co_return smtp::make_reply(250, "2.1.5", "OK");
    }
    net::awaitable<Result<smtp::Reply>> rset() override {
        sender_.clear();
        co_return smtp::make_reply(250, "2.0.0", "OK");
    }
    net::awaitable<Result<smtp::Reply>> data(std::string_view message) override {
        auto r = maildir_deliver(s_->cfg.maildir, sender_, message);
        if (!r) {
            co_return std::move(r).error();
        }
        log::info("maildir.delivered").kv("file", *r);
        co_return smtp::make_reply(250, "2.0.0", "Delivered");
    }
    net::awaitable<Result<smtp::Reply>> auth_line(std::string& line) override {
        crypto::wipe(line);
        co_return smtp::make_reply(504, "5.5.4", "Unrecognized authentication type");
    }
    net::awaitable<Result<smtp::Reply>> auth_own() override {
        co_return smtp::make_reply(235, "2.7.0", "OK");
    }
    net::awaitable<void> quit() override {
        open_ = false;
        co_return;
    }
    void close() noexcept override { open_ = false; }

  private:
    std::shared_ptr<const UpstreamSettings> s_;
    smtp::Capabilities caps_;
    std::string sender_;
    bool open_ = false;
};

}  // namespace

std::unique_ptr<Upstream> make_maildir_upstream(std::shared_ptr<const UpstreamSettings> s) {
    return std::make_unique<MaildirUpstream>(std::move(s));
}

}  // namespace sealpost::smtp
