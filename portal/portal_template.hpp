// A tiny, logic-free HTML template engine for the portal pages: `{{t:key}}` (catalog text),
// `{{name}}` (an escaped value) and `{{{name}}}` (HTML built and escaped by the page code).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_result.hpp"
#include "portal/portal_i18n.hpp"

namespace sealpost::portal {

/// text::clean, then text::html_escape (core_text.hpp): what every `{{name}}` and `{{t:key}}`
/// goes through, so a file name can neither break out of the HTML nor reorder what the patient
/// reads ("Trojan Source", CVE-2021-42574).
std::string escape_text(std::string_view s);

class Template {
  public:
    struct Piece {
        enum class Kind : std::uint8_t { text, key, var, raw };
        Kind kind = Kind::text;
        std::string text;      ///< literal HTML, a catalog key, or a value's name
        std::size_t line = 1;  ///< where it stands in the file (for load errors)
    };

    /** Parses a template. `vars` and `raws` are the space-separated names the page supplies
     * as `{{name}}` and `{{{name}}}`. Errors: Errc::invalid_argument "line N: why" for an
     * unclosed `{{`, a malformed name, or a name the page does not supply. Catalog keys are
     * checked by the caller, who has the catalogs. */
    static Result<Template> parse(std::string_view text, std::string_view vars,
                                  std::string_view raws);

    /** `{{t:key}}` becomes the catalog's text with `{placeholder}`s from `vars`, escaped;
     * `{{name}}` the escaped value; `{{{name}}}` the fragment as it is. A name without a
     * value renders as "" (load-time checks make that a bug, not an input). */
    [[nodiscard]] std::string render(const Catalog& catalog, const Values& vars,
                                     const Values& raws) const;

    [[nodiscard]] const std::vector<Piece>& pieces() const { return pieces_; }

  private:
    std::vector<Piece> pieces_;
};

/// The parts joined in one allocation (building HTML and messages in loops).
std::string concat(std::initializer_list<std::string_view> parts);

/// True when `name` is one of the space-separated words in `list`.
bool has_word(std::string_view list, std::string_view name);

}  // namespace sealpost::portal
