// SPDX-License-Identifier: Apache-2.0
// Sender addresses bound to local logins (see proxy_senders.hpp).
#include "proxy/proxy_senders.hpp"

#include "core/core_ascii.hpp"
#include "mime/mime_header_fields.hpp"

namespace sealpost::proxy {

namespace {

/// A character that may stand in a users-file entry.
bool entry_char(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) {
        return false;
    }
    constexpr std::string_view kSpecials = "<>\",:;()[]\\";
    return kSpecials.find(c) == std::string_view::npos;
}

/// RFC 5322 atext and `.` (a dot-atom local part), and UTF-8 (RFC 6531) bytes.
bool local_char(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
        return true;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    constexpr std::string_view kAtext = "!#$%&'*+-/=?^_`{|}~.";
    return kAtext.find(c) != std::string_view::npos;
}

/// Letters, digits, `-`, `.` of a domain, a domain literal's brackets, and UTF-8 (IDN).
bool domain_char(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '[' || c == ']';
}

/// Every `local@domain` written anywhere in `text`: for each `@`, the longest run of local
/// characters before it and of domain characters after it (trailing dots dropped). A run
/// between two `@` counts on both sides, so `a@b.ch@c.ch` gives `a@b.ch` and `b.ch@c.ch`.
std::vector<std::string> written_addresses(std::string_view text) {
    std::vector<std::string> out;
    for (std::size_t at = text.find('@'); at != std::string_view::npos;
         at = text.find('@', at + 1)) {
        std::size_t b = at;
        while (b > 0 && local_char(text[b - 1])) {
            --b;
        }
        std::size_t e = at + 1;
        while (e < text.size() && domain_char(text[e])) {
            ++e;
        }
        std::string_view domain = text.substr(at + 1, e - at - 1);
        while (!domain.empty() && domain.back() == '.') {
            domain.remove_suffix(1);
        }
        if (b == at && domain.empty()) {
            continue;  // a lone `@`: nothing that reads as an address
        }
        out.emplace_back(std::string(text.substr(b, at - b)) + "@" + std::string(domain));
    }
    return out;
}

}  // namespace

Result<SenderRules> SenderRules::parse(std::string_view list) {
    SenderRules r;
    if (trim_blank(list).empty()) {
        return make_error(Errc::invalid_argument, "empty sender list");
    }
    std::size_t n = 0;
    while (true) {
        ++n;
        const auto comma = list.find(',');
        const std::string_view entry = trim_blank(list.substr(0, comma));
        const std::string where = "sender entry " + std::to_string(n);
        if (entry.empty()) {
            return make_error(Errc::invalid_argument, where + " is empty");
        }
        for (const char c : entry) {
            if (!entry_char(c)) {
                return make_error(Errc::invalid_argument, where + " is not an address or @domain");
            }
        }
        const auto at = entry.find('@');
        if (at == std::string_view::npos || entry.find('@', at + 1) != std::string_view::npos ||
            at + 1 == entry.size()) {
            return make_error(Errc::invalid_argument, where + " is not an address or @domain");
        }
        if (at == 0) {
            r.domains_.push_back(ascii_lowered(entry.substr(1)));
        } else {
            r.addresses_.push_back(ascii_lowered(entry));
        }
        if (comma == std::string_view::npos) {
            break;
        }
        list.remove_prefix(comma + 1);
    }
    return r;
}

SenderRules SenderRules::for_login(std::string_view login) {
    auto r = parse(login);
    if (r && r->domains_.empty()) {
        return std::move(r).value();
    }
    return {};
}

bool SenderRules::allows(std::string_view address) const {
    const auto at = address.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == address.size() ||
        address.find('@') != at) {
        return false;
    }
    const std::string a = ascii_lowered(address);
    for (const auto& x : addresses_) {
        if (x == a) {
            return true;
        }
    }
    const std::string_view domain = std::string_view(a).substr(at + 1);
    for (const auto& d : domains_) {
        if (d == domain) {
            return true;
        }
    }
    return false;
}

std::optional<std::string_view> foreign_originator(const SenderRules& rules,
                                                   std::string_view message) {
    std::optional<std::string_view> bad;
    std::size_t fields = 0;
    std::size_t from_mailboxes = 0;
    mime::visit_header_fields(message, [&](const mime::HeaderField& f) {
        std::optional<std::string_view> which;
        for (const auto name : kOriginatorFields) {
            if (mime::same_field_name(f.name, name)) {
                which = name;
            }
        }
        if (!which || bad) {
            return;
        }
        if (++fields > kMaxOriginatorFields) {
            bad = kOriginatorFields[0];
            return;
        }
        if (f.value.size() > kMaxOriginatorBytes) {
            bad = which;
            return;
        }
        const auto mailboxes = mime::parse_address_list(f.value);
        if (*which == kOriginatorFields[0]) {
            from_mailboxes += mailboxes.size();
        }
        bool ok = true;
        for (const auto& m : mailboxes) {
            ok = ok && rules.allows(m);
        }
        const std::string raw = mime::unfold(f.value);
        for (const auto& text : {raw, mime::decode_unstructured(raw)}) {
            for (const auto& a : written_addresses(text)) {
                ok = ok && rules.allows(a);
            }
        }
        if (!ok) {
            bad = which;
        }
    });
    if (!bad && from_mailboxes == 0) {
        bad = kOriginatorFields[0];
    }
    return bad;
}

}  // namespace sealpost::proxy
