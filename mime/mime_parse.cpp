// SPDX-License-Identifier: Apache-2.0
// MimeMessage::parse: the attachment inventory of a message (RFC 2045/2046/2183), with
// RFC 2392 inline images told apart, and signed/encrypted detection (RFC 1847, RFC 8551).
#include <algorithm>
#include <set>

#include "mime/mime_message.hpp"
#include "mime/mime_scan.hpp"
#include "mime/mime_sniff.hpp"
#include "mime/mime_tree.hpp"

namespace sealpost::mime {

struct MimeMessage::State {
    std::string owned;     ///< parse(): the bytes; parse_borrowed(): empty
    std::string_view raw;  ///< the bytes parsed (owned, or the caller's)
    MimeLimits limits;
    std::vector<MimeAttachment> attachments;
    bool is_signed = false;
    bool is_encrypted = false;
    std::vector<MimeBody> bodies;
    std::string subject;
    std::vector<MimeHeader> headers;
    std::string root_type;
    std::string root_smime_type;
    /// The parsed tree, kept so attachments can be decoded again (attachment_write).
    std::optional<detail::Tree> tree;
    std::vector<GMimeObject*> attachment_objects;  ///< owned by `tree`, by attachment index
};

namespace {

/// A file name for an attachment that has none, from its type (the portal needs one).
std::string default_name(std::size_t index, const std::string& type) {
    std::string ext = ".bin";
    if (type == "application/pdf") {
        ext = ".pdf";
    } else if (type == "message/rfc822" || type == "message/global") {
        ext = ".eml";
    } else if (type == "image/png") {
        ext = ".png";
    } else if (type == "image/jpeg") {
        ext = ".jpg";
    } else if (type == "image/gif") {
        ext = ".gif";
    } else if (type == "text/plain") {
        ext = ".txt";
    } else if (type == "text/html") {
        ext = ".html";
    } else if (type == "application/xml" || type == "text/xml") {
        ext = ".xml";
    }
    return "attachment-" + std::to_string(index + 1) + ext;
}

std::string strip_brackets(std::string id) {
    if (id.size() >= 2 && id.front() == '<' && id.back() == '>') {
        id = id.substr(1, id.size() - 2);
    }
    return id;
}

void add_unique(std::vector<std::string>& v, std::string_view s) {
    if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) {
        v.emplace_back(s);
    }
}

/// One pass over a leaf's decoded content, keeping it only within `hold_limit` bytes.
Result<ContentScan> scan_leaf(GMimeObject* o, std::size_t hold_limit) {
    SP_TRY(scan, ContentScan::make(hold_limit));
    const Status st =
        detail::read_decoded(o, [&](std::string_view piece) { return scan.feed(piece); });
    SP_CHECK(st);
    SP_CHECK(scan.finish());
    return scan;
}

/// The readings of one leaf's type and its names (see MimeAttachment::type_readings).
void read_leaf(GMimeObject* o, const ContentScan& scan, std::vector<std::string>& types,
               std::vector<std::string>& names) {
    const std::string declared = detail::mime_type_of(o);
    const std::string_view sniffed = sniff_type(scan.head());
    add_unique(types, sniffed);
    add_unique(types, declared);
    // A PDF anywhere in the bytes (a polyglot, junk before it, a container that clients
    // unpack such as winmail.dat or a ZIP) is one more reading.
    if (sniffed != "application/pdf" && scan.holds_pdf()) {
        add_unique(types, "application/pdf");
    }
    for (const char* n : {g_mime_object_get_content_disposition_parameter(o, "filename"),
                          g_mime_object_get_content_type_parameter(o, "name")}) {
        if (n != nullptr && *n != '\0') {
            add_unique(names, n);
            add_unique(types, type_for_name(n));
        }
    }
}

}  // namespace

std::string_view refusal_reason(const Error& e) noexcept {
    const std::string_view d = e.detail;
    if (e.code != Errc::invalid_argument || d.rfind("mime:", 0) != 0) {
        return {};
    }
    const std::string_view rest = d.substr(5);
    return rest.substr(0, rest.find(':'));
}

