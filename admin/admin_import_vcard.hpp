// SPDX-License-Identifier: Apache-2.0
// vCard contacts importer (vCard 2.1, 3.0 and 4.0; RFC 2426, RFC 6350): one contact per EMAIL
// of each card that has a mobile number (TEL with TYPE=cell), with LANG when present.
#pragma once

#include <string_view>

#include "admin/admin_import.hpp"

namespace sealpost::admin {

/// Imports vCard text (one or more BEGIN:VCARD ... END:VCARD blocks; folded lines allowed).
/// A card without EMAIL or without a cell TEL, or with a bad value, becomes an issue at the
/// line of its BEGIN:VCARD. Among several cell numbers the preferred one (TYPE=pref or
/// PREF=1) that is a valid mobile number wins; a card with several EMAILs gives one contact
/// per address. LANG `de-CH` counts as `de`; among several, the most preferred of de, fr, it
/// and en is taken.
/// Errors (nothing imported): Errc::invalid_argument when the text exceeds kMaxImportBytes or
/// holds no BEGIN:VCARD at all.
Result<ImportResult> import_vcard(std::string_view text, bool accept_landline = false);

}  // namespace sealpost::admin
