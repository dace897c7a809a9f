// SPDX-License-Identifier: Apache-2.0
// Loading a policy file (DESIGN.md section 5): TOML via toml++, every key checked, errors as
// one line `FILE:LINE: KEY: what is wrong` so a sysadmin finds the mistake.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include <toml++/toml.h>

#include "core/core_config.hpp"
#include "core/core_units.hpp"
#include "policy/policy.hpp"
#include "policy/policy_facts.hpp"
#include "policy/policy_match.hpp"

namespace sealpost::policy {
namespace {

constexpr std::size_t kMaxName = 64;
constexpr std::string_view kDefaultReject = "Message rejected by the practice's mail policy";

/// Makes `s` one line (controls become spaces), at most `max` bytes: file content quoted in a
/// message must not forge a second log line.
std::string one_line(std::string_view s, std::size_t max = 120) {
    std::string out;
    for (const char c : s.substr(0, max)) {
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7F) ? ' ' : c;
    }
    return out;
}

std::uint32_t line_of(const toml::node& n) {
    return static_cast<std::uint32_t>(n.source().begin.line);
}

/// Internal: carries one finished error line out of the parser.
struct LoadFailure {
    std::string text;
};

class Reader {
  public:
    explicit Reader(std::string label) : label_(std::move(label)) {}

    [[noreturn]] void fail(std::uint32_t line, std::string_view key, std::string_view what) const {
        std::string msg = label_;
        if (line != 0) {
            msg += ':' + std::to_string(line);
        }
        msg += ": ";
        if (!key.empty()) {
            msg += std::string(key) + ": ";
        }
        msg += what;
        throw LoadFailure{one_line(msg, 1024)};
    }

    [[nodiscard]] const std::string& label() const { return label_; }

  private:
    std::string label_;
};

/// One table (the top level or a `[[rule]]`), with every key checked exactly once.
class Table {
  public:
    Table(const Reader& r, const toml::table& t, std::string prefix)
        : r_(r), t_(t), prefix_(std::move(prefix)) {}

    [[nodiscard]] std::string dotted(std::string_view key) const {
        return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
    }
    [[noreturn]] void fail(std::string_view key, std::string_view what) const {
        const toml::node* n = t_.get(key);
        r_.fail(n != nullptr ? line_of(*n) : line_of(t_), dotted(key), what);
    }

    const toml::node* get(std::string_view key) {
        seen_.insert(std::string(key));
        return t_.get(key);
    }

    std::optional<std::string> string(std::string_view key) {
        const toml::node* n = get(key);
        if (n == nullptr) {
            return std::nullopt;
        }
        const auto* s = n->as_string();
        if (s == nullptr) {
            fail(key, "must be a string");
        }
        if (s->get().find('\0') != std::string::npos) {
            fail(key, "contains a NUL character");
        }
        return s->get();
    }

    std::optional<bool> boolean(std::string_view key) {
        const toml::node* n = get(key);
        if (n == nullptr) {
            return std::nullopt;
        }
        const auto* b = n->as_boolean();
        if (b == nullptr) {
            fail(key, "must be true or false");
        }
        return b->get();
    }

    /// A string or a non-empty array of strings.
    std::vector<std::string> strings(std::string_view key) {
        const toml::node* n = get(key);
        std::vector<std::string> out;
        if (n == nullptr) {
            return out;
        }
        if (const auto* s = n->as_string()) {
            out.push_back(s->get());
            return out;
        }
        const auto* arr = n->as_array();
        if (arr == nullptr) {
            fail(key, "must be a string or a list of strings");
        }
        if (arr->empty()) {
            fail(key, "is an empty list (leave the key out to match everything)");
        }
        if (arr->size() > kMaxListEntries) {
            fail(key, "has more than " + std::to_string(kMaxListEntries) + " entries");
        }
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const toml::node& el = *arr->get(i);
            const auto* s = el.as_string();
            if (s == nullptr) {
                r_.fail(line_of(el), dotted(key) + "[" + std::to_string(i) + "]",
                        "must be a string");
            }
            out.push_back(s->get());
        }
        return out;
    }

    /// `5MiB`-style string (core_units parse_size) or a non-negative integer of bytes.
    std::optional<std::uint64_t> size(std::string_view key) {
        const toml::node* n = get(key);
        if (n == nullptr) {
            return std::nullopt;
        }
        if (const auto* i = n->as_integer()) {
            if (i->get() < 0) {
                fail(key, "must not be negative");
            }
            return static_cast<std::uint64_t>(i->get());
        }
        if (const auto* s = n->as_string()) {
            auto v = parse_size(s->get());
            if (!v) {
                fail(key, "\"" + one_line(s->get()) +
                              "\" is not a size (write bytes or e.g. 512KiB, 5MiB, 1GiB)");
            }
            return *v;
        }
        fail(key, "must be a size such as \"5MiB\" or a number of bytes");
    }

