// SPDX-License-Identifier: Apache-2.0
// Contacts import: the result types and bounds shared by the CSV and vCard importers, the
// per-row checks (address, mobile number, language) and the entry point that reads a file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/core_result.hpp"

namespace sealpost::admin {

/// Bounds for untrusted import files: past them the whole file (size) or the row is refused.
inline constexpr std::size_t kMaxImportBytes = 10U << 20;  ///< 10 MiB per file
inline constexpr std::size_t kMaxImportLine = 8192;        ///< bytes per CSV record / vCard line
inline constexpr std::size_t kMaxImportRows = 100000;      ///< CSV records or vCards per file

/// One contact ready for the contacts store.
struct ImportedContact {
    std::string email;     ///< validated, lower-cased
    std::string e164;      ///< mobile number in E.164 (`+41791234567`)
    std::string lang;      ///< "de", "fr", "it", "en", or "" for none
    std::size_t line = 0;  ///< where it came from (CSV record line, vCard BEGIN line)
    friend bool operator==(const ImportedContact&, const ImportedContact&) = default;
};

/// A row or card that was not imported, and why (one line, printable).
struct ImportIssue {
    std::size_t line = 0;
    std::string reason;
    friend bool operator==(const ImportIssue&, const ImportIssue&) = default;
};

struct ImportResult {
    std::vector<ImportedContact> contacts;
    std::vector<ImportIssue> issues;
    /// Address -> line of its contact, so duplicates are found in O(1) (a 10 MiB file can
    /// hold 100000 rows).
    std::unordered_map<std::string, std::size_t> seen;
    /// Landline numbers are accepted (a `[voice]` provider is configured); set before rows.
    bool accept_landline = false;
};

/// Why a number was refused, for an issue or an error line: the detail of normalize_phone(),
/// and for a landline what to do about it.
std::string phone_refusal(const Error& e);

/// Checks a mail address (RFC 5321 4.1.2 dot-atom local part and a host name; ASCII only) and
/// returns it lower-cased. Error detail: "bad email address: VALUE".
Result<std::string> check_email(std::string_view email);

/// Checks a language: "" (none), or de|fr|it|en in any case, surrounding blanks ignored.
/// Returns the lower-case code. Error detail: "unknown language: VALUE (use de, fr, it or en)".
Result<std::string> check_lang(std::string_view lang);

/// `input` with the no-break spaces that spreadsheets and address books put into numbers
/// (U+00A0, U+202F, U+2007) turned into plain spaces, for normalize_mobile.
std::string plain_spaces(std::string_view input);

/// Checks one row and appends either a contact or an issue to `out`. A second row for an
/// address already imported from this file becomes an issue ("duplicate of line N").
void add_row(ImportResult& out, std::size_t line, std::string_view email, std::string_view phone,
             std::string_view lang);

enum class ImportFormat { csv, vcard };

/// vCard when the name ends in .vcf or .vcard (any case) or the text starts with
/// BEGIN:VCARD; CSV otherwise.
ImportFormat detect_format(const std::filesystem::path& path, std::string_view text);

/// Reads `path` (at most kMaxImportBytes) and imports it as CSV or vCard; `accept_landline` as in
/// ImportResult.
/// Errors: Errc::io (cannot read), Errc::invalid_argument (too large, not a contacts file).
Result<ImportResult> import_contacts_file(const std::filesystem::path& path,
                                          bool accept_landline = false);

}  // namespace sealpost::admin
