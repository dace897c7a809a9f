// SPDX-License-Identifier: Apache-2.0
// The one template engine of sealpost, for the portal's pages and the notice texts in mails.
// Logic-free: `{{name}}` (a plain-text value, or a list), `{{{name}}}` (a fragment the caller
// built and escaped) and `{{t:key}}` (a catalog text whose `{placeholder}`s take the values).
// Every name is checked when the template is loaded; values are never parsed again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_result.hpp"

namespace sealpost {

/// Named values for `{{name}}`s and catalog `{placeholder}`s (plain text, not yet escaped).
using TemplateValues = std::map<std::string, std::string, std::less<>>;
/// Named lists for `{{name}}`s that stand for one item per entry (a notice's documents).
using TemplateLists = std::map<std::string, std::vector<std::string>, std::less<>>;

/// text::clean, then text::html_escape (core_text.hpp): what every `{{name}}` and `{{t:key}}`
/// goes through in HTML, so a file name can neither break out of the HTML nor reorder what
/// the patient reads ("Trojan Source", CVE-2021-42574).
std::string escape_text(std::string_view s);

/// Replaces each `{name}` in a catalog text with its value (a name without a value becomes "").
/// One pass: a value holding `{name}` is not expanded again.
std::string substitute(std::string_view text, const TemplateValues& values);

/// The parts joined in one allocation (building HTML and messages in loops).
std::string concat(std::initializer_list<std::string_view> parts);

/// True when `name` is one of the space-separated words in `list`.
bool has_word(std::string_view list, std::string_view name);

class Template {
  public:
    struct Piece {
        enum class Kind : std::uint8_t { text, key, var, raw };
        Kind kind = Kind::text;
        std::string text;      ///< literal text, a catalog key, or a value's name
        std::size_t line = 1;  ///< where it stands in the file (for load errors)
    };

    /// How a load error says where it is: "line N: why" or "why at byte N".
    enum class Cite : std::uint8_t { line, byte };

    /// The names a template may use. `vars` and `raws` are space-separated names, supplied as
    /// `{{name}}` and `{{{name}}}`; `keys` allows `{{t:key}}` (the caller checks the keys
    /// against its catalogs).
    struct Names {
        std::string_view vars{};
        std::string_view raws{};
        bool keys = true;
        Cite cite = Cite::line;
    };

    /** Parses a template. Errors: Errc::invalid_argument for an unclosed `{{` (a name never
     * spans lines or holds a brace), a malformed name (not `[a-z0-9_.]+`), or a name the
     * caller does not supply ("unknown placeholder {{name}}"), placed as `names.cite` says. */
    static Result<Template> parse(std::string_view text, const Names& names);

    /// What the rendering is for: HTML escapes every value, text only cleans it.
    enum class Output : std::uint8_t { html, text };

    /// What one rendering fills in; a null map supplies nothing.
    struct Input {
        Output output = Output::html;
        const TemplateValues* vars = nullptr;  ///< `{{name}}`, and `{placeholder}`s of keys
        const TemplateLists* lists = nullptr;  ///< `{{name}}` as a list
        const TemplateValues* raws = nullptr;  ///< `{{{name}}}`, inserted as they are
        std::function<const std::string*(std::string_view)> key{};  ///< catalog text, or nullptr
    };

    /** `{{t:key}}` becomes the catalog's text with `{placeholder}`s from `vars`, escaped;
     * `{{name}}` the escaped value, or for a list one `<li>` per item in HTML and one "- item"
     * line per item in text (lines joined by "\n", the last without one); `{{{name}}}` the
     * fragment as it is. "Escaped" is escape_text in HTML and text::clean in text. A name
     * without a value renders as "" (load-time checks make that a bug, not an input). */
    [[nodiscard]] std::string render(const Input& in) const;

    [[nodiscard]] const std::vector<Piece>& pieces() const { return pieces_; }

  private:
    std::vector<Piece> pieces_;
};

}  // namespace sealpost