    /// One of `names`; returns the index.
    std::optional<std::size_t> choice(std::string_view key,
                                      std::initializer_list<std::string_view> names) {
        const auto s = string(key);
        if (!s) {
            return std::nullopt;
        }
        std::size_t idx = 0;
        std::string all;
        for (const auto name : names) {
            if (*s == name) {
                return idx;
            }
            all += (idx == 0 ? "" : ", ") + std::string("\"") + std::string(name) + "\"";
            ++idx;
        }
        fail(key, "\"" + one_line(*s) + "\" is not one of " + all);
    }

    /// Unknown keys are errors (a typo must not silently widen a rule). Checked first, so a
    /// misspelt `action` is reported as the unknown key it is.
    void check_known(std::initializer_list<std::string_view> known) const {
        const toml::key* first = nullptr;
        for (auto&& [k, v] : t_) {
            if (std::find(known.begin(), known.end(), k.str()) == known.end() &&
                (first == nullptr || k.source().begin.line < first->source().begin.line)) {
                first = &k;
            }
        }
        if (first != nullptr) {
            r_.fail(static_cast<std::uint32_t>(first->source().begin.line),
                    dotted(one_line(first->str())), "unknown key");
        }
    }

    /// Every key must have been read (guards against a key listed as known but never read).
    void finish() const {
        const toml::key* first = nullptr;
        for (auto&& [k, v] : t_) {
            if (seen_.count(std::string(k.str())) == 0 &&
                (first == nullptr || k.source().begin.line < first->source().begin.line)) {
                first = &k;
            }
        }
        if (first != nullptr) {
            r_.fail(static_cast<std::uint32_t>(first->source().begin.line),
                    dotted(one_line(first->str())), "unknown key");
        }
    }

  private:
    const Reader& r_;
    const toml::table& t_;
    std::string prefix_;
    std::set<std::string> seen_;
};

Rule read_rule(const Reader& r, const toml::table& t, std::size_t index) {
    const std::string prefix = "rule[" + std::to_string(index + 1) + "]";
    Table tb(r, t, prefix);
    tb.check_known({"name", "from", "to", "recipient", "subject_tag", "sensitivity",
                    "attachment_type", "attachment_name", "attachment_min_size",
                    "attachment_max_size", "invoice", "action", "attachments", "keep_inline_images",
                    "message"});
    Rule rule;
    rule.line = line_of(t);

    if (auto name = tb.string("name")) {
        if (name->empty() || name->size() > kMaxName) {
            tb.fail("name", "must be 1.." + std::to_string(kMaxName) + " characters");
        }
        for (const char c : *name) {
            const auto u = static_cast<unsigned char>(c);
            if (u <= 0x20 || u >= 0x7F) {
                tb.fail("name", "may only use printable ASCII without spaces (e.g. seal-external)");
            }
        }
        rule.name = *name;
    } else {
        rule.name = prefix;
    }

    for (const auto* key : {"from", "to"}) {
        auto list = tb.strings(key);
        for (auto& p : list) {
            if (auto why = address_pattern_problem(p)) {
                tb.fail(key, "\"" + one_line(p) + "\" " + *why);
            }
            p = ascii_lower(p);
        }
        (std::string_view(key) == "from" ? rule.from : rule.to) = std::move(list);
    }

    if (auto k = tb.choice("recipient", {"internal", "external"})) {
        rule.recipient = *k == 0 ? RecipientKind::internal : RecipientKind::external;
    }

    for (const auto& s : tb.strings("subject_tag")) {
        const auto tag = parse_subject_tag(s);
        if (!tag) {
            tb.fail("subject_tag", "\"" + one_line(s) +
                                       "\" is not one of secure, vertraulich, confidential, "
                                       "confidentiel, plain");
        }
        rule.subject_tags =
            static_cast<SubjectTags>(rule.subject_tags | static_cast<SubjectTags>(*tag));
    }

    for (const auto& s : tb.strings("sensitivity")) {
        const auto v = parse_sensitivity(s);
        if (!v || s.find('(') != std::string::npos) {
            tb.fail("sensitivity", "\"" + one_line(s) +
                                       "\" is not one of personal, private, company-confidential");
        }
        rule.sensitivity.push_back(*v);
    }

    rule.attachment.types = tb.strings("attachment_type");
    for (auto& p : rule.attachment.types) {
        if (auto why = content_type_pattern_problem(p)) {
            tb.fail("attachment_type", "\"" + one_line(p) + "\" " + *why);
        }
        p = ascii_lower(p);
    }
    rule.attachment.names = tb.strings("attachment_name");
    for (auto& p : rule.attachment.names) {
        if (auto why = glob_problem(p)) {
            tb.fail("attachment_name", "\"" + one_line(p) + "\" " + *why);
        }
        p = ascii_lower(p);
    }
    rule.attachment.min_size = tb.size("attachment_min_size");
    rule.attachment.max_size = tb.size("attachment_max_size");
    if (rule.attachment.min_size && rule.attachment.max_size &&
        *rule.attachment.min_size > *rule.attachment.max_size) {
        tb.fail("attachment_max_size", "is smaller than attachment_min_size");
    }
    if (auto inv = tb.boolean("invoice")) {
        if (!*inv) {
            tb.fail("invoice", "only true is allowed (leave the key out otherwise)");
        }
        rule.attachment.invoice = true;
    }

    const auto action = tb.choice("action", {"seal", "pass", "reject"});
    if (!action) {
        r.fail(line_of(t), prefix + ".action", "is missing (seal, pass or reject)");
    }
    rule.action = *action == 0 ? Action::seal : (*action == 1 ? Action::pass : Action::reject);

    const auto sel = tb.choice("attachments", {"all", "invoices"});
    const auto keep = tb.boolean("keep_inline_images");
    if (rule.action != Action::seal) {
        if (sel) {
            tb.fail("attachments", "only applies to action = \"seal\"");
        }
        if (keep) {
            tb.fail("keep_inline_images", "only applies to action = \"seal\"");
        }
    }
    rule.attachments = (sel && *sel == 1) ? AttachmentSelector::invoices : AttachmentSelector::all;
    rule.keep_inline_images = keep.value_or(true);

    const auto msg = tb.string("message");
    if (msg && rule.action != Action::reject) {
        tb.fail("message", "only applies to action = \"reject\"");
    }
    if (rule.action == Action::reject) {
        rule.message = sanitize_reply_text(msg.value_or(std::string(kDefaultReject)));
        if (rule.message.empty()) {
            tb.fail("message", "is empty");
        }
    }
    tb.finish();
    return rule;
}

