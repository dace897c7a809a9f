// SPDX-License-Identifier: Apache-2.0
// Subject tags, Sensitivity and signed/encrypted detection (see policy_facts.hpp).
#include "policy/policy_facts.hpp"

#include <array>
#include <cstddef>
#include <string>

#include "policy/policy_match.hpp"

namespace sealpost::policy {
namespace {

struct TagSpelling {
    SubjectTag tag;
    std::string_view name;
    std::string_view written;
};

constexpr std::array<TagSpelling, 5> kTags{{
    {SubjectTag::secure, "secure", "[secure]"},
    {SubjectTag::vertraulich, "vertraulich", "(vertraulich)"},
    {SubjectTag::confidential, "confidential", "(confidential)"},
    {SubjectTag::confidentiel, "confidentiel", "(confidentiel)"},
    {SubjectTag::plain, "plain", "[plain]"},
}};

char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

bool icontains(std::string_view hay, std::string_view needle) noexcept {
    if (needle.size() > hay.size()) {
        return false;
    }
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        if (iequals(hay.substr(i, needle.size()), needle)) {
            return true;
        }
    }
    return false;
}

bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string_view trim(std::string_view s) noexcept {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) {
        return {};
    }
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

}  // namespace

RecipientFacts recipient_facts(const PracticeConfig& practice, std::string_view address) {
    return RecipientFacts{std::string(address), practice.is_internal(address)};
}

SubjectTags subject_tags(std::string_view subject) noexcept {
    SubjectTags out = 0;
    for (const auto& t : kTags) {
        if (icontains(subject, t.written)) {
            out = static_cast<SubjectTags>(out | static_cast<SubjectTags>(t.tag));
        }
    }
    return out;
}

std::string strip_control_tags(std::string_view subject) {
    std::string out;
    std::size_t i = 0;
    bool removed = false;
    while (i < subject.size()) {
        bool hit = false;
        for (const std::string_view tag :
             {std::string_view("[secure]"), std::string_view("[plain]")}) {
            if (iequals(subject.substr(i, tag.size()), tag)) {
                while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) {
                    out.pop_back();
                }
                i += tag.size();
                while (i < subject.size() && (subject[i] == ' ' || subject[i] == '\t')) {
                    ++i;
                }
                if (!out.empty() && i < subject.size()) {
                    out += ' ';
                }
                hit = true;
                removed = true;
                break;
            }
        }
        if (!hit) {
            out += subject[i++];
        }
    }
    return removed ? std::string(trim(out)) : out;
}

std::string_view to_string(SubjectTag t) noexcept {
    for (const auto& s : kTags) {
        if (s.tag == t) {
            return s.name;
        }
    }
    return "unknown";
}

std::optional<SubjectTag> parse_subject_tag(std::string_view s) noexcept {
    for (const auto& t : kTags) {
        if (iequals(s, t.name) || iequals(s, t.written)) {
            return t.tag;
        }
    }
    return std::nullopt;
}

std::optional<Sensitivity> parse_sensitivity(std::string_view header_value) noexcept {
    std::string_view v = header_value;
    if (const auto paren = v.find('('); paren != std::string_view::npos) {
        v = v.substr(0, paren);  // RFC 5322 comment after the value
    }
    v = trim(v);
    if (iequals(v, "personal")) {
        return Sensitivity::personal;
    }
    if (iequals(v, "private")) {
        return Sensitivity::private_;
    }
    if (iequals(v, "company-confidential")) {
        return Sensitivity::company_confidential;
    }
    return std::nullopt;
}

std::string_view to_string(Sensitivity s) noexcept {
    switch (s) {
        case Sensitivity::personal:
            return "personal";
        case Sensitivity::private_:
            return "private";
        case Sensitivity::company_confidential:
            return "company-confidential";
    }
    return "unknown";
}

Protection detect_protection(std::string_view content_type, std::string_view smime_type,
                             std::string_view first_text) noexcept {
    const std::string_view ct = trim(content_type.substr(0, content_type.find(';')));
    if (iequals(ct, "multipart/encrypted")) {
        return Protection::encrypted;
    }
    if (iequals(ct, "multipart/signed")) {
        return Protection::signed_;
    }
    if (iequals(ct, "application/pkcs7-mime") || iequals(ct, "application/x-pkcs7-mime")) {
        const std::string_view st = trim(smime_type);
        if (iequals(st, "signed-data") || iequals(st, "certs-only")) {
            return Protection::signed_;
        }
        return Protection::encrypted;  // enveloped-data, authEnveloped-data, compressed, unknown
    }
    // Inline OpenPGP (RFC 4880 section 6.2 armor headers), at the start of a line.
    std::string_view rest = first_text;
    while (!rest.empty()) {
        const auto nl = rest.find('\n');
        const std::string_view line = trim(rest.substr(0, nl));
        if (istarts_with(line, "-----BEGIN PGP MESSAGE-----")) {
            return Protection::encrypted;
        }
        if (istarts_with(line, "-----BEGIN PGP SIGNED MESSAGE-----")) {
            return Protection::signed_;
        }
        if (nl == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(nl + 1);
    }
    return Protection::none;
}

}  // namespace sealpost::policy
