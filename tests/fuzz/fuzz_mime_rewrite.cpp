// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the sealing rewrite: the DATA bytes of one message to an external patient (and
// an internal colleague) are planned under the shipped default policy (plan_message), sealed
// into a throwaway vault (seal_planned: GMime parse, envelope, notice, rewrite), and the result
// is parsed again. The patient's phone comes from the message (tag or header) or, failing that,
// from a stand-in contacts store, so every message the policy seals is sealed.
// The input is made CRLF-only first, as the DATA reader would pass it.
// Invariants, for every input:
// - a refusal by the parser is Errc::invalid_argument `mime:...`; the internal colleague is
//   never sealed; a failed seal leaves no envelope behind (fail closed);
// - a sealed message re-parses; it holds exactly the attachments that were not selected
//   (decoded bytes as a multiset, up to line ends at their end: GMime ends a part that the
//   message cut off with one); every body text part carries the link; the link opens
//   an envelope whose documents are exactly the selected attachments (names, types, bytes);
// - a sealed attachment's content (64 bytes or more) appears in no body or attachment of the
//   output, and no more often in the output's raw bytes than in the input's, unless it is
//   also what a kept part, an input body or a listed file name says;
// - the oracle of "content decides, not labels": whenever the message is delivered to the
//   patient (passed or sealed), no decoded leaf of the input that sniffs as a document
//   (mime::sniff_type, any known magic number; kept inline logos aside) appears in any decoded
//   leaf of what is delivered; and a message the parser refuses is never passed to the patient.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_log.hpp"
#include "fuzz_vault.hpp"
#include "mime/mime_message.hpp"
#include "mime/mime_plan.hpp"
#include "mime/mime_sniff.hpp"
#include "notice/notice_templates.hpp"
#include "policy/policy.hpp"
#include "proxy/proxy_delivery.hpp"

using namespace sealpost;

namespace {

constexpr std::string_view kBaseUrl = "https://portal.example.ch";
constexpr std::size_t kTokenLength = 43;  // 32 bytes, base64url without padding
constexpr std::size_t kMinProbe = 64;     // shorter contents may occur anywhere by chance
constexpr std::size_t kWipeEvery = 1000;  // inputs between two fresh vaults

/// The sealed message of the current input, shown on failure with FUZZ_SHOW=1 in the
/// environment (when reproducing a crash: `FUZZ_SHOW=1 fuzz_mime_rewrite crash-...`).
std::string g_output;

[[noreturn]] void fail(std::string_view what) {
    std::cerr << "fuzz_mime_rewrite: " << what << "\n";
    if (std::getenv("FUZZ_SHOW") != nullptr) {  // NOLINT(concurrency-mt-unsafe): one thread
        std::cerr << "---- sealed message ----\n" << g_output << "\n---- end ----\n";
    }
    std::abort();
}

/// Everything loaded once per process.
struct World {
    bool quiet =
        (log::init("fuzz_mime_rewrite", "error"), true);  // before the vault logs its start
    fuzz::ThrowawayVault vault{"fuzz_mime_rewrite"};
    PracticeConfig practice;
    policy::Policy policy;
    std::optional<seal::NoticeTemplates> templates;
    std::size_t inputs = 0;

