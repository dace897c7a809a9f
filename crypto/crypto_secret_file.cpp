// SPDX-License-Identifier: Apache-2.0
// read_secret_file (crypto_secret_file.hpp): open without following links and without blocking
// on a FIFO, check type and mode on the open descriptor (no race with a rename), read bounded.
#include "crypto/crypto_secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>

namespace sealpost::crypto {

namespace {

/// Closes the descriptor once.
class FdGuard {
  public:
    explicit FdGuard(int fd) noexcept : fd_(fd) {}
    ~FdGuard() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    FdGuard(const FdGuard&) = delete;
    FdGuard& operator=(const FdGuard&) = delete;
    FdGuard(FdGuard&&) = delete;
    FdGuard& operator=(FdGuard&&) = delete;
    [[nodiscard]] int get() const noexcept { return fd_; }

  private:
    int fd_;
};

std::string mode_text(mode_t m) {
    std::array<char, 8> buf{};
    (void)std::snprintf(buf.data(), buf.size(), "%04o", static_cast<unsigned>(m & 07777U));
    return buf.data();
}

}  // namespace

Result<Secret> read_secret_file(const std::filesystem::path& path, std::string_view key) {
    const auto fail = [&](Errc c, std::string_view why) {
        return make_error(c, std::string(key) + " " + path.string() + ": " + std::string(why));
    };
    // O_NONBLOCK: a FIFO planted in place of the file must not hang the start.
    const FdGuard fd(
        ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (fd.get() < 0) {
        const int e = errno;
        if (e == ENOENT) {
            return fail(Errc::key_error, "missing");
        }
        if (e == ELOOP) {
            return fail(Errc::key_error, "is a symlink; refused");
        }
        return fail(Errc::io, "cannot open: " + std::system_category().message(e));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return fail(Errc::io, "cannot stat: " + std::system_category().message(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return fail(Errc::key_error, "not a regular file; refused");
    }
    if ((st.st_mode & 0077U) != 0) {
        return fail(Errc::key_error, "mode " + mode_text(st.st_mode) +
                                         " gives access to others; refused (chmod 600 it)");
    }
    Secret text(std::string(kMaxSecretFile + 1, '\0'));
    std::string& buf = text.str();
    std::size_t got = 0;
    while (got < buf.size()) {
        const ssize_t n = ::read(fd.get(), buf.data() + got, buf.size() - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return fail(Errc::io, "cannot read: " + std::system_category().message(errno));
        }
        if (n == 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    if (got > kMaxSecretFile) {
        return fail(Errc::key_error, "too large for a secret file");
    }
    std::string_view value(buf.data(), got);
    value = value.substr(0, value.find('\n'));
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == ' ' || value.back() == '\t')) {
        value.remove_suffix(1);
    }
    if (value.empty()) {
        return fail(Errc::key_error, "empty");
    }
    if (std::any_of(value.begin(), value.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20U || c == 0x7F; })) {
        return fail(Errc::key_error, "holds control characters");
    }
    std::string out;
    out.reserve(value.size());  // exact, so the copy is the only one left to wipe
    out.assign(value);
    return Secret(std::move(out));
}

}  // namespace sealpost::crypto
