// SPDX-License-Identifier: Apache-2.0
// The outbox SMS provider: one line per SMS appended to a local file (development and demo).
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <system_error>

#include "core/core_log.hpp"
#include "portal/portal_sms_detail.hpp"

namespace sealpost::portal::sms {

namespace {

namespace fs = std::filesystem;

Error io_error(const fs::path& p, std::string_view what, int e) {
    // std::system_category().message is thread-safe where strerror is not.
    return make_error(Errc::io, "sms.outbox_path " + p.string() + ": " + std::string(what) + ": " +
                                    std::system_category().message(e));
}

/// Open for appending, creating it 0600. Refuses a symlink, a non-regular file and a file that
/// others may read: it holds live codes.
Result<Fd> open_outbox(const fs::path& path) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
                 0600));
    if (fd.get() < 0) {
        return io_error(path, "cannot open", errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return io_error(path, "cannot stat", errno);
    }
    if (!S_ISREG(st.st_mode)) {
        return make_error(Errc::io, "sms.outbox_path " + path.string() + ": not a regular file");
    }
    if ((st.st_mode & 0007U) != 0) {
        return make_error(
            Errc::io, "sms.outbox_path " + path.string() + ": readable by others; chmod 600 it");
    }
    return fd;
}

/// Append the whole line while holding flock(LOCK_EX): a single write(2) with O_APPEND is
/// already atomic against other appenders on a local file, and the lock keeps a line whole
/// even if a write is cut short (signal, full disk) and has to continue.
Status append_line(const fs::path& path, int fd, std::string_view line) {
    while (::flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            return io_error(path, "cannot lock", errno);
        }
    }
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int e = errno;
            (void)::flock(fd, LOCK_UN);
            return io_error(path, "cannot write", e);
        }
        done += static_cast<std::size_t>(n);
    }
    (void)::flock(fd, LOCK_UN);
    return {};
}

class OutboxSender final : public SmsSender {
  public:
    explicit OutboxSender(fs::path path) : path_(std::move(path)) {}

    Status send(std::string_view to_e164, std::string_view text) override {
        SP_CHECK(check_message(to_e164, text));
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        std::string line = outbox_line(now, to_e164, text);
        const WipeOnExit wipe_line(line);
        // Opened per message, so the file may be rotated or emptied while the portal runs.
        SP_TRY(fd, open_outbox(path_));
        Status st = append_line(path_, fd.get(), line);
        log::Line(st ? spdlog::level::info : spdlog::level::warn, "sms.attempt")
            .kv("provider", "outbox")
            .kv("to", log::mask_phone(to_e164))
            .kv("attempt", 1)
            .kv("result", st ? "sent" : "failed");
        return st;
    }

  private:
    const fs::path path_;
};

}  // namespace

Result<std::unique_ptr<SmsSender>> make_outbox_sender(const fs::path& path) {
    if (path.empty()) {
        return make_error(Errc::invalid_argument, "sms.outbox_path is empty");
    }
    SP_TRY(fd, open_outbox(path));
    (void)fd;
    return std::unique_ptr<SmsSender>(std::make_unique<OutboxSender>(path));
}

}  // namespace sealpost::portal::sms