    World() {
        const std::filesystem::path src(SEALPOST_SOURCE_DIR);
        practice.name = "Praxis Muster";
        practice.base_url = std::string(kBaseUrl);
        practice.internal_domains = {"praxis.example.ch"};
        auto pol = policy::policy_load(src / "policies" / "default.toml");
        auto tpl = seal::NoticeTemplates::load(src / "policies" / "templates");
        if (!pol || !tpl) {
            fail("cannot load policies/default.toml or policies/templates");
        }
        policy = std::move(pol).value();
        templates.emplace(std::move(tpl).value());
    }
};

World& world() {
    static World w;
    return w;
}

std::size_t count(std::string_view hay, std::string_view needle) {
    std::size_t n = 0;
    for (std::size_t at = hay.find(needle); at != std::string_view::npos;
         at = hay.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

bool contains(std::string_view hay, std::string_view needle) {
    return hay.find(needle) != std::string_view::npos;
}

bool base64url_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/// The tokens of every link `{base_url}/d/{token}` in `text` (a file name listed in the
/// notice may look like a link too).
std::set<std::string> link_tokens(std::string_view text) {
    const std::string prefix = std::string(kBaseUrl) + "/d/";
    std::set<std::string> out;
    for (std::size_t at = text.find(prefix); at != std::string_view::npos;
         at = text.find(prefix, at + 1)) {
        const std::string_view rest = text.substr(at + prefix.size());
        std::size_t n = 0;
        while (n < rest.size() && base64url_char(rest[n])) {
            ++n;
        }
        if (n == kTokenLength) {
            out.insert(std::string(rest.substr(0, n)));
        }
    }
    return out;
}

std::string without_final_eol(std::string s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) {
        s.pop_back();
    }
    return s;
}

std::uint64_t live_envelopes(vault::Vault& v) {
    auto s = v.vault_stats();
    if (!s) {
        fail("vault_stats: " + s.error().detail);
    }
    return s->pending + s->sent;
}

/// The envelope behind `token` holds exactly `sealed` (in order); then it is discarded.
void check_envelope(vault::Vault& v, const std::string& token,
                    const std::vector<const mime::MimeAttachment*>& sealed) {
    auto opened = v.envelope_open(token);
    if (!opened) {
        fail("the link in the sealed message opens nothing: " + opened.error().detail);
    }
    const auto& docs = opened->meta.documents;
    if (docs.size() != sealed.size()) {
        fail("the envelope holds another number of documents than were sealed");
    }
    for (std::size_t i = 0; i < docs.size(); ++i) {
        if (docs[i].file_name != sealed[i]->file_name ||
            docs[i].content_type != sealed[i]->content_type) {
            fail("a stored document has another name or type than the attachment");
        }
        auto reader = v.document_reader(*opened, static_cast<std::uint32_t>(i));
        if (!reader) {
            fail("document_reader: " + reader.error().detail);
        }
        std::string bytes;
        for (;;) {
            auto chunk = reader->next();
            if (!chunk) {
                fail("reading a stored document: " + chunk.error().detail);
            }
            if (!*chunk) {
                break;
            }
            bytes.append(reinterpret_cast<const char*>((*chunk)->data()), (*chunk)->size());
        }
        if (bytes != sealed[i]->bytes) {
            fail("a stored document differs from the attachment it came from");
        }
    }
    if (auto st = v.envelope_discard(opened->summary.id); !st) {
        fail("envelope_discard: " + st.error().detail);
    }
}

/// What a sealed message must and must not hold (see the file comment).
void check_sealed(const mime::MimeMessage& in, const std::vector<std::size_t>& selection,
                  const std::string& out, vault::Vault& v) {
    auto after = mime::MimeMessage::parse(out, in.limits());
    if (!after) {
        fail("the sealed message does not parse again: " + after.error().detail);
    }
    const std::set<std::size_t> chosen(selection.begin(), selection.end());
    std::vector<const mime::MimeAttachment*> sealed;
    std::multiset<std::string> kept;
    for (const auto& a : in.attachments()) {
        if (chosen.count(a.index) != 0) {
            sealed.push_back(&a);
        } else {
            kept.insert(without_final_eol(a.bytes.value()));
        }
    }
    std::multiset<std::string> left;
    for (const auto& a : after->attachments()) {
        left.insert(without_final_eol(a.bytes.value()));
    }
    if (left != kept) {
        for (const mime::MimeMessage* m : {&in, static_cast<const mime::MimeMessage*>(&*after)}) {
            g_output +=
                m == &in ? "\n---- attachments before ----" : "\n---- attachments after ----";
            for (const auto& a : m->attachments()) {
                g_output += "\n" + a.path + " " + a.content_type + " [" +
                            a.bytes.value_or("<not held>") + "]";
            }
        }
        fail("the sealed message holds other attachments than those not selected");
    }
    if (after->bodies().empty()) {
        fail("the sealed message has no body text for the notice");
    }
    // Every body carries the link: the one token found in all of them that opens an envelope.
    std::set<std::string> common = link_tokens(after->bodies().front().text);
    for (const auto& b : after->bodies()) {
        std::set<std::string> here = link_tokens(b.text);
        std::set<std::string> both;
        std::set_intersection(common.begin(), common.end(), here.begin(), here.end(),
                              std::inserter(both, both.begin()));
        common = std::move(both);
    }
    std::string token;
    for (const auto& t : common) {
        if (v.envelope_open(t)) {
            if (!token.empty()) {
                fail("two links in the notice open an envelope");
            }
            token = t;
        }
    }
    if (token.empty()) {
        for (const auto& b : after->bodies()) {
            g_output += "\n---- decoded body " + b.path + " (" + b.charset + ") ----\n" + b.text;
        }
        fail("not every body text part carries the link to the envelope");
    }
    // Where a sealed content may legitimately still be seen: kept parts, the input's bodies
    // and the file names the notice lists.
    auto excused = [&](std::string_view probe) {
        for (const auto& a : in.attachments()) {
            if ((chosen.count(a.index) == 0 && contains(a.bytes.value(), probe)) ||
                contains(a.file_name, probe)) {
                return true;
            }
        }
        for (const auto& b : in.bodies()) {
            if (contains(b.text, probe)) {
                return true;
            }
        }
        return false;
    };
    for (const auto* s : sealed) {
        if (s->bytes.value().size() < kMinProbe || excused(s->bytes.value())) {
            continue;
        }
        for (const auto& a : after->attachments()) {
            if (contains(a.bytes.value(), s->bytes.value())) {
                fail("a sealed attachment's content is inside a kept attachment: " + s->path);
            }
        }
        for (const auto& b : after->bodies()) {
            if (contains(b.text, s->bytes.value())) {
                fail("a sealed attachment's content is in a body of the output: " + s->path);
            }
        }
        if (count(out, s->bytes.value()) > count(in.raw(), s->bytes.value())) {
            fail("a sealed attachment's raw content occurs more often after sealing: " + s->path);
        }
    }
    check_envelope(v, token, sealed);
}

/// `in` with bare CR and bare LF made CRLF: the DATA reader passes the proxy nothing else.
/// The decoded leaves of the input that are documents by their bytes: every attachment and body
/// whose content has a known magic number, except an inline image the decision keeps.
std::vector<std::string_view> document_leaves(const mime::MimeMessage& m, const policy::Decision& d,
                                              std::uint64_t inline_image_max) {
    std::vector<std::string_view> out;
    for (const auto& a : m.attachments()) {
        const bool kept_logo =
            d.keep_inline_images && a.inline_image && a.size() <= inline_image_max;
        if (!kept_logo && !mime::sniff_type(a.bytes.value()).empty()) {
            out.emplace_back(a.bytes.value());
        }
    }
    for (const auto& b : m.bodies()) {
        if (!mime::sniff_type(b.text).empty()) {
            fail("a body text part sniffs as a document (" + std::string(mime::sniff_type(b.text)) +
                 ") at " + b.path);
        }
    }
    return out;
}

/// No document leaf of the input in any decoded leaf of `delivered`.
void check_no_document_delivered(const std::vector<std::string_view>& docs,
                                 const std::string& delivered) {
    if (docs.empty()) {
        return;
    }
    auto out = mime::MimeMessage::parse(delivered);
    if (!out) {
        fail("a delivered message does not parse: " + out.error().detail);
    }
    std::vector<std::string_view> leaves;
    for (const auto& a : out->attachments()) {
        leaves.emplace_back(a.bytes.value());
    }
    for (const auto& b : out->bodies()) {
        leaves.emplace_back(b.text);
    }
    for (const auto doc : docs) {
        if (doc.size() < kMinProbe) {
            continue;
        }
        const std::string_view probe = doc.substr(0, std::min<std::size_t>(doc.size(), 256));
        for (const auto leaf : leaves) {
            if (contains(leaf, probe)) {
                fail("a document of the input is delivered in clear");
            }
        }
    }
}

std::string crlf_only(std::string_view in) {
    std::string out;
    out.reserve(in.size() + in.size() / 16);
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '\r' || in[i] == '\n') {
            if (in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n') {
                ++i;
            }
            out += "\r\n";
        } else {
            out += in[i];
        }
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    World& w = world();
    if (++w.inputs % kWipeEvery == 0) {
        w.vault.reopen();
    }
    vault::Vault& v = w.vault.vault();
    const std::string msg = crlf_only(std::string_view(reinterpret_cast<const char*>(data), size));

    proxy::Submission sub;
    sub.session_id = "fuzz";
    sub.client_ip = "127.0.0.1";
    sub.mail.reverse_path = "mpa@praxis.example.ch";
    for (const char* rcpt : {"patient@example.org", "kollegin@praxis.example.ch"}) {
        smtp::RcptArgs r;
        r.forward_path = rcpt;
        sub.rcpts.push_back(r);
    }
    const seal::MessagePlan plan =
        seal::plan_message(w.policy, w.practice, sub.mail, sub.rcpts, msg);
    if (plan.decisions.size() != sub.rcpts.size()) {
        fail("not one decision per recipient");
    }
    if (plan.decisions[1].action == policy::Action::seal) {
        fail("the internal recipient would be sealed");
    }
    if (plan.parse_error) {
        if (plan.parse_error->code != Errc::invalid_argument ||
            plan.parse_error->detail.rfind("mime:", 0) != 0) {
            fail("a parser refusal other than invalid_argument mime:...: " +
                 plan.parse_error->detail);
        }
        if (plan.decisions[0].action == policy::Action::pass) {
            fail("a message the parser refused would pass to the patient");
        }
        return 0;
    }
    const policy::Decision& d = plan.decisions[0];
    const auto docs = document_leaves(*plan.message, d, w.policy.inline_image_max);
    if (d.action == policy::Action::pass) {
        g_output = msg;
        check_no_document_delivered(docs, msg);  // passed unchanged
    }
    if (d.action != policy::Action::seal) {
        return 0;
    }
    // The phone as the proxy finds it; a stand-in contact when the message names none, its
    // language picked from the input so all four notices are exercised.
    static constexpr std::array<std::string_view, 4> kLangs = {"de", "fr", "it", "en"};
    const std::string_view lang = kLangs[size % kLangs.size()];
    const seal::ContactLookup lookup = [lang](std::string_view) -> Result<seal::StoredContact> {
        return seal::StoredContact{"+41791234567", std::string(lang)};
    };
    auto phone = seal::plan_phone(plan, sub.rcpts[0].forward_path, lookup);
    if (!phone) {
        return 0;  // a malformed tag or number: the sender gets 550, nothing is stored
    }
    const std::uint64_t before = live_envelopes(v);
    auto sealed = seal::seal_planned(plan, d, sub.rcpts[0].forward_path, sub.mail.reverse_path,
                                     *phone, w.practice, *w.templates, v);
    if (!sealed) {
        if (live_envelopes(v) != before) {
            fail("a failed seal left an envelope behind: " + sealed.error().detail);
        }
        if (sealed.error().code == Errc::invalid_argument &&
            sealed.error().detail.rfind("mime:", 0) != 0) {
            fail("a refusal without a mime: reason: " + sealed.error().detail);
        }
        return 0;
    }
    g_output = sealed->message;
    check_sealed(*plan.message, d.selection, sealed->message, v);
    check_no_document_delivered(docs, sealed->message);
    if (live_envelopes(v) != before) {
        fail("the envelope was not discarded");
    }
    return 0;
}
