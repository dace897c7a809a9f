// SPDX-License-Identifier: Apache-2.0
// SMTP command and MAIL/RCPT argument parsing (RFC 5321 4.1.1, 4.1.2; RFC 1870, 6152, 6531,
// 3461). Strict where it matters for safety (controls, paths), lenient on case and `FROM: <a>`.
#include "smtp/smtp_command.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <variant>

namespace sealpost::smtp {

namespace {

char upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string to_upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), upper);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return upper(x) == upper(y); });
}

bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool is_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
}

/// RFC 3461 4: xtext is printable ASCII 33..126 except '+' and '=', or `+HH`.
bool valid_xtext(std::string_view s, std::size_t max) {
    if (s.empty() || s.size() > max) {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto u = static_cast<unsigned char>(s[i]);
        if (s[i] == '+') {
            if (i + 2 >= s.size()) {
                return false;
            }
            auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); };
            if (!hex(s[i + 1]) || !hex(s[i + 2])) {
                return false;
            }
            i += 2;
        } else if (u < 33 || u > 126 || s[i] == '=') {
            return false;
        }
    }
    return true;
}

struct PathAndParams {
    std::string path;
    std::vector<std::pair<std::string, std::string>> params;  ///< keyword upper-cased
};

/// Parses `<path> params...` after `FROM:`/`TO:` (RFC 5321 4.1.2). Tolerates one space
/// before `<` (many clients send it). Strips an RFC 5321 source route `@a,@b:`.
std::optional<PathAndParams> split_path(std::string_view rest) {
    if (!rest.empty() && rest.front() == ' ') {
        rest.remove_prefix(1);
    }
    if (rest.empty() || rest.front() != '<') {
        return std::nullopt;
    }
    // Find the closing '>' outside a quoted local part.
    bool quoted = false;
    std::size_t close = std::string_view::npos;
    for (std::size_t i = 1; i < rest.size(); ++i) {
        const char c = rest[i];
        if (quoted && c == '\\') {
            ++i;
            continue;
        }
        if (c == '"') {
            quoted = !quoted;
        } else if (c == '>' && !quoted) {
            close = i;
            break;
        }
    }
    if (close == std::string_view::npos) {
        return std::nullopt;
    }
    PathAndParams out;
    std::string_view path = rest.substr(1, close - 1);
    if (!path.empty() && path.front() == '@') {
        const auto colon = path.find(':');
        if (colon == std::string_view::npos) {
            return std::nullopt;
        }
        path.remove_prefix(colon + 1);
    }
    out.path = std::string(path);
    std::string_view params = rest.substr(close + 1);
    while (!params.empty()) {
        if (params.front() != ' ') {
            return std::nullopt;
        }
        while (!params.empty() && params.front() == ' ') {
            params.remove_prefix(1);
        }
        if (params.empty()) {
            break;
        }
        const auto sp = params.find(' ');
        const std::string_view kv = params.substr(0, sp);
        params = sp == std::string_view::npos ? std::string_view{} : params.substr(sp);
        const auto eq = kv.find('=');
        std::string key = to_upper(kv.substr(0, eq));
        std::string value =
            eq == std::string_view::npos ? std::string() : std::string(kv.substr(eq + 1));
        if (key.empty() || (eq != std::string_view::npos && value.empty())) {
            return std::nullopt;
        }
        out.params.emplace_back(std::move(key), std::move(value));
    }
    return out;
}

bool has_non_ascii(std::string_view s) {
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) > 0x7f; });
}

}  // namespace

std::string_view verb_name(Verb v) noexcept {
    switch (v) {
        case Verb::helo:
            return "HELO";
        case Verb::ehlo:
            return "EHLO";
        case Verb::mail:
            return "MAIL";
        case Verb::rcpt:
            return "RCPT";
        case Verb::data:
            return "DATA";
        case Verb::rset:
            return "RSET";
        case Verb::noop:
            return "NOOP";
        case Verb::quit:
            return "QUIT";
        case Verb::vrfy:
            return "VRFY";
        case Verb::expn:
            return "EXPN";
        case Verb::help:
            return "HELP";
        case Verb::starttls:
            return "STARTTLS";
        case Verb::auth:
            return "AUTH";
        case Verb::bdat:
            return "BDAT";
        case Verb::unknown:
            return "UNKNOWN";
    }
    return "UNKNOWN";
}

