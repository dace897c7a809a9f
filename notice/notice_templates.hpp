// SPDX-License-Identifier: Apache-2.0
// The notice a patient reads in place of the attachments: templates per language
// (policies/templates/notice.{de,fr,it,en}.{txt,html}) with {{name}} placeholders.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_config.hpp"
#include "core/core_result.hpp"
#include "core/core_template.hpp"
#include "mime/mime_rewrite.hpp"

namespace sealpost::seal {

/// What a notice says. Every value is plain UTF-8 text; the HTML rendering escapes it.
struct NoticeValues {
    std::string practice;                ///< {{practice}}: the practice's name
    std::vector<std::string> documents;  ///< {{documents}}: file names (attacker-controlled)
    std::string link;                    ///< {{link}}: `{base_url}/d/{token}`
    std::int64_t expires_at = 0;         ///< {{expires}}: unix seconds, shown as a date
    std::string phone_e164;              ///< {{phone}}: shown masked, `••67`
};

/// The placeholders a template may use (space-separated); any other `{{...}}` is an error at
/// load.
inline constexpr std::string_view kPlaceholders = "practice documents link expires phone";

/// Templates for the four languages, parsed once at start (and on reload).
class NoticeTemplates {
  public:
    /** Loads notice.{de,fr,it,en}.{txt,html} from `dir`. Errors: Errc::io (a file missing
     * or unreadable), Errc::invalid_argument (an unknown or malformed placeholder, an unclosed
     * `{{`, or a file larger than 64 KiB; detail names the file).
     */
    static Result<NoticeTemplates> load(const std::filesystem::path& dir);

    /** Renders both forms in `lang`. {{documents}} becomes one "- name" line per document in
     * text and one `<li>` per document in HTML (the template supplies the <ul>). Control and
     * bidi-override characters in values are replaced (a file name must not reorder or forge
     * lines); in HTML every value is escaped.
     */
    [[nodiscard]] mime::MimeNotice render(Language lang, const NoticeValues& v) const;

  private:
    std::array<Template, 4> text_{};
    std::array<Template, 4> html_{};
};

/// The date of `unix_seconds` in Swiss local time (zurich_time, core/core_time.hpp)
/// in the language's long form: de `27. Dezember 2026`, fr `27 décembre 2026` (`1er` on the
/// first), it `27 dicembre 2026`, en `27 December 2026`.
std::string format_date(std::int64_t unix_seconds, Language lang);

/// The document names a patient's notice shows: `names` as they are, or, with
/// practice.hide_document_names, "Dokument 1", "Dokument 2" ... in `lang` (Document, Documento):
/// a file name can be health data ("Befund-Psychiatrie.pdf"), and the mail passes through
/// providers and may be read by others; the portal shows the names after the code.
std::vector<std::string> notice_document_names(const PracticeConfig& practice, Language lang,
                                               std::vector<std::string> names);

/// The patient's link: `{practice.base_url}/d/{token}` (the portal's route, DESIGN 4).
std::string link_url(const PracticeConfig& practice, std::string_view token);

}  // namespace sealpost::seal
