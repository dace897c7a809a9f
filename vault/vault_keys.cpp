// SPDX-License-Identifier: Apache-2.0
// Key files of the vault: `keys init` writes them atomically and never over existing keys;
// `keys_load` reads only the ones a process needs and refuses unsafe permissions.
#include "vault/vault_keys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <system_error>
#include <utility>
#include <vector>

#include "core/core_hex.hpp"

namespace sealpost::keys {
namespace fs = std::filesystem;
using crypto::ByteView;
using crypto::SecretBytes;
using crypto::SecretString;

namespace {

constexpr std::string_view kMagic = "sealpost-key";
constexpr std::string_view kVersion = "v1";
constexpr std::string_view kIdLabel = "sealpost-key-id v1";
// A valid file is about 80 bytes; anything much larger is not a key file.
constexpr std::size_t kMaxFileSize = 512;

constexpr std::string_view kKindPepper = "pepper";
constexpr std::string_view kKindEscrowPublic = "escrow-public";
constexpr std::string_view kKindEscrowPrivate = "escrow-private";
constexpr std::string_view kKindContacts = "contacts";

/// Owns a file descriptor; closes it once.
class UniqueFd {
  public:
    explicit UniqueFd(int fd = -1) noexcept : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    [[nodiscard]] int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    /// Close and report the error of close(2) (which for a written file can be a lost write).
    int close_checked() noexcept {
        const int r = ::close(std::exchange(fd_, -1));
        return r;
    }
    void reset() noexcept {
        if (fd_ >= 0) {
            ::close(std::exchange(fd_, -1));
        }
    }