Result<Command> parse_command(std::string_view line) {
    for (char c : line) {
        if (c == '\0' || c == '\r' || c == '\n') {
            return make_error(Errc::invalid_argument, "control character in command");
        }
    }
    const auto sp = line.find(' ');
    const std::string_view verb = line.substr(0, sp);
    for (char c : verb) {
        if (is_control(c) || static_cast<unsigned char>(c) > 0x7f) {
            return make_error(Errc::invalid_argument, "bad verb");
        }
    }
    static constexpr std::array<Verb, 14> verbs = {
        Verb::helo, Verb::ehlo, Verb::mail, Verb::rcpt, Verb::data,     Verb::rset, Verb::noop,
        Verb::quit, Verb::vrfy, Verb::expn, Verb::help, Verb::starttls, Verb::auth, Verb::bdat};
    Command cmd;
    for (Verb v : verbs) {
        if (iequals(verb, verb_name(v))) {
            cmd.verb = v;
            break;
        }
    }
    if (sp != std::string_view::npos) {
        cmd.args = std::string(line.substr(sp + 1));
    }
    return cmd;
}

bool valid_mailbox(std::string_view address, bool allow_utf8) {
    // RFC 5321 4.5.3.1: local part 64, domain 255, path 256 including the brackets.
    if (address.empty() || address.size() > 254) {
        return false;
    }
    if (!allow_utf8 && has_non_ascii(address)) {
        return false;
    }
    const auto at = address.rfind('@');
    if (at == std::string_view::npos) {
        return iequals(address, "postmaster");
    }
    const std::string_view local = address.substr(0, at);
    const std::string_view domain = address.substr(at + 1);
    if (local.empty() || local.size() > 64 || domain.empty() || domain.size() > 255) {
        return false;
    }
    bool quoted = local.size() >= 2 && local.front() == '"' && local.back() == '"';
    for (char c : local) {
        // RFC 5321 4.1.2: an unquoted local part is a dot-string, so specials such as '@' and
        // ':' make it a source route or an ambiguous address (found by fuzz_smtp_command).
        if (is_control(c) ||
            (!quoted && std::string_view(" <>,@:;\\\"()[]").find(c) != std::string_view::npos)) {
            return false;
        }
    }
    if (domain.front() == '[') {
        // Address literal (RFC 5321 4.1.3): keep it simple, only printable characters.
        return domain.back() == ']' && std::none_of(domain.begin(), domain.end(), is_control);
    }
    if (domain.front() == '.' || domain.back() == '.' ||
        domain.find("..") != std::string_view::npos) {
        return false;
    }
    for (char c : domain) {
        const auto u = static_cast<unsigned char>(c);
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '.' || (u > 0x7f && allow_utf8);
        if (!ok) {
            return false;
        }
    }
    return true;
}

std::variant<MailArgs, ArgFailure> parse_mail(std::string_view args, const ParamPolicy& policy) {
    if (!istarts_with(args, "FROM:")) {
        return ArgFailure{ArgError::syntax, "MAIL without FROM:"};
    }
    auto split = split_path(args.substr(5));
    if (!split) {
        return ArgFailure{ArgError::syntax, "bad reverse-path syntax"};
    }
    MailArgs out;
    out.reverse_path = std::move(split->path);
    for (auto& [key, value] : split->params) {
        if (key == "SIZE" && policy.size) {
            std::uint64_t n = 0;
            const auto* end = value.data() + value.size();
            auto [p, ec] = std::from_chars(value.data(), end, n);
            if (ec != std::errc{} || p != end || value.size() > 20) {
                return ArgFailure{ArgError::bad_param, "bad SIZE"};
            }
            out.size = n;
        } else if (key == "BODY" && policy.eightbitmime) {
            const std::string v = to_upper(value);
            if (v != "7BIT" && v != "8BITMIME") {
                return ArgFailure{ArgError::bad_param, "bad BODY"};
            }
            out.body = v;
        } else if (key == "SMTPUTF8" && policy.smtputf8 && value.empty()) {
            out.smtputf8 = true;
        } else if (key == "RET" && policy.dsn) {
            const std::string v = to_upper(value);
            if (v != "FULL" && v != "HDRS") {
                return ArgFailure{ArgError::bad_param, "bad RET"};
            }
            out.ret = v;
        } else if (key == "ENVID" && policy.dsn) {
            if (!valid_xtext(value, 100)) {
                return ArgFailure{ArgError::bad_param, "bad ENVID"};
            }
            out.envid = value;
        } else {
            return ArgFailure{ArgError::unknown_param, "unsupported MAIL parameter"};
        }
    }
    if (!out.reverse_path.empty()) {
        if (has_non_ascii(out.reverse_path) && !out.smtputf8) {
            return ArgFailure{ArgError::need_utf8, "non-ASCII sender without SMTPUTF8"};
        }
        if (!valid_mailbox(out.reverse_path, out.smtputf8) ||
            out.reverse_path.find('@') == std::string::npos) {
            return ArgFailure{ArgError::bad_address, "bad sender address"};
        }
    }
    return out;
}

