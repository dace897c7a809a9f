// SPDX-License-Identifier: Apache-2.0
// CSV contacts importer: a header row naming `email`, `phone` and optionally `lang` (any order,
// any case), `,` or `;` separated, RFC 4180 quoting, optional UTF-8 BOM, CRLF or LF.
#pragma once

#include <string_view>

#include "admin/admin_import.hpp"

namespace sealpost::admin {

/// Imports CSV text. Rows that fail a check become issues with the line number on which the
/// record starts (the header is line 1); good rows are imported. Blank lines are skipped;
/// columns other than email, phone and lang are ignored.
/// Errors (nothing imported): Errc::invalid_argument when the text exceeds kMaxImportBytes or
/// has no usable header.
Result<ImportResult> import_csv(std::string_view text, bool accept_landline = false);

}  // namespace sealpost::admin