  private:
    int fd_;
};

std::string errno_text(int e) {
    return std::error_code(e, std::generic_category()).message();
}

Error io_error(const fs::path& p, std::string_view what, int e) {
    return make_error(Errc::io, p.string() + ": " + std::string(what) + ": " + errno_text(e));
}

Error key_err(const fs::path& p, std::string_view why) {
    return make_error(Errc::key_error, p.string() + ": " + std::string(why));
}

std::string mode_text(mode_t m) {
    std::array<char, 8> buf{};
    (void)std::snprintf(buf.data(), buf.size(), "%04o", static_cast<unsigned>(m & 07777U));
    return buf.data();
}

/// The text of one key file. The base64url of a secret key passes through a std::string
/// (base64url_encode's return type), which is wiped before it is freed.
SecretString format_key_file(std::string_view kind, std::string_view id, ByteView key) {
    std::string b64 = crypto::base64url_encode(key);
    SecretString line;
    line.reserve(kMagic.size() + kVersion.size() + kind.size() + id.size() + b64.size() + 5);
    line.append(kMagic).append(" ").append(kVersion).append(" ").append(kind).append(" ");
    line.append(id).append(" ").append(b64).append("\n");
    crypto::secure_wipe(b64.data(), b64.size());
    return line;
}

bool is_key_id(std::string_view s) {
    if (s.size() != 8) {
        return false;
    }
    for (const char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

struct KeyFile {
    std::string id;
    SecretBytes key;
};

/// Open, check and parse one key file. Details name the file, never its contents.
Result<KeyFile> read_key_file(const fs::path& dir, std::string_view name, std::string_view kind,
                              bool private_key) {
    const fs::path path = dir / name;
    // O_NOFOLLOW: a symlink could point a key file at something an attacker controls.
    // O_NONBLOCK: opening a FIFO planted in place of a key must not hang the process.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd) {
        const int e = errno;
        if (e == ENOENT) {
            return key_err(path, "missing");
        }
        if (e == ELOOP) {
            return key_err(path, "is a symlink; refused");
        }
        return key_err(path, "cannot open: " + errno_text(e));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return key_err(path, "cannot stat: " + errno_text(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return key_err(path, "not a regular file; refused");
    }
    const mode_t mode = st.st_mode & 07777U;
    if ((mode & 007U) != 0) {
        return key_err(path, "mode " + mode_text(mode) + " gives access to others; refused");
    }
    if (private_key && (mode & 077U) != 0) {
        return key_err(path, "mode " + mode_text(mode) +
                                 " gives access to the group; a private key must be 0600");
    }
    if (st.st_size < 0 || static_cast<std::size_t>(st.st_size) > kMaxFileSize) {
        return key_err(path, "too large for a key file");
    }
    // Read up to one byte more than the limit, so a file that grows after fstat is caught.
    SecretString text(kMaxFileSize + 1, '\0');
    std::size_t got = 0;
    while (got < text.size()) {
        const ssize_t r = ::read(fd.get(), text.data() + got, text.size() - got);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return key_err(path, "cannot read: " + errno_text(errno));
        }
        if (r == 0) {
            break;
        }
        got += static_cast<std::size_t>(r);
    }
    if (got > kMaxFileSize) {
        return key_err(path, "too large for a key file");
    }
    text.resize(got);

    // Exactly one line ending in '\n': a missing newline means a truncated file.
    const std::string_view all(text.data(), text.size());
    if (all.empty() || all.back() != '\n') {
        return key_err(path, "truncated or malformed (expected one line ending in a newline)");
    }
    std::string_view rest = all.substr(0, all.size() - 1);
    std::array<std::string_view, 5> field{};
    for (std::size_t i = 0; i < field.size(); ++i) {
        const std::size_t sp = rest.find(' ');
        if (i + 1 < field.size()) {
            if (sp == std::string_view::npos) {
                return key_err(path, "malformed (expected 'sealpost-key v1 <kind> <id> <key>')");
            }
            field[i] = rest.substr(0, sp);
            rest.remove_prefix(sp + 1);
        } else {
            field[i] = rest;
        }
    }
    if (field[0] != kMagic || field[1] != kVersion) {
        return key_err(path, "not a sealpost-key v1 file");
    }
    if (field[2] != kind) {
        return key_err(path, "wrong key kind (expected " + std::string(kind) + ")");
    }
    if (!is_key_id(field[3])) {
        return key_err(path, "malformed key id (expected 8 lower-case hex characters)");
    }
    auto key = crypto::base64url_decode(field[4]);
    if (!key || key->size() != crypto::kKeyLen) {
        return key_err(path, "key is not 32 bytes of base64url");
    }
    return KeyFile{std::string(field[3]), std::move(*key)};
}

/// Check that a symmetric key's file names the id the key derives to (a checksum too).
Result<SymmetricKey> read_symmetric(const fs::path& dir, std::string_view name,
                                    std::string_view kind, bool private_key) {
    SP_TRY(f, read_key_file(dir, name, kind, private_key));
    if (f.id != key_id(f.key)) {
        return key_err(dir / name, "key id does not match the key (corrupt file?)");
    }
    return SymmetricKey{std::move(f.key), std::move(f.id)};
}

Status write_all(int fd, std::string_view data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t w = ::write(fd, data.data() + done, data.size() - done);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return make_error(Errc::io, errno_text(errno));
        }
        done += static_cast<std::size_t>(w);
    }
    return {};
}

/// What keys_init created so far; removed again unless the init completes.
struct InitCleanup {
    int dirfd = -1;
    std::vector<std::string> temps;
    std::vector<std::string> linked;
    bool done = false;
    InitCleanup() = default;
    InitCleanup(const InitCleanup&) = delete;
    InitCleanup& operator=(const InitCleanup&) = delete;
    ~InitCleanup() {
        for (const auto& t : temps) {
            ::unlinkat(dirfd, t.c_str(), 0);
        }
        if (!done) {
            for (const auto& l : linked) {
                ::unlinkat(dirfd, l.c_str(), 0);
            }
        }
    }
};

struct NewFile {
    std::string_view name;
    std::string_view kind;
    std::string id;
    ByteView key;
};

}  // namespace

std::string key_id(ByteView key_material) {
    const auto mac = crypto::hmac_sha256(key_material, crypto::as_bytes(kIdLabel));
    return hex::encode(ByteView(mac.data(), 4));
}

Status keys_init(const fs::path& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT) {
            return io_error(dir, "stat", errno);
        }
        if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
            return io_error(dir, "mkdir", errno);
        }
        // The umask can only take bits away; set exactly 0700 in case it took the owner's.
        if (::chmod(dir.c_str(), 0700) != 0) {
            return io_error(dir, "chmod", errno);
        }
    } else if (!S_ISDIR(st.st_mode)) {
        return make_error(Errc::io, dir.string() + ": not a directory");
    }
    UniqueFd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dirfd) {
        return io_error(dir, "open", errno);
    }

    const std::array<std::string_view, 4> names = {kPepperFile, kEscrowPublicFile,
                                                   kEscrowPrivateFile, kContactsFile};
    for (const auto name : names) {
        struct stat fst {};
        if (::fstatat(dirfd.get(), std::string(name).c_str(), &fst, AT_SYMLINK_NOFOLLOW) == 0) {
            return make_error(Errc::exists,
                              (dir / name).string() + ": key file exists; refusing to overwrite");
        }
        if (errno != ENOENT) {
            return io_error(dir / name, "stat", errno);
        }
    }

    SP_TRY(pepper_key, crypto::random_bytes(crypto::kKeyLen));
    SP_TRY(escrow, crypto::x25519_generate());
    SP_TRY(contacts_key, crypto::random_bytes(crypto::kKeyLen));
    const std::string escrow_id = key_id(escrow.public_key);
    const std::array<NewFile, 4> files = {
        NewFile{kPepperFile, kKindPepper, key_id(pepper_key), pepper_key},
        NewFile{kEscrowPublicFile, kKindEscrowPublic, escrow_id, escrow.public_key},
        NewFile{kEscrowPrivateFile, kKindEscrowPrivate, escrow_id, escrow.private_key},
        NewFile{kContactsFile, kKindContacts, key_id(contacts_key), contacts_key},
    };

    InitCleanup cleanup;
    cleanup.dirfd = dirfd.get();
    for (const auto& f : files) {
        SP_TRY(rnd, crypto::random_bytes(6));
        // Built step by step: GCC 12 at -O3 reports a false -Wrestrict on chained operator+.
        std::string tmp = ".";
        tmp += f.name;
        tmp += ".tmp-";
        tmp += hex::encode(rnd);
        UniqueFd fd(::openat(dirfd.get(), tmp.c_str(),
                             O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd) {
            return io_error(dir / tmp, "create", errno);
        }
        cleanup.temps.push_back(tmp);
        if (::fchmod(fd.get(), 0600) != 0) {
            return io_error(dir / tmp, "fchmod", errno);
        }
        const SecretString text = format_key_file(f.kind, f.id, f.key);
        if (auto w = write_all(fd.get(), std::string_view(text.data(), text.size())); !w) {
            return make_error(Errc::io, (dir / tmp).string() + ": write: " + w.error().detail);
        }
        if (::fsync(fd.get()) != 0) {
            return io_error(dir / tmp, "fsync", errno);
        }
        if (fd.close_checked() != 0) {
            return io_error(dir / tmp, "close", errno);
        }
    }
    // link(2) fails with EEXIST rather than replacing, so a key that appeared since the check
    // above (a concurrent init) is never overwritten.
    for (std::size_t i = 0; i < files.size(); ++i) {
        const std::string name(files[i].name);
        if (::linkat(dirfd.get(), cleanup.temps[i].c_str(), dirfd.get(), name.c_str(), 0) != 0) {
            if (errno == EEXIST) {
                return make_error(Errc::exists, (dir / name).string() +
                                                    ": key file exists; refusing to overwrite");
            }
            return io_error(dir / name, "link", errno);
        }
        cleanup.linked.push_back(name);
    }
    for (const auto& t : cleanup.temps) {
        if (::unlinkat(dirfd.get(), t.c_str(), 0) != 0) {
            return io_error(dir / t, "unlink", errno);
        }
    }
    cleanup.temps.clear();
    // Make the new directory entries durable before reporting success.
    if (::fsync(dirfd.get()) != 0) {
        return io_error(dir, "fsync", errno);
    }
    cleanup.done = true;
    return {};
}