std::variant<RcptArgs, ArgFailure> parse_rcpt(std::string_view args, const ParamPolicy& policy,
                                              bool smtputf8) {
    if (!istarts_with(args, "TO:")) {
        return ArgFailure{ArgError::syntax, "RCPT without TO:"};
    }
    auto split = split_path(args.substr(3));
    if (!split) {
        return ArgFailure{ArgError::syntax, "bad forward-path syntax"};
    }
    RcptArgs out;
    out.forward_path = std::move(split->path);
    for (auto& [key, value] : split->params) {
        if (key == "NOTIFY" && policy.dsn) {
            const std::string v = to_upper(value);
            // RFC 3461 4.1: NEVER alone, or a list of SUCCESS, FAILURE, DELAY.
            bool ok = !v.empty();
            if (v != "NEVER") {
                std::string_view rest = v;
                while (ok && !rest.empty()) {
                    const auto comma = rest.find(',');
                    const auto item = rest.substr(0, comma);
                    ok = item == "SUCCESS" || item == "FAILURE" || item == "DELAY";
                    rest = comma == std::string_view::npos ? std::string_view{}
                                                           : rest.substr(comma + 1);
                }
            }
            if (!ok) {
                return ArgFailure{ArgError::bad_param, "bad NOTIFY"};
            }
            out.notify = v;
        } else if (key == "ORCPT" && policy.dsn) {
            const auto semi = value.find(';');
            if (semi == std::string::npos || semi == 0 ||
                !valid_xtext(std::string_view(value).substr(semi + 1), 500)) {
                return ArgFailure{ArgError::bad_param, "bad ORCPT"};
            }
            out.orcpt = value;
        } else {
            return ArgFailure{ArgError::unknown_param, "unsupported RCPT parameter"};
        }
    }
    if (has_non_ascii(out.forward_path) && !smtputf8) {
        return ArgFailure{ArgError::need_utf8, "non-ASCII recipient without SMTPUTF8"};
    }
    if (!valid_mailbox(out.forward_path, smtputf8)) {
        return ArgFailure{ArgError::bad_address, "bad recipient address"};
    }
    return out;
}

std::string MailArgs::serialize(bool with_dsn) const {
    std::string s = "MAIL FROM:<" + reverse_path + ">";
    if (size) {
        s += " SIZE=" + std::to_string(*size);
    }
    if (!body.empty()) {
        s += " BODY=" + body;
    }
    if (smtputf8) {
        s += " SMTPUTF8";
    }
    if (with_dsn && !ret.empty()) {
        s += " RET=" + ret;
    }
    if (with_dsn && !envid.empty()) {
        s += " ENVID=" + envid;
    }
    return s;
}

std::string RcptArgs::serialize(bool with_dsn) const {
    std::string s = "RCPT TO:<" + forward_path + ">";
    if (with_dsn && !notify.empty()) {
        s += " NOTIFY=" + notify;
    }
    if (with_dsn && !orcpt.empty()) {
        s += " ORCPT=" + orcpt;
    }
    return s;
}

}  // namespace sealpost::smtp
