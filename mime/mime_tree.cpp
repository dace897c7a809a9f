// SPDX-License-Identifier: Apache-2.0
// GMime parse with a warning callback that refuses critical issues (DESIGN section 9), own
// depth and part limits, and the leaf classification shared by mime_parse and mime_rewrite.
#include <array>

#include "mime/mime_tree.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "mime/mime_shape.hpp"
#include "mime/mime_sniff.hpp"

namespace sealpost::mime::detail {
std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

namespace {

bool icontains(std::string_view hay, std::string_view needle) {
    return lower(hay).find(lower(needle)) != std::string::npos;
}

std::string_view warning_name(GMimeParserWarning w) {
    switch (w) {
        case GMIME_WARN_DUPLICATED_HEADER:
            return "duplicated_header";
        case GMIME_WARN_DUPLICATED_PARAMETER:
            return "duplicated_parameter";
        case GMIME_WARN_UNENCODED_8BIT_HEADER:
            return "unencoded_8bit_header";
        case GMIME_WARN_INVALID_CONTENT_TYPE:
            return "invalid_content_type";
        case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
            return "invalid_rfc2047_header_value";
        case GMIME_WARN_MALFORMED_MULTIPART:
            return "malformed_multipart";
        case GMIME_WARN_TRUNCATED_MESSAGE:
            return "truncated_message";
        case GMIME_WARN_MALFORMED_MESSAGE:
            return "malformed_message";
        case GMIME_CRIT_INVALID_HEADER_NAME:
            return "invalid_header_name";
        case GMIME_CRIT_CONFLICTING_HEADER:
            return "conflicting_header";
        case GMIME_CRIT_CONFLICTING_PARAMETER:
            return "conflicting_parameter";
        case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
            return "multipart_without_boundary";
        case GMIME_WARN_INVALID_PARAMETER:
            return "invalid_parameter";
        case GMIME_WARN_INVALID_ADDRESS_LIST:
            return "invalid_address_list";
        case GMIME_CRIT_NESTING_OVERFLOW:
            return "nesting_overflow";
        case GMIME_WARN_PART_WITHOUT_CONTENT:
            return "part_without_content";
        case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
            return "part_without_headers_or_content";
    }
    return "unknown";
}

/// Every GMIME_CRIT_* issue, and every warning about the structure or a content header
/// (DESIGN section 3: where parsers may disagree, external recipients are refused): a
/// duplicated header or parameter (readers take the first or the last), an invalid
/// Content-Type or parameter, a malformed multipart (RFC 2046 section 5.1.1) or message.
/// Unknown codes from newer GMime count as fatal too. Not fatal, each for its reason:
/// - unencoded 8-bit header text, invalid RFC 2047 words, invalid address lists: how display
///   headers (Subject, From) are decoded; no reader finds another part or other content, and
///   refusing them would refuse everyday mail from clients that write raw UTF-8 headers;
/// - a missing close delimiter or a header-only message (`truncated_message`), a part without
///   content: every part is still found, the same by every reader.
bool is_fatal(GMimeParserWarning w) {
    switch (w) {
        case GMIME_WARN_UNENCODED_8BIT_HEADER:
        case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
        case GMIME_WARN_INVALID_ADDRESS_LIST:
        case GMIME_WARN_PART_WITHOUT_CONTENT:
        case GMIME_WARN_TRUNCATED_MESSAGE:
            return false;
        default:
            return true;
    }
}

void on_warning(gint64 offset, GMimeParserWarning code, const gchar* /*item*/, gpointer user) {
    // `item` can hold header values (personal data): never recorded.
    auto* sink = static_cast<WarningSink*>(user);
    if (is_fatal(code) && sink->first_fatal.empty()) {
        sink->first_fatal = std::string(warning_name(code)) + "@" + std::to_string(offset);
    }
}

/// Prologue and epilogue text (RFC 2046 section 5.1.1) is written back as it was. A broken
/// delimiter can leave a whole body part there, in clear: refuse anything that looks like a
/// MIME entity or is long.
bool hidden_content(const char* text) {
    if (text == nullptr) {
        return false;
    }
    const std::string_view t(text);
    return t.size() > 4096 || icontains(t, "content-type:") ||
           icontains(t, "content-transfer-encoding:") || icontains(t, "content-disposition:");
}

bool blank(const char* text) {
    if (text == nullptr) {
        return true;
    }
    const std::string_view t(text);
    return std::all_of(t.begin(), t.end(),
                       [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

/// duplicate_content_header() over the header list of `o`.
std::optional<std::string_view> duplicate_content_header(GMimeObject* o) {
    GMimeHeaderList* list = g_mime_object_get_header_list(o);
    const int n = list != nullptr ? g_mime_header_list_get_count(list) : 0;
    std::vector<std::string_view> names;
    names.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        const char* name = g_mime_header_get_name(g_mime_header_list_get_header_at(list, i));
        names.emplace_back(name != nullptr ? name : "");
    }
    return detail::duplicate_content_header(names);
}

struct Walker {
    const MimeLimits& limits;
    Tree& tree;
    std::size_t parts = 0;

    /// RFC 2045 section 3: each content header once; section 6: a known encoding. Readers
    /// that take the other duplicate, or decode an unknown encoding their own way, see other
    /// content than GMime does.
    static Status check_headers(GMimeObject* o, const std::string& path, bool leaf, bool text) {
        if (auto dup = duplicate_content_header(o)) {
            return refuse(reason::duplicate_header, std::string(*dup) + " twice at " + path);
        }
        const char* cte = g_mime_object_get_header(o, "Content-Transfer-Encoding");
        if (cte == nullptr) {
            return {};
        }
        const std::string v = lower(cte);
        if (!leaf) {
            // RFC 2045 6.4: a multipart or message/rfc822 is never encoded.
            if (v.find("7bit") == std::string::npos && v.find("8bit") == std::string::npos &&
                v.find("binary") == std::string::npos) {
                return refuse(reason::unknown_encoding, "encoded container at " + path);
            }
            return {};
        }
        // A text part with an unknown encoding is read as it stands by every reader, except
        // uuencode, which GMime decodes and others do not.
        if (!is_standard_encoding(v) && (!text || v.find("uu") != std::string::npos)) {
            return refuse(reason::unknown_encoding, "at " + path);
        }
        return {};
    }

    /// Text (body or attachment, at any depth) that carries a file in a form mail clients
    /// decode and show as an attachment: refused, never passed in clear.
    static Status check_text(std::string_view bytes, const std::string& path) {
        if (auto kind = hidden_file_in_text(bytes)) {
            return refuse(reason::encoded_file_in_text, std::string(*kind) + " at " + path);
        }
        return {};
    }

    Status walk(GMimeObject* o, GMimeMultipart* parent, unsigned depth, const std::string& path,
                bool record) {
        if (o == nullptr) {
            return refuse(reason::not_a_message, "empty part at " + path);
        }
        if (++parts > limits.max_parts) {
            return refuse(reason::too_many_parts, std::to_string(parts) + " parts");
        }
        if (depth > limits.max_depth) {
            return refuse(reason::too_deep, "depth " + std::to_string(depth));
        }
        const std::string type = mime_type_of(o);
        if (type == "multipart/encrypted" || type == "application/pkcs7-mime" ||
            type == "application/x-pkcs7-mime" || type == "application/pgp-encrypted") {
            tree.is_encrypted = true;
        }
        if (type == "multipart/signed") {
            tree.is_signed = true;
        }
        const bool is_leaf = gobj::as_part(o) != nullptr;
        SP_CHECK(check_headers(o, path, is_leaf, type.rfind("text/", 0) == 0));
        if (GMimeMultipart* mp = gobj::as_multipart(o)) {
            if (const char* b = g_mime_multipart_get_boundary(mp)) {
                tree.boundaries.insert(b);
            }
            if (hidden_content(g_mime_multipart_get_prologue(mp)) ||
                hidden_content(g_mime_multipart_get_epilogue(mp))) {
                return refuse(reason::parser_warning, "content outside body parts at " + path);
            }
            const int n = g_mime_multipart_get_count(mp);
            if (n <= 0 && !(blank(g_mime_multipart_get_prologue(mp)) &&
                            blank(g_mime_multipart_get_epilogue(mp)))) {
                // No body part found but text there: possibly a part GMime could not see.
                return refuse(reason::parser_warning, "multipart without parts at " + path);
            }
            if (record) {
                tree.multiparts.emplace_back(mp, parent);
            }
            for (int i = 0; i < n; ++i) {
                const std::string child_path =
                    (parent == nullptr && path == "1" && depth == 1 && record)
                        ? std::to_string(i + 1)
                        : path + "." + std::to_string(i + 1);
                SP_CHECK(walk(g_mime_multipart_get_part(mp, i), mp, depth + 1, child_path, record));
            }
            return {};
        }
        if (GMimeMessagePart* mpart = gobj::as_message_part(o)) {
            // A forwarded message (RFC 2046 section 5.2.1) is sealed whole, as one .eml file:
            // walk it for the limits and the checks, and note what it holds for the policy.
            if (record) {
                tree.leaves.push_back(Leaf{o, parent, LeafKind::attachment, path, type});
            }
            GMimeMessage* inner = g_mime_message_part_get_message(mpart);
            if (inner != nullptr) {
                if (auto dup = duplicate_content_header(gobj::object(inner))) {
                    return refuse(reason::duplicate_header,
                                  std::string(*dup) + " twice at " + path + ".m");
                }
                const std::size_t first = tree.inner.size();
                SP_CHECK(walk(g_mime_message_get_mime_part(inner), nullptr, depth + 1, path + ".m",
                              false));
                if (record) {
                    tree.leaves.back().inner_first = first;
                    tree.leaves.back().inner_end = tree.inner.size();
                }
            }
            return {};
        }
        if (!is_leaf) {
            return refuse(reason::not_a_message, "unknown object at " + path);
        }
        std::string text_bytes;
        if (type.rfind("text/", 0) == 0) {
            SP_TRY(bytes, decoded_content(o));
            SP_CHECK(check_text(bytes, path));
            text_bytes = std::move(bytes);
        }
        if (!record) {
            tree.inner.push_back(o);
            return {};
        }
        const char* disp = g_mime_object_get_disposition(o);
        const bool attachment_disp = disp != nullptr && lower(disp) == "attachment";
        const bool named = !file_name_of(o).empty();
        LeafKind kind = LeafKind::attachment;
        if (!attachment_disp && !named && type == "text/plain") {
            kind = LeafKind::body_text;
        } else if (!attachment_disp && !named && type == "text/html") {
            kind = LeafKind::body_html;
        }
        if (kind != LeafKind::attachment) {
            // Content decides, not labels: a "text" body whose bytes are a PDF, an image or
            // any other known file is that file.
            if (!sniff_type(text_bytes).empty()) {
                kind = LeafKind::attachment;
            }
        }
        tree.leaves.push_back(Leaf{o, parent, kind, path, type});
        return {};
    }
};

}  // namespace

Error refuse(std::string_view why, std::string_view what) {
    return make_error(Errc::invalid_argument,
                      "mime:" + std::string(why) + ": " + std::string(what));
}

std::string mime_type_of(GMimeObject* o) {
    GMimeContentType* ct = g_mime_object_get_content_type(o);
    if (ct == nullptr) {
        return "text/plain";  // RFC 2045 section 5.2 default
    }
    return lower(gobj::take_string(g_mime_content_type_get_mime_type(ct)));
}

std::string file_name_of(GMimeObject* o) {
    if (GMimePart* p = gobj::as_part(o)) {
        const char* n = g_mime_part_get_filename(p);
        return n != nullptr ? std::string(n) : std::string();
    }
    if (const char* n = g_mime_object_get_content_disposition_parameter(o, "filename")) {
        return n;
    }
    if (const char* n = g_mime_object_get_content_type_parameter(o, "name")) {
        return n;
    }
    return {};
}

std::size_t decoded_size_estimate(GMimeObject* leaf) {
    GMimePart* p = gobj::as_part(leaf);
    GMimeDataWrapper* w = p != nullptr ? g_mime_part_get_content(p) : nullptr;
    GMimeStream* src = w != nullptr ? g_mime_data_wrapper_get_stream(w) : nullptr;
    if (src == nullptr) {
        return 0;
    }
    const gint64 len = g_mime_stream_length(src);
    std::size_t estimate = len > 0 ? static_cast<std::size_t>(len) : 0;
    if (g_mime_data_wrapper_get_encoding(w) == GMIME_CONTENT_ENCODING_BASE64) {
        estimate = estimate / 4 * 3 + 3;  // RFC 2045 6.8: 4 characters carry 3 octets
    }
    return estimate;
}

Status read_decoded(GMimeObject* leaf, const std::function<Status(std::string_view)>& sink) {
    if (GMimePart* p = gobj::as_part(leaf)) {
        GMimeDataWrapper* w = g_mime_part_get_content(p);
        GMimeStream* src = w != nullptr ? g_mime_data_wrapper_get_stream(w) : nullptr;
        if (src == nullptr) {
            return {};
        }
        // What g_mime_data_wrapper_write_to_stream does, a piece at a time: the part is never
        // held decoded unless the caller keeps it.
        const GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(w);
        (void)g_mime_stream_reset(src);
        auto filtered = gobj::Ref<GMimeStream>::adopt(g_mime_stream_filter_new(src));
        if (enc == GMIME_CONTENT_ENCODING_BASE64 || enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
            enc == GMIME_CONTENT_ENCODING_UUENCODE) {
            GMimeFilter* dec = g_mime_filter_basic_new(enc, FALSE);
            g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.get()), dec);
            g_object_unref(dec);
        }
        std::array<char, 65536> buf{};
        Status st;
        for (;;) {
            const ssize_t n = g_mime_stream_read(filtered.get(), buf.data(), buf.size());
            if (n < 0) {
                st = make_error(Errc::internal, "mime: cannot decode part content");
                break;
            }
            if (n == 0) {
                break;
            }
            st = sink(std::string_view(buf.data(), static_cast<std::size_t>(n)));
            if (!st) {
                break;
            }
        }
        (void)g_mime_stream_reset(src);
        return st;
    }
    if (GMimeMessagePart* mp = gobj::as_message_part(leaf)) {
        // A forwarded message is serialised whole (GMime writes it only into a stream).
        GMimeMessage* inner = g_mime_message_part_get_message(mp);
        if (inner == nullptr) {
            return {};
        }
        SP_TRY(text, serialise(inner));
        return sink(text);
    }
    return make_error(Errc::internal, "mime: not a leaf");
}

Result<std::string> decoded_content(GMimeObject* leaf) {
    std::string out;
    out.reserve(decoded_size_estimate(leaf));
    const Status st = read_decoded(leaf, [&](std::string_view piece) -> Status {
        out.append(piece);
        return {};
    });
    SP_CHECK(st);
    return out;
}

std::vector<std::string> cid_references(std::string_view html) {
    std::vector<std::string> out;
    const std::string low = lower(html);
    std::size_t pos = 0;
    while ((pos = low.find("cid:", pos)) != std::string::npos) {
        pos += 4;
        std::string id;
        while (pos < html.size()) {
            const char c = html[pos];
            if (c == '"' || c == '\'' || c == '>' || c == ')' || c == '<' ||
                std::isspace(static_cast<unsigned char>(c)) != 0) {
                break;
            }
            if (c == '%' && pos + 2 < html.size() &&
                std::isxdigit(static_cast<unsigned char>(html[pos + 1])) != 0 &&
                std::isxdigit(static_cast<unsigned char>(html[pos + 2])) != 0) {
                // RFC 2392: the URL form of a Content-ID is %-encoded.
                id.push_back(static_cast<char>(
                    std::stoi(std::string(html.substr(pos + 1, 2)), nullptr, 16)));
                pos += 3;
                continue;
            }
            id.push_back(c);
            ++pos;
        }
        if (!id.empty()) {
            out.push_back(std::move(id));
        }
    }
    return out;
}

Result<std::string> serialise(GMimeMessage* m) {
    auto out = gobj::mem_stream();
    const gobj::FormatOptions fmt;
    if (g_mime_object_write_to_stream(gobj::object(m), fmt.get(), out.get()) < 0) {
        return make_error(Errc::internal, "mime: cannot serialise message");
    }
    std::string bytes = gobj::mem_stream_bytes(out.get());
    // Belt and braces for RFC 5322 section 2.1: every line ends in CRLF, whatever GMime's
    // newline filter did with content copied verbatim.
    std::string crlf;
    crlf.reserve(bytes.size() + bytes.size() / 32);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        const bool bare_lf = c == '\n' && (i == 0 || bytes[i - 1] != '\r');
        const bool bare_cr = c == '\r' && (i + 1 >= bytes.size() || bytes[i + 1] != '\n');
        if (bare_lf || bare_cr) {
            crlf += "\r\n";
        } else {
            crlf.push_back(c);
        }
    }
    return crlf;
}