Policy parse_or_throw(std::string_view text, const std::string& label) {
    const Reader r(label);
    if (text.size() > kMaxPolicyFile) {
        r.fail(0, {}, "larger than " + std::to_string(kMaxPolicyFile) + " bytes");
    }
    toml::table root;
    try {
        root = toml::parse(text, label);
    } catch (const toml::parse_error& e) {
        r.fail(static_cast<std::uint32_t>(e.source().begin.line), {},
               "syntax error: " + std::string(e.description()));
    }

    Policy p;
    p.source = label;
    Table top(r, root, "");
    top.check_known({"signed", "encrypted", "no_match", "inline_image_max", "rule"});
    if (auto k = top.choice("signed", {"pass", "reject"})) {
        p.signed_ = *k == 0 ? ProtectedAction::pass : ProtectedAction::reject;
    }
    if (auto k = top.choice("encrypted", {"pass", "reject"})) {
        p.encrypted = *k == 0 ? ProtectedAction::pass : ProtectedAction::reject;
    }
    if (auto k = top.choice("no_match", {"pass", "reject"})) {
        p.no_match = *k == 0 ? Action::pass : Action::reject;
    }
    if (auto max = top.size("inline_image_max")) {
        if (*max > kMaxInlineImageMax) {
            top.fail("inline_image_max", "must be at most 1MiB (a logo, not a scan)");
        }
        p.inline_image_max = *max;
    }
    if (const toml::node* rules = top.get("rule")) {
        const auto* arr = rules->as_array();
        if (arr == nullptr || !arr->is_array_of_tables()) {
            r.fail(line_of(*rules), "rule", "must be written as [[rule]] tables");
        }
        if (arr->size() > kMaxRules) {
            r.fail(line_of(*rules), "rule", "more than " + std::to_string(kMaxRules) + " rules");
        }
        std::set<std::string> names;
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const auto* t = arr->get(i)->as_table();
            Rule rule = read_rule(r, *t, i);
            if (!names.insert(rule.name).second) {
                r.fail(rule.line, "rule[" + std::to_string(i + 1) + "].name",
                       "\"" + rule.name + "\" is used by an earlier rule");
            }
            p.rules.push_back(std::move(rule));
        }
    }
    top.finish();
    return p;
}

}  // namespace

Result<Policy> policy_parse(std::string_view toml_text, std::string_view label) {
    try {
        return parse_or_throw(toml_text, std::string(label.empty() ? "<policy>" : label));
    } catch (const LoadFailure& f) {
        return make_error(Errc::invalid_argument, f.text);
    }
}

Result<Policy> policy_load(const std::filesystem::path& path) {
    const std::string label = path.string();
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        return make_error(Errc::io, one_line(label + ": cannot read: " + ec.message()));
    }
    if (size > kMaxPolicyFile) {
        return make_error(Errc::invalid_argument,
                          label + ": larger than " + std::to_string(kMaxPolicyFile) + " bytes");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return make_error(Errc::io, one_line(label + ": cannot open"));
    }
    std::string text;
    text.resize(static_cast<std::size_t>(size) + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (in.bad()) {
        return make_error(Errc::io, one_line(label + ": read error"));
    }
    return policy_parse(text, label);
}

Policy policy_load_or_throw(const std::filesystem::path& path) {
    auto p = policy_load(path);
    if (!p) {
        throw ConfigError(p.error().detail);
    }
    return std::move(p).value();
}

}  // namespace sealpost::policy