std::string_view refusal_subject(const Error& e) noexcept {
    const std::string_view r = refusal_reason(e);
    if (r.empty() || e.detail.size() < 5 + r.size() + 2) {
        return {};
    }
    const std::string_view rest = std::string_view(e.detail).substr(5 + r.size() + 2);
    return rest.substr(0, rest.find(' '));
}

Result<MimeMessage> MimeMessage::parse(std::string data, MimeLimits limits) {
    auto st = std::make_unique<State>();
    st->owned = std::move(data);
    st->raw = st->owned;
    return parse_state(std::move(st), limits);
}

Result<MimeMessage> MimeMessage::parse_borrowed(std::string_view data, MimeLimits limits) {
    auto st = std::make_unique<State>();
    st->raw = data;
    return parse_state(std::move(st), limits);
}

Result<MimeMessage> MimeMessage::parse_state(std::unique_ptr<State> st, MimeLimits limits) {
    SP_TRY(tree, detail::parse_tree(st->raw, limits));
    st->limits = limits;
    st->is_signed = tree.is_signed;
    st->is_encrypted = tree.is_encrypted;
    if (const char* s = g_mime_message_get_subject(tree.message.get())) {
        st->subject = s;
    }

    for (GMimeObject* o :
         {gobj::object(tree.message.get()), g_mime_message_get_mime_part(tree.message.get())}) {
        GMimeHeaderList* list = o != nullptr ? g_mime_object_get_header_list(o) : nullptr;
        const int count = list != nullptr ? g_mime_header_list_get_count(list) : 0;
        for (int i = 0; i < count; ++i) {
            GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
            const char* name = g_mime_header_get_name(h);
            const char* value = g_mime_header_get_value(h);
            st->headers.push_back(
                MimeHeader{name != nullptr ? name : "", value != nullptr ? value : ""});
        }
    }
    if (GMimeObject* root = g_mime_message_get_mime_part(tree.message.get())) {
        st->root_type = detail::mime_type_of(root);
        if (const char* t = g_mime_object_get_content_type_parameter(root, "smime-type")) {
            st->root_smime_type = detail::lower(t);
        }
    }

    // RFC 2392 references from every HTML body part.
    std::set<std::string> cids;
    for (const auto& leaf : tree.leaves) {
        if (leaf.kind == detail::LeafKind::body_html) {
            SP_TRY(html, detail::decoded_content(leaf.object));
            for (auto& id : detail::cid_references(html)) {
                cids.insert(std::move(id));
            }
        }
        if (leaf.kind != detail::LeafKind::attachment) {
            MimeBody b;
            b.path = leaf.path;
            b.content_type = leaf.content_type;
            if (const char* cs = g_mime_object_get_content_type_parameter(leaf.object, "charset")) {
                b.charset = detail::lower(cs);
            }
            if (GMimeTextPart* tp = gobj::as_text_part(leaf.object)) {
                b.text = gobj::take_string(g_mime_text_part_get_text(tp));
            }
            st->bodies.push_back(std::move(b));
        }
    }

    std::size_t held = 0;  // decoded attachment bytes kept (MimeLimits::hold_bytes)
    for (const auto& leaf : tree.leaves) {
        if (leaf.kind != detail::LeafKind::attachment) {
            continue;
        }
        MimeAttachment a;
        a.index = st->attachments.size();
        a.path = leaf.path;
        a.declared_type = leaf.content_type;
        // Held while the message's hold budget has room (the estimate is an upper bound);
        // a larger part is only scanned here and decoded again when it is sealed.
        const std::size_t room = limits.hold_bytes - held;
        const std::size_t estimate = detail::decoded_size_estimate(leaf.object);
        SP_TRY(scan, scan_leaf(leaf.object, estimate <= room ? room : 0));
        a.decoded_size = scan.size();
        a.digest = scan.digest();
        const std::string_view sniffed = sniff_type(scan.head());
        a.content_type = sniffed.empty() ? a.declared_type : std::string(sniffed);
        a.file_name = detail::file_name_of(leaf.object);
        a.has_file_name = !a.file_name.empty();
        std::vector<std::string> names;
        read_leaf(leaf.object, scan, a.type_readings, names);
        // A forwarded message is sealed whole: what it holds is read as part of it.
        for (std::size_t i = leaf.inner_first; i < leaf.inner_end; ++i) {
            SP_TRY(inner, scan_leaf(tree.inner[i], 0));
            read_leaf(tree.inner[i], inner, a.type_readings, names);
        }
        for (const auto& n : names) {
            if (n != a.file_name) {
                a.other_names.push_back(n);
            }
        }
        if (!a.has_file_name) {
            a.file_name = default_name(a.index, a.content_type);
        }
        if (const char* id = g_mime_object_get_content_id(leaf.object)) {
            a.content_id = strip_brackets(id);
        }
        bool doc_name = is_document_name(a.has_file_name ? a.file_name : std::string());
        for (const auto& n : a.other_names) {
            doc_name = doc_name || is_document_name(n);
        }
        a.inline_image = !a.content_id.empty() && cids.count(a.content_id) > 0 &&
                         is_inline_image_of(a.declared_type, scan.head(), scan.holds_document()) &&
                         !doc_name && leaf.inner_end == leaf.inner_first;
        a.bytes = scan.take_held();
        if (a.bytes) {
            held += a.bytes->size();
        }
        st->attachments.push_back(std::move(a));
        st->attachment_objects.push_back(leaf.object);
    }
    st->tree.emplace(std::move(tree));
    return MimeMessage(std::move(st));
}

