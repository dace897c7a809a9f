// SPDX-License-Identifier: Apache-2.0
// Inside Pages: the loaded catalogs, templates and stylesheet, the template files with the
// values each page supplies, and the catalog keys the page code uses (shared by load and render).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_template.hpp"
#include "portal/portal_i18n.hpp"
#include "portal/portal_pages.hpp"

namespace sealpost::portal {

enum class Tpl : std::uint8_t { layout, landing, code, documents, expired, message, help, privacy };

/// One template file and the names it may use: `vars` as {{name}} (and as {placeholder}s of
/// its {{t:key}} texts), `raws` as {{{name}}}. Space-separated.
struct TemplateSpec {
    std::string_view file;
    std::string_view vars;
    std::string_view raws;
};

/// Indexed by Tpl.
inline constexpr std::array<TemplateSpec, 8> kTemplateSpecs = {{
    {"layout.html", "lang title practice help_href privacy_href", "logo switcher body contact"},
    {"landing.html", "practice phone csrf code_action intro verify_text send_label",
     "notice documents"},
    {"code.html",
     "practice phone csrf code_action verify_action heading lead n minutes code_label "
     "none_heading none_text resend_label",
     "notice"},
    {"documents.html", "practice date zip_action", "notice rows zip"},
    {"expired.html", "practice phone csrf code_action date renew_text", "notice"},
    {"message.html", "practice heading text", "more back"},
    {"help.html", "practice", ""},
    {"privacy.html", "practice link_days retention_days max_days gateway", "contact more extra"},
}};

/// A catalog key that the page code renders itself, with the placeholders it supplies.
struct CodeKey {
    std::string key;
    std::string_view placeholders;
};
/// Every such key (titles, plurals, notices, messages, types, units, the SMS).
std::vector<CodeKey> code_keys();

struct Pages::Impl {
    std::array<Catalog, std::size(kLanguages)> catalogs;
    std::array<Template, kTemplateSpecs.size()> templates;
    std::string css;

    [[nodiscard]] const Template& tpl(Tpl t) const {
        return templates[static_cast<std::size_t>(t)];
    }
};

}  // namespace sealpost::portal
