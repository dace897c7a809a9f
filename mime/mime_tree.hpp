// SPDX-License-Identifier: Apache-2.0
// Internal to mime/mime_*: GMime parse with the warning callback and sealpost's limits, and
// the classification of every leaf (body text, body HTML, attachment) in document order.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/core_result.hpp"
#include "mime/mime_gobject.hpp"
#include "mime/mime_message.hpp"

namespace sealpost::mime::detail {

enum class LeafKind { body_text, body_html, attachment };

/// One leaf of the tree (a GMimePart, or a message/rfc822 part taken as one attachment).
struct Leaf {
    GMimeObject* object = nullptr;     ///< borrowed from Tree::message
    GMimeMultipart* parent = nullptr;  ///< nullptr: the message's root part
    LeafKind kind = LeafKind::attachment;
    std::string path;          ///< "1.2" (root single part: "1")
    std::string content_type;  ///< lower-case type/subtype
    /// For a message/rfc822 leaf: the range of Tree::inner holding its message's leaves.
    std::size_t inner_first = 0;
    std::size_t inner_end = 0;
};

struct WarningSink {
    std::string first_fatal;  ///< "name@offset" of the first fatal parser warning
};

/// A parsed GMime message and its leaves. Owns the message and its source stream, and the
/// parser options and warning sink, which GMime objects may still refer to: they are declared
/// first so they are destroyed last.
struct Tree {
    std::unique_ptr<gobj::ParserOptions> options;
    std::unique_ptr<WarningSink> sink;
    std::unique_ptr<GByteArray> borrowed;  ///< the header `source` reads the caller's bytes by
    gobj::Ref<GMimeStream> source;
    gobj::Ref<GMimeMessage> message;
    std::vector<Leaf> leaves;  ///< document order
    /// Every multipart with its parent (nullptr for the root), in pre-order (parents first).
    std::vector<std::pair<GMimeMultipart*, GMimeMultipart*>> multiparts;
    bool is_signed = false;
    bool is_encrypted = false;
    /// Leaves inside forwarded messages (message/rfc822), which are sealed whole.
    std::vector<GMimeObject*> inner;
    /// Every multipart boundary GMime found, nested messages included.
    std::set<std::string> boundaries;
};

/// Error for a message that cannot be sealed safely: Errc::invalid_argument,
/// detail `mime:<reason>: <what>`.
Error refuse(std::string_view why, std::string_view what);

/// Parses `data` and walks it (limits, warnings, prologue/epilogue checks). The result's
/// pointers stay valid while the Tree lives; GMime reads `data` in place (no copy), so it must
/// outlive the Tree.
Result<Tree> parse_tree(std::string_view data, const MimeLimits& limits);

/// Content with the transfer encoding (RFC 2045 section 6) undone: bytes of a GMimePart, or
/// the CRLF serialisation of a message/rfc822 part's message.
Result<std::string> decoded_content(GMimeObject* leaf);
/// The same, a piece (at most 64 KiB) at a time into `sink`; stops at the first error.
Status read_decoded(GMimeObject* leaf, const std::function<Status(std::string_view)>& sink);
/// An upper bound of the decoded size of a GMimePart's content, from its encoded length.
std::size_t decoded_size_estimate(GMimeObject* leaf);

/// ASCII lower case.
std::string lower(std::string_view s);

/// Lower-case `type/subtype` of an object.
std::string mime_type_of(GMimeObject* o);

/// The UTF-8 file name of a leaf (RFC 2231 / 2047 decoded by GMime), "" when none.
std::string file_name_of(GMimeObject* o);

/// Every RFC 2392 `cid:` reference in an HTML text, percent-decoded, without brackets.
std::vector<std::string> cid_references(std::string_view html);

/// Writes the message with CRLF line endings (RFC 5322 section 2.1).
Result<std::string> serialise(GMimeMessage* m);

}  // namespace sealpost::mime::detail
