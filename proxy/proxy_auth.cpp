// SPDX-License-Identifier: Apache-2.0
// scrypt users file for auth = local (RFC 7914 via OpenSSL 3 EVP_KDF "SCRYPT").
#include "proxy/proxy_auth.hpp"

#include <sys/stat.h>
#include <charconv>
#include <fstream>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "core/core_log.hpp"
#include "core/core_openssl.hpp"
#include "crypto/crypto_compare.hpp"
#include "crypto/crypto_random.hpp"
#include "crypto/crypto_secret.hpp"
#include "smtp/smtp_sasl.hpp"

namespace sealpost::proxy {

namespace {

std::optional<unsigned> parse_uint(std::string_view s) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) {
        return std::nullopt;
    }
    return v;
}

}  // namespace

Result<std::string> scrypt_derive(std::string_view password, std::string_view salt, unsigned ln,
                                  unsigned r, unsigned p, std::size_t len) {
    ossl::Kdf kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
    if (!kdf) {
        return make_error(Errc::internal, "EVP_KDF_fetch SCRYPT: " + ossl::take_error());
    }
    ossl::KdfCtx ctx(EVP_KDF_CTX_new(kdf.get()));
    if (!ctx) {
        return make_error(Errc::internal, "EVP_KDF_CTX_new: " + ossl::take_error());
    }
    std::uint64_t n = std::uint64_t{1} << ln;
    std::uint32_t r32 = r;
    std::uint32_t p32 = p;
    // Memory is 128 * r * (N + p) bytes; allow that plus slack (the default cap is lower).
    std::uint64_t maxmem = 128ULL * r * (n + p + 2) + (1ULL << 20);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
                                          const_cast<char*>(password.data()), password.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()),
                                          salt.size()),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r32),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p32),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
        OSSL_PARAM_construct_end(),
    };
    std::string out(len, '\0');
    if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), len, params) != 1) {
        return make_error(Errc::internal, "scrypt: " + ossl::take_error());
    }
    return out;
}

Result<ScryptHash> parse_scrypt_hash(std::string_view text) {
    constexpr std::string_view prefix = "$scrypt$";
    if (text.substr(0, prefix.size()) != prefix) {
        return make_error(Errc::invalid_argument, "not a $scrypt$ hash");
    }
    text.remove_prefix(prefix.size());
    const auto d1 = text.find('$');
    const auto d2 = d1 == std::string_view::npos ? d1 : text.find('$', d1 + 1);
    if (d2 == std::string_view::npos || text.find('$', d2 + 1) != std::string_view::npos) {
        return make_error(Errc::invalid_argument, "expected $scrypt$PARAMS$SALT$KEY");
    }
    ScryptHash h;
    bool have_ln = false;
    bool have_r = false;
    bool have_p = false;
    std::string_view params = text.substr(0, d1);
    while (!params.empty()) {
        const auto comma = params.find(',');
        const auto item = params.substr(0, comma);
        params = comma == std::string_view::npos ? std::string_view{} : params.substr(comma + 1);
        const auto eq = item.find('=');
        if (eq == std::string_view::npos) {
            return make_error(Errc::invalid_argument, "bad scrypt parameter");
        }
        const auto v = parse_uint(item.substr(eq + 1));
        const auto k = item.substr(0, eq);
        if (!v) {
            return make_error(Errc::invalid_argument, "bad scrypt parameter value");
        }
        if (k == "ln") {
            h.ln = *v;
            have_ln = true;
        } else if (k == "r") {
            h.r = *v;
            have_r = true;
        } else if (k == "p") {
            h.p = *v;
            have_p = true;
        } else {
            return make_error(Errc::invalid_argument, "unknown scrypt parameter");
        }
    }
    if (!have_ln || !have_r || !have_p) {
        return make_error(Errc::invalid_argument, "scrypt needs ln, r and p");
    }
    if (h.ln < 10 || h.ln > 20 || h.r < 1 || h.r > 32 || h.p < 1 || h.p > 16) {
        return make_error(Errc::invalid_argument, "scrypt parameters out of range");
    }
    auto salt = smtp::base64_decode(text.substr(d1 + 1, d2 - d1 - 1));
    auto key = smtp::base64_decode(text.substr(d2 + 1));
    if (!salt || !key) {
        return make_error(Errc::invalid_argument, "bad base64 in scrypt hash");
    }
    h.salt = std::string(salt->view());
    h.key = std::string(key->view());
    if (h.salt.size() < 16 || h.salt.size() > 64 || h.key.size() < 32 || h.key.size() > 64) {
        return make_error(Errc::invalid_argument, "scrypt salt or key length out of range");
    }
    return h;
}

