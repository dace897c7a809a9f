// SPDX-License-Identifier: Apache-2.0
// Phone data never leaves the practice: the `[sms:...]` tag and the X-Sealpost-Phone header are
// taken out of every message the proxy sends, passing ones included (internal recipients,
// `pass` decisions, mail with nothing to seal), by a rewrite of the header section alone.
#pragma once

#include <string>

#include "core/core_result.hpp"

namespace sealpost::seal {

/** Removes phone data from the top-level header section of `msg` (CRLF lines, not
 * dot-stuffed), leaving every body byte as it was:
 * - every `X-Sealpost-Phone` field (any case, folded or not) is dropped;
 * - every `[sms:...]` tag (remove_sms_tags) is taken out of `Subject` and `Thread-Topic`
 *   (Outlook's copy of the subject). A value with RFC 2047 encoded words is decoded, stripped
 *   and encoded again; a plain one (ASCII or RFC 6532 UTF-8) is rewritten as it was written.
 *   A field without a tag is not touched.
 * Other fields (Message-ID, References, Received, ...) keep their bytes and their order.
 * Afterwards the section is read again; a tag still visible raw or decoded (a hostile encoded
 * word GMime cannot decode) gives Errc::invalid_argument with detail kErrTagStuck, and `msg`
 * must not be sent.
 */
Status strip_phone_data(std::string& msg);

}  // namespace sealpost::seal
