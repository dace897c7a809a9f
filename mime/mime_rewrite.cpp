// SPDX-License-Identifier: Apache-2.0
// mime_rewrite: removes the sealed attachments, adds the notice to the body text, and checks
// the result by parsing it again (fail closed: no output that still carries a sealed file).
#include "mime/mime_rewrite.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "mime/mime_text.hpp"
#include "mime/mime_tree.hpp"

namespace sealpost::mime {
namespace {

using detail::LeafKind;

Status check_selection(const MimeMessage& m, const std::vector<std::size_t>& seal) {
    if (seal.empty()) {
        return detail::refuse(reason::selection, "nothing selected");
    }
    std::set<std::size_t> seen;
    for (const std::size_t i : seal) {
        if (i >= m.attachments().size() || !seen.insert(i).second) {
            return detail::refuse(reason::selection, "bad index " + std::to_string(i));
        }
    }
    return {};
}

/// What of a text must read back after a rewrite: its ASCII characters other than CR (line
/// ends are CRLF or LF depending on the encoding), without the line ends at its end (the CRLF
/// before a boundary belongs to the boundary, RFC 2046 section 5.1.1). Non-ASCII text may
/// legitimately change: converted to the part's charset, or an invalid byte in a file name
/// dropped by the decoder.
std::string comparable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        if (c != '\r' && static_cast<unsigned char>(c) < 0x80) {
            out += c;
        }
    }
    while (!out.empty() && out.back() == '\n') {
        out.pop_back();
    }
    return out;
}

/// The output must parse, hold exactly the attachments that were kept, none of the sealed
/// contents unless an identical file was deliberately kept, and the notice in every body text
/// part as a reader decodes it (a body invalid in a stateful charset such as UTF-7 can swallow
/// what follows it, the link included).
Status verify(const MimeMessage& before, const std::vector<std::size_t>& seal,
              const MimeNotice& notice, const std::string& out) {
    auto after = MimeMessage::parse(out, before.limits());
    if (!after) {
        return detail::refuse(reason::verify, "output does not parse: " + after.error().detail);
    }
    const std::set<std::size_t> sealed(seal.begin(), seal.end());
    // Contents compare by their SHA-256: a sealed part is never held whole to compare it.
    std::set<std::array<std::uint8_t, 32>> kept;
    for (const auto& a : before.attachments()) {
        if (sealed.count(a.index) == 0) {
            kept.insert(a.digest);
        }
    }
    if (after->attachments().size() != before.attachments().size() - sealed.size()) {
        return detail::refuse(reason::verify, "attachment count");
    }
    for (const auto& a : after->attachments()) {
        for (const std::size_t i : sealed) {
            if (a.digest == before.attachments()[i].digest && kept.count(a.digest) == 0) {
                return detail::refuse(reason::verify, "sealed content still present");
            }
        }
    }
    if (after->text_parts() == 0) {
        return detail::refuse(reason::verify, "no text part for the notice");
    }
    const std::string text = comparable(notice.text);
    const std::string html = comparable(notice.html);
    for (const auto& b : after->bodies()) {
        const std::string& want = b.content_type == "text/html" ? html : text;
        if (comparable(b.text).find(want) == std::string::npos) {
            return detail::refuse(reason::verify,
                                  "the notice does not read back in part " + b.path);
        }
    }
    return {};
}

}  // namespace

Result<std::string> mime_rewrite(const MimeMessage& m, const MimeRewriteRequest& req) {
    if (m.is_signed() || m.is_encrypted()) {
        // RFC 1847 / RFC 8551: any change breaks the signature or cannot see inside.
        return detail::refuse(reason::signed_or_encrypted, "not rewritten");
    }
    SP_CHECK(check_selection(m, req.seal));
    SP_TRY(tree, detail::parse_tree(m.raw(), m.limits()));

    std::vector<const detail::Leaf*> attachments;
    for (const auto& leaf : tree.leaves) {
        if (leaf.kind == LeafKind::attachment) {
            attachments.push_back(&leaf);
        }
    }
    if (attachments.size() != m.attachments().size()) {
        return make_error(Errc::internal, "mime: re-parse found a different structure");
    }

    // 1. Remove the selected attachments (the multipart drops its reference).
    bool root_gone = false;
    for (const std::size_t i : req.seal) {
        const detail::Leaf& leaf = *attachments[i];
        if (leaf.parent == nullptr) {
            root_gone = true;
        } else if (!g_mime_multipart_remove(leaf.parent, leaf.object)) {
            return make_error(Errc::internal, "mime: attachment not in its multipart");
        }
    }
    // 2. A multipart left without parts is invalid (RFC 2046 section 5.1.1): remove it,
    //    innermost first.
    for (auto it = tree.multiparts.rbegin(); it != tree.multiparts.rend(); ++it) {
        auto [mp, parent] = *it;
        if (g_mime_multipart_get_count(mp) > 0) {
            continue;
        }
        if (parent == nullptr) {
            root_gone = true;
        } else if (!g_mime_multipart_remove(parent, gobj::object(mp))) {
            return make_error(Errc::internal, "mime: multipart not in its parent");
        }
    }

    // 3. The notice: into every body text part, or as a new body when there is none.
    std::size_t bodies = 0;
    for (const auto& leaf : tree.leaves) {
        if (leaf.kind == LeafKind::body_text) {
            SP_CHECK(detail::add_notice(leaf.object, req.notice.text, false));
            ++bodies;
        } else if (leaf.kind == LeafKind::body_html) {
            SP_CHECK(detail::add_notice(leaf.object, req.notice.html, true));
            ++bodies;
        }
    }
    if (bodies == 0) {
        auto body = detail::make_notice_body(req.notice.text, req.notice.html);
        if (root_gone) {
            g_mime_message_set_mime_part(tree.message.get(), gobj::object(body.get()));
        } else {
            GMimeMultipart* root =
                gobj::as_multipart(g_mime_message_get_mime_part(tree.message.get()));
            if (root == nullptr) {
                return make_error(Errc::internal, "mime: no place for the notice");
            }
            g_mime_multipart_insert(root, 0, gobj::object(body.get()));
        }
    } else if (root_gone) {
        return make_error(Errc::internal, "mime: body text lost with the root");
    }

    // 4. Headers: the cleaned Subject (RFC 2047-encoded by GMime) only when it changed; the
    //    phone hint is for sealpost only.
    if (req.subject && *req.subject != m.subject()) {
        g_mime_message_set_subject(tree.message.get(), req.subject->c_str(), "utf-8");
    }
    GMimeObject* msg_obj = gobj::object(tree.message.get());
    while (g_mime_object_remove_header(msg_obj, "X-Sealpost-Phone")) {
    }

    SP_TRY(out, detail::serialise(tree.message.get()));
    SP_CHECK(verify(m, req.seal, req.notice, out));
    return out;
}

}  // namespace sealpost::mime
