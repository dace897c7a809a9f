// SPDX-License-Identifier: Apache-2.0
// Error values for the data path: Result<T> holds either a T or an Error.
// Exceptions are for startup and config only; everything that handles client input returns these.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace sealpost {

/// What went wrong, coarse enough to map to one SMTP or HTTP reply in one place.
enum class Errc {
    invalid_argument,  ///< caller passed something malformed
    not_found,         ///< no such record (unknown envelope id, contact, ...)
    bad_token,         ///< a link token that does not open anything (wrong or unknown)
    expired,           ///< the link's validity has passed, data still retained
    revoked,           ///< revoked or purged: never to be opened again
    locked,            ///< locked by too many failed attempts
    auth_failed,       ///< authentication of ciphertext or a secret failed
    corrupt,           ///< a stored record cannot be decoded
    vault_full,        ///< map reached vault.max_size (SMTP 452 4.3.1)
    key_error,         ///< a key file is missing, malformed or has unsafe permissions
    io,                ///< filesystem or OS error
    exists,            ///< would overwrite something that must not be overwritten
    unavailable,       ///< a dependency (upstream, SMS gateway) is down
    internal,          ///< a bug or a library failure that has no better name
};

/// Short stable name of an error code, for logs (`err=bad_token`).
constexpr std::string_view errc_name(Errc c) noexcept {
    switch (c) {
        case Errc::invalid_argument:
            return "invalid_argument";
        case Errc::not_found:
            return "not_found";
        case Errc::bad_token:
            return "bad_token";
        case Errc::expired:
            return "expired";
        case Errc::revoked:
            return "revoked";
        case Errc::locked:
            return "locked";
        case Errc::auth_failed:
            return "auth_failed";
        case Errc::corrupt:
            return "corrupt";
        case Errc::vault_full:
            return "vault_full";
        case Errc::key_error:
            return "key_error";
        case Errc::io:
            return "io";
        case Errc::exists:
            return "exists";
        case Errc::unavailable:
            return "unavailable";
        case Errc::internal:
            return "internal";
    }
    return "unknown";
}

/// An error code plus a detail for operators' logs and the CLI. The detail never reaches a
/// mail client or a patient, and never holds a secret.
struct Error {
    Errc code;
    std::string detail;
};

inline Error make_error(Errc c, std::string detail = {}) {
    return Error{c, std::move(detail)};
}

/// A value or an Error. Check with `ok()` / `operator bool` before `value()`.
template <class T>
class [[nodiscard]] Result {
  public:
    Result(T v)
        : v_(std::in_place_index<0>, std::move(v)) {}  // NOLINT(google-explicit-constructor)
    Result(Error e)
        : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const& { return std::get<1>(v_); }
    Error&& error() && { return std::get<1>(std::move(v_)); }

  private:
    std::variant<T, Error> v_;
};

/// Result<void>: success, or an Error.
template <>
class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error e) : err_(std::move(e)), failed_(true) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const noexcept { return !failed_; }
    explicit operator bool() const noexcept { return ok(); }
    const Error& error() const& { return err_; }
    Error&& error() && { return std::move(err_); }

  private:
    Error err_{Errc::internal, {}};
    bool failed_ = false;
};

using Status = Result<void>;

/// The outcome of `r` without its value: for calls made for their effect.
template <class T>
Status status_of(Result<T>&& r) {
    if (!r) {
        return std::move(r).error();
    }
    return {};
}

}  // namespace sealpost

/// Propagate an error: `SP_TRY(x, expr);` declares `x` from a Result or returns its error.
#define SP_TRY_CONCAT_(a, b) a##b
#define SP_TRY_NAME_(line) SP_TRY_CONCAT_(sp_try_tmp_, line)
#define SP_TRY(var, expr)                                 \
    auto SP_TRY_NAME_(__LINE__) = (expr);                 \
    if (!SP_TRY_NAME_(__LINE__)) {                        \
        return std::move(SP_TRY_NAME_(__LINE__)).error(); \
    }                                                     \
    auto var = std::move(SP_TRY_NAME_(__LINE__)).value() /* NOLINT(bugprone-macro-parentheses) */
/// Propagate the error of a Status-returning call.
#define SP_CHECK(expr)                               \
    do {                                             \
        auto sp_check_tmp_ = (expr);                 \
        if (!sp_check_tmp_) {                        \
            return std::move(sp_check_tmp_).error(); \
        }                                            \
    } while (false)
