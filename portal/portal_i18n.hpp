// SPDX-License-Identifier: Apache-2.0
// The portal's language catalogs (strings.xx.txt: `key = text` with `{placeholder}`s) and the
// per-language formatting of dates, times and file sizes that the pages and the SMS show.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_result.hpp"
#include "core/core_template.hpp"

namespace sealpost::portal {

/// Named values for catalog placeholders and template variables (plain text, not yet escaped).
using Values = TemplateValues;

/** One language's strings. File format, one entry per line:
 *
 *     # comment
 *     key = text with {placeholder}s
 *
 * Keys are `[a-z0-9_.]+`, placeholders `{[a-z_]+}`; the text is plain (the pages escape it)
 * and runs to the end of the line, surrounding blanks trimmed. */
class Catalog {
  public:
    /** Errors: Errc::invalid_argument "FILE:LINE: why" for a line without `=`, a bad key, a
     * duplicate key, an empty text or a malformed `{placeholder}`. */
    static Result<Catalog> parse(std::string_view text, std::string_view file);

    /// The text of `key`, or nullptr.
    [[nodiscard]] const std::string* find(std::string_view key) const;
    [[nodiscard]] const std::map<std::string, std::string, std::less<>>& entries() const {
        return entries_;
    }

  private:
    std::map<std::string, std::string, std::less<>> entries_;
};

/// The distinct `{name}`s in a (parsed, so well-formed) catalog text, sorted.
std::vector<std::string> placeholders(std::string_view text);

/// Index of `lang` in kLanguages; 0 (de) for anything else.
std::size_t language_index(std::string_view lang);

/// `dd.mm.yyyy` in Swiss local time (zurich_time; all four languages); "" if out of range.
std::string format_date(std::int64_t unix_seconds);
/// `HH:MM` (24 h) in Swiss local time (zurich_time); "" if out of range.
std::string format_time(std::int64_t unix_seconds);

/// How one language writes a size: decimal mark and unit names (fr: "Ko", "Mo", "Go").
struct SizeStyle {
    std::string_view decimal = ".";
    std::string_view kb = "KB";
    std::string_view mb = "MB";
    std::string_view gb = "GB";
};

/** A file size as people read it: SI units (1 KB = 1000 bytes, as phones and macOS show
 * sizes), whole KB below 1 MB ("182 KB", at least "1 KB" for a non-empty file), one decimal
 * above ("1.2 MB", "1,2 Mo"). A no-break space separates number and unit. */
std::string format_size(std::uint64_t bytes, const SizeStyle& style);

}  // namespace sealpost::portal
