// SPDX-License-Identifier: Apache-2.0
// Loads the portal's Appearance (portal_appearance.hpp): at start, where an error stops the
// start, and on SIGHUP, where it keeps the one in force.
#include "portal/portal_appearance.hpp"

namespace sealpost::portal {

Result<std::shared_ptr<const Appearance>> load_appearance(const Config& cfg) {
    auto pages = Pages::load(cfg.portal.templates_dir);
    if (!pages) {
        return Error{pages.error().code, "templates: " + pages.error().detail};
    }
    auto logo = load_logo(cfg.practice.logo);
    if (!logo) {
        return Error{logo.error().code, "logo: " + logo.error().detail};
    }
    auto a = std::make_shared<Appearance>();
    a->practice = cfg.practice;
    a->pages = std::move(pages).value();
    a->logo = std::move(logo).value();
    return std::shared_ptr<const Appearance>(std::move(a));
}

}  // namespace sealpost::portal
