// SPDX-License-Identifier: Apache-2.0
// A message's top-level header fields read from the raw bytes, without parsing the body: for
// header-only rewrites that must leave every body byte as it was (removing phone data from a
// message that otherwise passes) and for reading originator addresses (From:, Sender:). The
// RFC 2047 and address parsing is GMime's; no GMime types in this API.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sealpost::mime {

/// One field of the header section (RFC 5322 2.2), as written.
struct HeaderField {
    std::size_t begin = 0;   ///< offset of its first byte in the message
    std::size_t end = 0;     ///< one past its last line's CRLF (or the end of the message)
    std::string_view name;   ///< as written, without whitespace before the colon; "" for a
                             ///< line without a colon (kept as it is by rewrites)
    std::string_view value;  ///< after the colon, folded as written, without the final CRLF
};

/// Calls `fn` for each field of the header section of `msg` (CRLF lines), in order, and returns
/// the offset where the section ends (the empty line before the body, or msg.size()). The
/// views passed to `fn` point into `msg`. Nothing is kept per field, so memory stays constant
/// however many fields a hostile message has.
std::size_t visit_header_fields(std::string_view msg,
                                const std::function<void(const HeaderField&)>& fn);

/// True when `a` and `b` are the same field name (ASCII case-insensitive, RFC 5322 1.2.2).
bool same_field_name(std::string_view a, std::string_view b) noexcept;

/// A field value unfolded (RFC 5322 2.2.3: every CRLF before whitespace removed).
std::string unfold(std::string_view value);

/// An unstructured value (Subject) with its RFC 2047 encoded words decoded to UTF-8, leading
/// and trailing whitespace trimmed. Words GMime cannot decode stay as written.
std::string decode_unstructured(std::string_view value);

/// One header field `name: value` with its CRLF, folded at whitespace (RFC 5322 2.2.3).
/// `value` is UTF-8 text: with `encode` it is written as RFC 2047 encoded words where it is
/// not plain ASCII; without, it is written as it is (ASCII, or RFC 6532 UTF-8).
std::string make_unstructured_field(std::string_view name, std::string_view value, bool encode);

/// The addr-specs (`local@domain`) of an address-list value (From:, Sender:, RFC 5322 3.4),
/// group members included, in order. A value GMime reads no mailbox from gives none.
std::vector<std::string> parse_address_list(std::string_view value);

}  // namespace sealpost::mime