Result<Tree> parse_tree(std::string_view data, const MimeLimits& limits) {
    // RFC 2045 sections 2.7 and 2.8: neither 7bit nor 8bit data holds a NUL; only binary data
    // does, and that needs BINARYMIME (RFC 3030), which sealpost never offers. GMime keeps
    // header values, preambles and epilogues as C strings: a NUL cuts one short and, written
    // back, merges the next header into it (a Content-Type lost, the structure changed).
    if (const std::size_t nul = data.find('\0'); nul != std::string_view::npos) {
        return refuse(reason::nul_octet, "at offset " + std::to_string(nul));
    }
    gobj::ensure_init();
    Tree tree;
    tree.borrowed = std::make_unique<GByteArray>();
    tree.source = gobj::mem_stream_borrowed(data, *tree.borrowed);
    auto parser = gobj::Ref<GMimeParser>::adopt(g_mime_parser_new_with_stream(tree.source.get()));
    g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
    tree.options = std::make_unique<gobj::ParserOptions>();
    tree.sink = std::make_unique<WarningSink>();
    g_mime_parser_options_set_warning_callback(tree.options->get(), &on_warning, tree.sink.get());
    tree.message = gobj::Ref<GMimeMessage>::adopt(
        g_mime_parser_construct_message(parser.get(), tree.options->get()));
    if (!tree.sink->first_fatal.empty()) {
        // RFC 2045 section 3: GMime calls a second Content-* header in one entity a conflict.
        const bool dup = tree.sink->first_fatal.rfind("conflicting_header", 0) == 0 ||
                         tree.sink->first_fatal.rfind("duplicated_header", 0) == 0;
        return refuse(dup ? reason::duplicate_header : reason::parser_warning,
                      tree.sink->first_fatal);
    }
    // RFC 2046 5.1.1: a line that only begins with a boundary is a delimiter to some readers.
    // Checked first: it decides what every other check sees.
    std::set<std::string> boundaries;
    raw_boundaries(data, boundaries);
    if (auto at = near_boundary_line(data, boundaries)) {
        return refuse(reason::ambiguous_boundary, "line at offset " + std::to_string(*at));
    }
    if (!tree.message) {
        return refuse(reason::not_a_message, "parser returned no message");
    }
    GMimeObject* root = g_mime_message_get_mime_part(tree.message.get());
    if (auto dup = duplicate_content_header(gobj::object(tree.message.get()))) {
        return refuse(reason::duplicate_header, std::string(*dup) + " twice at the top level");
    }
    Walker w{limits, tree};
    SP_CHECK(w.walk(root, nullptr, 1, "1", true));
    // Again with the boundaries as GMime read them, should one differ from the raw scan's.
    if (!std::includes(boundaries.begin(), boundaries.end(), tree.boundaries.begin(),
                       tree.boundaries.end())) {
        if (auto at = near_boundary_line(data, tree.boundaries)) {
            return refuse(reason::ambiguous_boundary, "line at offset " + std::to_string(*at));
        }
    }
    return tree;
}

}  // namespace sealpost::mime::detail
