// SPDX-License-Identifier: Apache-2.0
// Shared invariants of the contacts importers for fuzz_import_csv and fuzz_import_vcard: what an
// ImportResult may hold whatever the input was.
#pragma once

#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <string_view>

#include "admin/admin_import.hpp"
#include "core/core_phone.hpp"

namespace sealpost::fuzz {

[[noreturn]] inline void import_fail(std::string_view target, std::string_view what) {
    std::cerr << target << ": " << what << "\n";
    std::abort();
}

/// One printable line: no C0 controls or DEL (UTF-8 is allowed; printable() escapes the rest).
inline bool one_line(std::string_view s) {
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            return false;
        }
    }
    return true;
}

/// Checks `result` of importing `text`: errors are only invalid_argument; every contact holds
/// a canonical address, a mobile number in E.164 and a known language, once per address; every
/// issue is a printable line naming a line of the file.
inline void check_import(std::string_view target, std::string_view text,
                         const Result<admin::ImportResult>& result) {
    if (!result) {
        if (result.error().code != Errc::invalid_argument) {
            import_fail(target, "error other than invalid_argument");
        }
        if (!one_line(result.error().detail)) {
            import_fail(target, "error detail is not one printable line");
        }
        return;
    }
    // Lines are counted on CRLF, LF and lone CR alike; +1 for a last line without an end.
    std::size_t lines = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
            ++lines;
        }
    }
    std::set<std::string> emails;
    for (const auto& c : result->contacts) {
        auto email = admin::check_email(c.email);
        if (!email || *email != c.email) {
            import_fail(target, "imported address is not canonical: " + c.email);
        }
        if (!emails.insert(c.email).second) {
            import_fail(target, "address imported twice: " + c.email);
        }
        auto phone = normalize_mobile(c.e164, "CH");
        if (c.e164.empty() || c.e164[0] != '+' || !phone || phone->e164 != c.e164) {
            import_fail(target, "imported number is not a mobile number in E.164: " + c.e164);
        }
        if (c.lang != "" && c.lang != "de" && c.lang != "fr" && c.lang != "it" && c.lang != "en") {
            import_fail(target, "imported language is not de, fr, it, en or none");
        }
        if (c.line < 1 || c.line > lines) {
            import_fail(target, "contact names a line outside the file");
        }
    }
    if (result->seen.size() != result->contacts.size()) {
        import_fail(target, "seen and contacts disagree");
    }
    for (const auto& issue : result->issues) {
        if (issue.reason.empty() || !one_line(issue.reason)) {
            import_fail(target, "issue is not one printable line: " + issue.reason);
        }
        if (issue.line < 1 || issue.line > lines) {
            import_fail(target, "issue names a line outside the file");
        }
    }
}

}  // namespace sealpost::fuzz