MimeMessage::MimeMessage(std::unique_ptr<State> s) : s_(std::move(s)) {}
MimeMessage::MimeMessage(MimeMessage&&) noexcept = default;
MimeMessage& MimeMessage::operator=(MimeMessage&&) noexcept = default;
MimeMessage::~MimeMessage() = default;

const std::vector<MimeAttachment>& MimeMessage::attachments() const noexcept {
    return s_->attachments;
}

Status MimeMessage::attachment_write(std::size_t index,
                                     const std::function<Status(std::string_view)>& sink) const {
    if (index >= s_->attachments.size() || index >= s_->attachment_objects.size()) {
        return make_error(Errc::invalid_argument, "mime: no such attachment");
    }
    const MimeAttachment& a = s_->attachments[index];
    if (a.bytes) {
        constexpr std::size_t kPiece = 65536;
        const std::string_view all = *a.bytes;
        for (std::size_t off = 0; off < all.size(); off += kPiece) {
            SP_CHECK(sink(all.substr(off, kPiece)));
        }
        return {};
    }
    std::uint64_t seen = 0;
    const Status st =
        detail::read_decoded(s_->attachment_objects[index], [&](std::string_view piece) -> Status {
            seen += piece.size();
            return sink(piece);
        });
    SP_CHECK(st);
    if (seen != a.decoded_size) {
        return make_error(Errc::internal, "mime: a part decoded to another size");
    }
    return {};
}

Result<std::string> MimeMessage::attachment_bytes(std::size_t index) const {
    std::string out;
    const Status st = attachment_write(index, [&](std::string_view piece) -> Status {
        out.append(piece);
        return {};
    });
    SP_CHECK(st);
    return out;
}
bool MimeMessage::is_signed() const noexcept {
    return s_->is_signed;
}
bool MimeMessage::is_encrypted() const noexcept {
    return s_->is_encrypted;
}
const std::vector<MimeBody>& MimeMessage::bodies() const noexcept {
    return s_->bodies;
}
const std::string& MimeMessage::subject() const noexcept {
    return s_->subject;
}
const std::vector<MimeHeader>& MimeMessage::headers() const noexcept {
    return s_->headers;
}
std::string MimeMessage::header(std::string_view name) const {
    const std::string want = detail::lower(name);
    for (const auto& h : s_->headers) {
        if (detail::lower(h.name) == want) {
            return h.value;
        }
    }
    return {};
}
const std::string& MimeMessage::root_content_type() const noexcept {
    return s_->root_type;
}
const std::string& MimeMessage::root_smime_type() const noexcept {
    return s_->root_smime_type;
}
std::string_view MimeMessage::raw() const noexcept {
    return s_->raw;
}
const MimeLimits& MimeMessage::limits() const noexcept {
    return s_->limits;
}

std::vector<std::size_t> select_all(const MimeMessage& m, bool keep_inline_images) {
    std::vector<std::size_t> out;
    for (const auto& a : m.attachments()) {
        if (!(keep_inline_images && a.inline_image)) {
            out.push_back(a.index);
        }
    }
    return out;
}

}  // namespace sealpost::mime
