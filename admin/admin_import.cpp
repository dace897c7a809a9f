// SPDX-License-Identifier: Apache-2.0
// Contacts import: per-row checks shared by the CSV and vCard importers, and reading the file
// (bounded) before handing it to the right importer.
#include "admin/admin_import.hpp"

#include <algorithm>
#include <fstream>

#include "admin/admin_format.hpp"
#include "admin/admin_import_csv.hpp"
#include "admin/admin_import_vcard.hpp"
#include "core/core_phone.hpp"

namespace sealpost::admin {
namespace {

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5322 3.2.3 atext: the characters allowed in a dot-atom besides '.'.
bool is_atext(char c) {
    return is_alnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool valid_local_part(std::string_view local) {
    // RFC 5321 4.5.3.1.1: at most 64 octets. Quoted local parts are legal but never seen in a
    // patient's address book; refusing them keeps the check simple and safe.
    if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.') {
        return false;
    }
    char prev = 0;
    for (char c : local) {
        if (c == '.' ? prev == '.' : !is_atext(c)) {
            return false;
        }
        prev = c;
    }
    return true;
}

bool valid_domain(std::string_view domain) {
    // RFC 1035 2.3.1 / RFC 5321 4.5.3.1.2: labels of letters, digits and hyphens, at most 63
    // octets each, 255 in all; a recipient domain needs at least two labels.
    if (domain.empty() || domain.size() > 253) {
        return false;
    }
    std::size_t labels = 0;
    std::size_t start = 0;
    while (start <= domain.size()) {
        std::size_t end = domain.find('.', start);
        if (end == std::string_view::npos) {
            end = domain.size();
        }
        std::string_view label = domain.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
            return false;
        }
        if (!std::all_of(label.begin(), label.end(),
                         [](char c) { return is_alnum(c) || c == '-'; })) {
            return false;
        }
        ++labels;
        start = end + 1;
    }
    return labels >= 2;
}

}  // namespace

std::string plain_spaces(std::string_view input) {
    std::string out;
    out.reserve(input.size());
    for (std::size_t i = 0; i < input.size(); ++i) {
        const std::string_view rest = input.substr(i);
        if (rest.substr(0, 2) == "\xC2\xA0") {
            out += ' ';
            i += 1;
        } else if (rest.substr(0, 3) == "\xE2\x80\xAF" || rest.substr(0, 3) == "\xE2\x80\x87") {
            out += ' ';
            i += 2;
        } else {
            out += input[i];
        }
    }
    return out;
}

Result<std::string> check_email(std::string_view email) {
    email = trim(email);
    const std::size_t at = email.rfind('@');
    if (email.size() > 254 || at == std::string_view::npos ||
        !valid_local_part(email.substr(0, at)) || !valid_domain(email.substr(at + 1))) {
        return make_error(Errc::invalid_argument, "bad email address: " + printable(email));
    }
    // Stored lower-cased so that the proxy's lookup of `Anna@Example.ch` finds it; no
    // provider a practice writes to treats local parts case-sensitively.
    return to_lower(email);
}

Result<std::string> check_lang(std::string_view lang) {
    lang = trim(lang);
    std::string l = to_lower(lang);
    if (l.empty() || l == "de" || l == "fr" || l == "it" || l == "en") {
        return l;
    }
    return make_error(Errc::invalid_argument,
                      "unknown language: " + printable(lang) + " (use de, fr, it or en)");
}

void add_row(ImportResult& out, std::size_t line, std::string_view email, std::string_view phone,
             std::string_view lang) {
    auto fail = [&](std::string reason) { out.issues.push_back({line, std::move(reason)}); };
    if (trim(email).empty()) {
        return fail("missing email address");
    }
    auto e = check_email(email);
    if (!e) {
        return fail(e.error().detail);
    }
    phone = trim(phone);
    if (phone.empty()) {
        return fail("missing mobile number");
    }
    auto p = normalize_phone(plain_spaces(phone), "CH", out.accept_landline);
    if (!p) {
        return fail(phone_refusal(p.error()) + ": " + printable(phone));
    }
    auto l = check_lang(lang);
    if (!l) {
        return fail(l.error().detail);
    }
    if (auto it = out.seen.find(*e); it != out.seen.end()) {
        return fail("duplicate of line " + std::to_string(it->second) + ": " + *e);
    }
    out.seen.emplace(*e, line);
    out.contacts.push_back({std::move(*e), std::move(p->e164), std::move(*l), line});
}

ImportFormat detect_format(const std::filesystem::path& path, std::string_view text) {
    const std::string ext = to_lower(path.extension().string());
    if (ext == ".vcf" || ext == ".vcard") {
        return ImportFormat::vcard;
    }
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);
    }
    if (to_lower(text.substr(0, 11)) == "begin:vcard") {
        return ImportFormat::vcard;
    }
    return ImportFormat::csv;
}

std::string phone_refusal(const Error& e) {
    if (e.detail == "landline number") {
        // What to do, not only what is wrong (issue #18): the code can reach it only by a call.
        return "landline number, no SMS possible (give a mobile number, or configure [voice] "
               "to call it with the code)";
    }
    return e.detail;
}

Result<ImportResult> import_contacts_file(const std::filesystem::path& path, bool accept_landline) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        return make_error(Errc::io, path.string() + ": is a directory");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return make_error(Errc::io, path.string() + ": cannot open file");
    }
    // Read one byte past the limit so an oversize file is detected without reading it whole.
    std::string text(kMaxImportBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) {
        return make_error(Errc::io, path.string() + ": read error");
    }
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxImportBytes) {
        return make_error(Errc::invalid_argument, path.string() + ": file larger than 10 MiB");
    }
    auto result = detect_format(path, text) == ImportFormat::vcard
                      ? import_vcard(text, accept_landline)
                      : import_csv(text, accept_landline);
    if (!result) {
        return make_error(result.error().code, path.string() + ": " + result.error().detail);
    }
    return result;
}

}  // namespace sealpost::admin
