// SPDX-License-Identifier: Apache-2.0
// Internal to portal_app.cpp, portal_routes.cpp, portal_download.cpp and portal_audit.cpp: one
// request's context and the helpers that more than one of them uses.
#pragma once

#include <string>
#include <vector>

#include "portal/portal_app.hpp"

namespace sealpost::portal {

struct App::Ctx {
    explicit Ctx(const Appearance& l) : look(l) {}
    const Appearance& look;  ///< the connection's practice settings, pages and logo
    std::string lang;
    std::string visitor;  ///< CSRF visitor cookie ("" = none yet)
    bool new_visitor = false;
    bool lang_chosen = false;  ///< ?lang= given: remember it in a cookie
    std::string link_path;     ///< "/d/{token}" or ""
};

/// The rows of the landing and documents pages.
std::vector<DocumentRow> rows_of(const vault::EnvelopeMeta& meta);

}  // namespace sealpost::portal