Result<std::string> make_scrypt_hash(std::string_view password, unsigned ln, unsigned r,
                                     unsigned p) {
    std::string salt(16, '\0');
    SP_CHECK(crypto::random_fill(
        std::span(reinterpret_cast<std::uint8_t*>(salt.data()), salt.size())));  // NOLINT
    SP_TRY(key, scrypt_derive(password, salt, ln, r, p, 32));
    return "$scrypt$ln=" + std::to_string(ln) + ",r=" + std::to_string(r) +
           ",p=" + std::to_string(p) + "$" + smtp::base64_encode(salt) + "$" +
           smtp::base64_encode(key);
}

Result<UserDb> UserDb::parse(std::string_view text) {
    UserDb db;
    std::size_t lineno = 0;
    while (!text.empty()) {
        ++lineno;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line.empty() || line.front() == '#') {
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            return make_error(Errc::invalid_argument,
                              "line " + std::to_string(lineno) + ": expected user:hash");
        }
        // The hash holds no ':' (its parameters use ',' and '=', base64 has none), so a third
        // ':' starts the sender list.
        const std::string_view rest = line.substr(colon + 1);
        const auto colon2 = rest.find(':');
        auto h = parse_scrypt_hash(rest.substr(0, colon2));
        if (!h) {
            return make_error(Errc::invalid_argument,
                              "line " + std::to_string(lineno) + ": " + h.error().detail);
        }
        const std::string_view name = line.substr(0, colon);
        Account account{std::move(*h), SenderRules::for_login(name)};
        if (colon2 != std::string_view::npos) {
            auto senders = SenderRules::parse(rest.substr(colon2 + 1));
            if (!senders) {
                return make_error(Errc::invalid_argument,
                                  "line " + std::to_string(lineno) + ": " + senders.error().detail);
            }
            account.senders = std::move(*senders);
        }
        if (!db.users_.emplace(std::string(name), std::move(account)).second) {
            return make_error(Errc::invalid_argument,
                              "line " + std::to_string(lineno) + ": duplicate user");
        }
    }
    // The dummy uses the first account's cost so an unknown name costs the same time.
    db.dummy_.salt = std::string(16, 'x');
    db.dummy_.key = std::string(32, '\0');
    if (!db.users_.empty()) {
        const auto& first = db.users_.begin()->second.hash;
        db.dummy_.ln = first.ln;
        db.dummy_.r = first.r;
        db.dummy_.p = first.p;
    }
    return db;
}

UserDb UserDb::load(const std::filesystem::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        throw std::runtime_error("users file " + file.string() + " cannot be read");
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        throw std::runtime_error("users file " + file.string() +
                                 " is readable by others; chmod 600 it");
    }
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto db = parse(ss.str());
    if (!db) {
        throw std::runtime_error("users file " + file.string() + ": " + db.error().detail);
    }
    for (const auto& [name, account] : db->users_) {
        if (account.senders.empty()) {
            // Allowed (e.g. while an account is being set up), but every MAIL it sends fails.
            log::warn("proxy.users_file")
                .kv("user", log::mask_address(name))
                .kv("problem", "no_sender_addresses");
        }
    }
    return std::move(db).value();
}

const SenderRules* UserDb::senders(std::string_view user) const {
    const auto it = users_.find(user);
    return it == users_.end() ? nullptr : &it->second.senders;
}

bool UserDb::verify(std::string_view user, std::string_view password) const {
    const auto it = users_.find(user);
    const ScryptHash& h = it == users_.end() ? dummy_ : it->second.hash;
    auto derived = scrypt_derive(password, h.salt, h.ln, h.r, h.p, h.key.size());
    if (!derived) {
        return false;
    }
    const bool same = crypto::ct_equal(crypto::as_bytes(*derived), crypto::as_bytes(h.key));
    crypto::wipe(*derived);
    return same && it != users_.end();
}

}  // namespace sealpost::proxy
