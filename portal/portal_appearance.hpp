// SPDX-License-Identifier: Apache-2.0
// What the portal shows a patient that the practice may change while it runs: the [practice]
// settings, the page templates and the logo. Loaded at start and again on SIGHUP; a connection
// keeps the Appearance it was accepted with until it ends, so a reload never changes a page
// half-way through someone's visit (architecture §4, "Reload").
#pragma once

#include <memory>

#include "core/core_config.hpp"
#include "core/core_result.hpp"
#include "portal/portal_logo.hpp"
#include "portal/portal_pages.hpp"

namespace sealpost::portal {

struct Appearance {
    PracticeConfig practice;
    std::shared_ptr<const Pages> pages;
    Logo logo;
};

/** Loads the pages (portal.templates_dir) and the logo (practice.logo) of `cfg`. Errors are
 * those of Pages::load and load_logo, with "templates: " or "logo: " before the detail. */
Result<std::shared_ptr<const Appearance>> load_appearance(const Config& cfg);

}  // namespace sealpost::portal
