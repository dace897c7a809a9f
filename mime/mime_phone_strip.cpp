// SPDX-License-Identifier: Apache-2.0
// Header-only removal of the `[sms:...]` tag and X-Sealpost-Phone (see mime_phone_strip.hpp).
#include "mime/mime_phone_strip.hpp"

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/core_ascii.hpp"
#include "mime/mime_header_fields.hpp"
#include "policy/policy_phone.hpp"

namespace sealpost::seal {

namespace {

constexpr std::string_view kPhoneHeader = "X-Sealpost-Phone";

bool is_subject_like(std::string_view name) noexcept {
    return mime::same_field_name(name, "Subject") || mime::same_field_name(name, "Thread-Topic");
}

bool has_encoded_words(std::string_view raw) noexcept {
    return raw.find("=?") != std::string_view::npos;
}

bool has_tag(std::string_view s) {
    return remove_sms_tags(s) != s;
}

/// One field to replace: the bytes [begin, end) of the message become `with`.
struct Change {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string with;
};

/// What must change in the header section; `stuck` when a tag shows in a value that cannot
/// be rewritten (raw but not decoded).
std::vector<Change> plan_changes(std::string_view msg, bool& stuck) {
    std::vector<Change> out;
    mime::visit_header_fields(msg, [&](const mime::HeaderField& f) {
        if (mime::same_field_name(f.name, kPhoneHeader)) {
            out.push_back({f.begin, f.end, {}});
            return;
        }
        if (!is_subject_like(f.name)) {
            return;
        }
        const std::string raw = mime::unfold(f.value);
        if (!has_encoded_words(raw)) {
            const std::string_view v = trim_blank(raw);
            std::string cleaned = remove_sms_tags(v);
            if (cleaned != v) {
                out.push_back(
                    {f.begin, f.end, mime::make_unstructured_field(f.name, cleaned, false)});
            }
            return;
        }
        const std::string decoded = mime::decode_unstructured(f.value);
        std::string cleaned = remove_sms_tags(decoded);
        if (cleaned != decoded) {
            out.push_back({f.begin, f.end, mime::make_unstructured_field(f.name, cleaned, true)});
        } else if (has_tag(raw)) {
            stuck = true;  // visible raw, hidden from the decoder: a reader may see either
        }
    });
    return out;
}

/// True when no phone data is left in the header section, raw or decoded.
bool clean(std::string_view msg) {
    bool ok = true;
    mime::visit_header_fields(msg, [&](const mime::HeaderField& f) {
        if (mime::same_field_name(f.name, kPhoneHeader)) {
            ok = false;
        } else if (is_subject_like(f.name)) {
            const std::string raw = mime::unfold(f.value);
            if (has_tag(raw) ||
                (has_encoded_words(raw) && has_tag(mime::decode_unstructured(raw)))) {
                ok = false;
            }
        }
    });
    return ok;
}

}  // namespace

Status strip_phone_data(std::string& msg) {
    bool stuck = false;
    const std::vector<Change> changes = plan_changes(msg, stuck);
    if (stuck) {
        return make_error(Errc::invalid_argument, std::string(kErrTagStuck));
    }
    if (changes.empty()) {
        return {};
    }
    // From the last field to the first, so earlier offsets stay valid.
    for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
        msg.replace(it->begin, it->end - it->begin, it->with);
    }
    if (!clean(msg)) {
        return make_error(Errc::invalid_argument, std::string(kErrTagStuck));
    }
    return {};
}

}  // namespace sealpost::seal