bool keys_absent(const fs::path& dir) {
    for (std::string_view name :
         {kPepperFile, kEscrowPublicFile, kEscrowPrivateFile, kContactsFile}) {
        std::error_code ec;
        if (fs::exists(dir / name, ec) || ec) {
            return false;
        }
    }
    return true;
}

Result<KeyRing> keys_load(const fs::path& dir, unsigned needs) {
    if ((needs & ~kAllKeys) != 0) {
        return make_error(Errc::invalid_argument, "keys_load: unknown KeyNeed bits");
    }
    KeyRing ring;
    if ((needs & pepper) != 0) {
        SP_TRY(k, read_symmetric(dir, kPepperFile, kKindPepper, false));
        ring.pepper = std::move(k);
        ring.loaded |= pepper;
    }
    if ((needs & (escrow_public | escrow_private)) != 0) {
        SP_TRY(f, read_key_file(dir, kEscrowPublicFile, kKindEscrowPublic, false));
        if (f.id != key_id(f.key)) {
            return key_err(dir / kEscrowPublicFile,
                           "key id does not match the key (corrupt file?)");
        }
        ring.escrow_public.assign(f.key.begin(), f.key.end());
        ring.escrow_id = std::move(f.id);
        ring.loaded |= escrow_public;
    }
    if ((needs & escrow_private) != 0) {
        SP_TRY(f, read_key_file(dir, kEscrowPrivateFile, kKindEscrowPrivate, true));
        auto derived = crypto::x25519_public_of(f.key);
        if (!derived) {
            return key_err(dir / kEscrowPrivateFile, "not a usable X25519 private key");
        }
        if (!crypto::ct_equal(*derived, ring.escrow_public)) {
            return key_err(dir / kEscrowPrivateFile, "does not match escrow.pub");
        }
        if (f.id != ring.escrow_id) {
            return key_err(dir / kEscrowPrivateFile, "key id differs from escrow.pub");
        }
        ring.escrow_pair = crypto::X25519KeyPair{std::move(f.key), ring.escrow_public};
        ring.loaded |= escrow_private;
    }
    if ((needs & contacts) != 0) {
        SP_TRY(k, read_symmetric(dir, kContactsFile, kKindContacts, true));
        ring.contacts = std::move(k);
        ring.loaded |= contacts;
    }
    return ring;
}

}  // namespace sealpost::keys
