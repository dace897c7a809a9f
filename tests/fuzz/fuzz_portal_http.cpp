// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the portal's request handling and routes: the input is what a client sends on
// one connection. Requests are read from it as the server reads them (Beast request_parser with
// the portal's limits, portal_request.hpp) and answered by a real portal::App over a throwaway
// vault holding one envelope (SMS `outbox` provider into a temp file, pages from
// portal/templates), up to kMaxRequests per input while the client keeps the connection alive.
// Secrets a client cannot guess come from markers in the input, so the fuzzer reaches every
// route: `{T}` the link token, `{C}` the CSRF token of visitor `v`, `{S}` a live session cookie,
// `{K}` the last SMS code sent (000000 before the first).
// Invariants, for every response:
// - the status is one the portal documents (routes: 200 303 403 404 405 410 413 423 429 503;
//   the server's own: 400 408 413 431); headers are tokens and values without CR, LF or NUL,
//   and never one of the security headers (the server sets those for every response, once);
//   a body comes with a Content-Type; a cookie is __Host-, Path=/, Secure, HttpOnly,
//   SameSite=Strict; an HTML page holds no script;
// - a document (streamed body or its bytes) only for a request carrying a session cookie the
//   portal issued; never the SMS code in a page;
// - state changes (an SMS, a code check) only on a POST with the form type and a valid CSRF
//   token (DESIGN 9: link scanners GET every link).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "core/core_config.hpp"
#include "core/core_log.hpp"
#include "fuzz_vault.hpp"
#include "portal/portal_app.hpp"
#include "portal/portal_http.hpp"
#include "portal/portal_request.hpp"

using namespace sealpost;
using namespace sealpost::portal;

namespace {

constexpr std::size_t kMaxRequests = 8;
constexpr std::size_t kRebuildEvery = 500;  // fresh vault, envelope and App: limits reset
constexpr std::string_view kVisitor = "v";
constexpr std::string_view kSessionCookie = "__Host-sealpost";
constexpr std::string_view kVisitorCookie = "__Host-sealpost-csrf";
constexpr std::string_view kPeer = "127.0.0.1";  // also the trusted proxy: X-Forwarded-For counts
// The envelope's documents: distinct bytes that no page could hold by chance.
constexpr std::string_view kDoc0 =
    "%PDF-1.4\n% sealpost fuzz document 0: 7f3c9e51a2d84b60b9e1c0d2a4f6e8b1 Rechnung\n%%EOF\n";
constexpr std::string_view kDoc1 = "<?xml version=\"1.0\"?><invoice id=\"c41d0e97b25f4a8e\"/>\n";

[[noreturn]] void fail(std::string_view what) {
    std::cerr << "fuzz_portal_http: " << what << "\n";
    std::abort();
}

bool contains(std::string_view hay, std::string_view needle) {
    return !needle.empty() && hay.find(needle) != std::string_view::npos;
}

/// Everything one run needs; rebuilt every kRebuildEvery inputs.
struct World {
    bool quiet = (log::init("fuzz_portal_http", "error"), true);  // before the vault logs its start
    fuzz::ThrowawayVault vault{"fuzz_portal_http"};
    Config cfg;
    std::unique_ptr<App> app;
    std::string token;
    std::string csrf;
    std::set<std::string> sessions;  ///< every session cookie value the portal issued
    std::string first_session;
    std::string code;  ///< the last SMS code sent, "" before the first
    std::uint64_t codes_seen = 0;
    std::size_t inputs = 0;

    World() {
        const std::filesystem::path src(SEALPOST_SOURCE_DIR);
        cfg.practice.name = "Praxis Muster";
        cfg.practice.base_url = "https://portal.example.ch";
        cfg.portal.templates_dir = src / "portal" / "templates";
        cfg.portal.trusted_proxy = std::string(kPeer);
        cfg.sms.provider = SmsProvider::outbox;
        cfg.sms.outbox_path = vault.dir() / "sms-outbox.log";
        rebuild();
    }

    void rebuild() {
        app.reset();
        vault.reopen();
        std::error_code ec;
        std::filesystem::remove(cfg.sms.outbox_path, ec);
        vault::EnvelopeInput in;
        in.recipient = "patient@example.org";
        in.phone_e164 = "+41791234567";
        in.sender = "mpa@praxis.example.ch";
        in.subject = "Rechnung";
        in.language = "de";
        in.documents.push_back({"Rechnung.pdf", "application/pdf", crypto::as_bytes(kDoc0)});
        in.documents.push_back({"../Rechnung\r\n.xml", "application/xml", crypto::as_bytes(kDoc1)});
        auto link = vault.vault().envelope_create(in);
        if (!link) {
            fail("envelope_create: " + link.error().detail);
        }
        token.assign(link->token.data(), link->token.size());
        auto pages = Pages::load(cfg.portal.templates_dir);
        auto sms = make_sms_sender(cfg.sms);
        if (!pages || !sms) {
            fail("cannot load portal/templates or open the outbox");
        }
        app = std::make_unique<App>(cfg, vault.vault(), std::move(pages).value(),
                                    std::move(sms).value(), crypto::SecretBytes(32, 0x5a));
        // The CSRF token as a browser gets it: from the landing page's form.
        Request rq;
        rq.method = "GET";
        rq.path = "/d/" + token;
        rq.cookie = std::string(kVisitorCookie) + "=" + std::string(kVisitor);
        rq.client_ip = std::string(kPeer);
        const Response r = app->handle(rq);
        const std::string_view field = "name=\"csrf\" value=\"";
        const std::size_t at = r.body.find(field);
        const std::size_t end = at == std::string::npos ? at : r.body.find('"', at + field.size());
        if (r.status != 200 || end == std::string::npos) {
            fail("the landing page has no CSRF field");
        }
        csrf = r.body.substr(at + field.size(), end - at - field.size());
        auto s = app->sessions().create(link->id);
        if (!s) {
            fail("sessions().create: " + s.error().detail);
        }
        first_session.assign(s->data(), s->size());
        sessions = {first_session};
        code.clear();
        codes_seen = 0;
    }

    /// Reads the new code from the outbox after an SMS went out (the last run of exactly
    /// code_length digits on the last line: the phone number is longer).
    void note_code() {
        const std::uint64_t sent = app->counters().codes_sent.load();
        if (sent == codes_seen) {
            return;
        }
        codes_seen = sent;
        std::ifstream f(cfg.sms.outbox_path);
        std::string line;
        std::string last;
        while (std::getline(f, line)) {
            last = line;
        }
        code.clear();
        for (std::size_t i = 0; i < last.size();) {
            std::size_t j = i;
            while (j < last.size() && last[j] >= '0' && last[j] <= '9') {
                ++j;
            }
            if (j - i == cfg.portal.code_length) {
                code = last.substr(i, j - i);
            }
            i = j == i ? i + 1 : j;
        }
        if (code.empty()) {
            fail("an SMS went out without a code in the outbox");
        }
    }
};

World& world() {
    static World w;
    return w;
}

/// The input with the markers replaced by the secrets they stand for.
std::string expand(std::string_view in, const World& w) {
    const std::array<std::pair<std::string_view, std::string_view>, 4> markers = {{
        {"{T}", w.token},
        {"{C}", w.csrf},
        {"{S}", w.first_session},
        {"{K}", w.code.empty() ? std::string_view("000000") : std::string_view(w.code)},
    }};
    std::string out;
    out.reserve(in.size() + 64);
    for (std::size_t i = 0; i < in.size();) {
        bool replaced = false;
        for (const auto& [marker, value] : markers) {
            if (in.substr(i, marker.size()) == marker) {
                out += value;
                i += marker.size();
                replaced = true;
                break;
            }
        }
        if (!replaced) {
            out += in[i++];
        }
    }
    return out;
}

bool is_token_char(char c) {
    static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kExtra.find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

/// The security headers themselves say what DESIGN 4 asks, once each.
void check_security_headers() {
    std::set<std::string> names;
    std::string all;
    for (const auto& [name, value] : security_headers()) {
        if (!names.insert(lower(name)).second) {
            fail("a security header is listed twice");
        }
        all += lower(name) + ": " + lower(value) + "\n";
    }
    for (const std::string_view want :
         {"cache-control: no-store", "referrer-policy: no-referrer",
          "strict-transport-security: ", "content-security-policy: default-src 'none'",
          "frame-ancestors 'none'", "x-content-type-options: nosniff", "x-robots-tag: noindex"}) {
        if (!contains(all, want)) {
            fail("security_headers() lacks " + std::string(want));
        }
    }
}

/// Everything the streamed body of `r` yields (a download), or r.body.
std::string body_of(Response& r) {
    if (!r.source) {
        return r.body;
    }
    std::string out;
    for (;;) {
        auto chunk = r.source();
        if (!chunk) {
            fail("a streamed body failed: " + chunk.error().detail);
        }
        if (!*chunk) {
            break;
        }
        out.append(reinterpret_cast<const char*>((*chunk)->data()), (*chunk)->size());
    }
    if (out.size() != r.length) {
        fail("a streamed body is not as long as promised");
    }
    return out;
}

void check_response(World& w, const Request& rq, Response& r, bool from_server) {
    // FUZZ_SHOW=1 in the environment traces each request (when reproducing a crash).
    static const bool show = std::getenv("FUZZ_SHOW") != nullptr;  // NOLINT(concurrency-mt-unsafe)
    if (show) {
        std::cerr << "fuzz_portal_http: " << rq.method << " " << rq.path << " -> " << r.status
                  << (r.source ? " (streamed)" : "") << "\n";
    }
    static const std::set<unsigned> kRoutes = {200, 303, 403, 404, 405, 410, 413, 423, 429, 503};
    static const std::set<unsigned> kServer = {400, 408, 413, 431};
    if ((from_server ? kServer : kRoutes).count(r.status) == 0) {
        fail("undocumented status " + std::to_string(r.status));
    }
    static const std::set<std::string> kSecurity = [] {
        std::set<std::string> s;
        for (const auto& [name, value] : security_headers()) {
            s.insert(lower(name));
        }
        return s;
    }();
    std::string content_type;
    for (const auto& [name, value] : r.headers) {
        if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
            fail("a header name that is not a token");
        }
        if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
            fail("header " + name + " holds CR, LF or NUL (response splitting)");
        }
        const std::string n = lower(name);
        if (kSecurity.count(n) != 0) {
            fail("a route sets security header " + name + " itself");
        }
        if (n == "content-type") {
            content_type = lower(value);
        }
        if (n == "set-cookie" && (value.rfind("__Host-", 0) != 0 ||
                                  !contains(value, "; Path=/; Secure; HttpOnly; SameSite=Strict") ||
                                  contains(value, "Domain="))) {
            fail("a cookie without the __Host- rules: " + value);
        }
        if (n == "set-cookie" && value.rfind(std::string(kSessionCookie) + "=", 0) == 0) {
            const std::size_t eq = kSessionCookie.size() + 1;
            w.sessions.insert(value.substr(eq, value.find(';') - eq));
        }
    }
    const bool streamed = static_cast<bool>(r.source);
    const std::string body = body_of(r);
    if (!body.empty() && content_type.empty()) {
        fail("a body without a Content-Type");
    }
    if (content_type.rfind("text/html", 0) == 0 && contains(lower(body), "<script")) {
        fail("an HTML page holds a script");
    }
    bool authorised = false;
    for (const auto& s : w.sessions) {
        authorised = authorised || contains(rq.cookie, s);
    }
    if (!authorised && (streamed || contains(body, kDoc0) || contains(body, kDoc1))) {
        fail("a document without a session cookie the portal issued");
    }
    if (!w.code.empty() && !streamed) {
        for (std::size_t at = body.find(w.code); at != std::string::npos;
             at = body.find(w.code, at + 1)) {
            const bool digit_before = at > 0 && body[at - 1] >= '0' && body[at - 1] <= '9';
            const std::size_t after = at + w.code.size();
            const bool digit_after =
                after < body.size() && body[after] >= '0' && body[after] <= '9';
            if (!digit_before && !digit_after) {
                fail("a page shows the SMS code");
            }
        }
    }
}

/// State changes only behind a POST with the form type and the visitor's CSRF token.
void check_state(const World& w, const Request& rq, const PortalCounters& before) {
    const PortalCounters& after = w.app->counters();
    const bool changed =
        after.codes_sent != before.codes_sent || after.codes_failed != before.codes_failed ||
        after.verified != before.verified || after.wrong_codes != before.wrong_codes;
    const bool allowed = rq.method == "POST" &&
                         rq.content_type.rfind("application/x-www-form-urlencoded", 0) == 0 &&
                         cookie_value(rq.cookie, kVisitorCookie) == kVisitor &&
                         form_value(rq.body, "csrf") == w.csrf;
    if (changed && !allowed) {
        fail("a code was sent or checked without a POST carrying the CSRF token");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool checked = (check_security_headers(), true);
    (void)checked;
    World& w = world();
    if (++w.inputs % kRebuildEvery == 0) {
        w.rebuild();
    }
    const std::string wire = expand(std::string_view(reinterpret_cast<const char*>(data), size), w);
    std::string_view rest = wire;
    const std::size_t max_request = w.cfg.portal.max_request_size;
    for (std::size_t n = 1; n <= kMaxRequests && !rest.empty(); ++n) {
        RequestParser parser;
        limit_request(parser, max_request);
        parser.eager(true);
        boost::beast::error_code ec;
        while (!parser.is_done() && !rest.empty()) {
            const std::size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
            rest.remove_prefix(used);
            if (ec == boost::beast::http::error::need_more) {
                ec = {};
                if (used == 0) {
                    break;  // the rest is too short for the parser: the client stops here
                }
            } else if (ec) {
                break;
            }
        }
        if (!ec && !parser.is_done()) {
            rest = {};
            parser.put_eof(ec);  // the client closed the connection mid-request
            if (!ec) {
                break;
            }
        }
        Request rq;
        rq.sid = "fuzz." + std::to_string(n);
        if (ec) {
            // As the server: one plain page with the status, then the connection closes.
            Response r = w.app->plain_error(refused_request_status(ec), MessageKind::bad_request,
                                            "", *w.app->appearance());
            check_response(w, rq, r, true);
            break;
        }
        const bool keep_alive = parser.get().keep_alive();
        const bool origin_form = is_origin_form(
            std::string_view(parser.get().target().data(), parser.get().target().size()));
        rq = to_request(parser.release(), kPeer, w.cfg.portal.trusted_proxy, rq.sid);
        const PortalCounters& c = w.app->counters();
        PortalCounters before;
        before.codes_sent = c.codes_sent.load();
        before.codes_failed = c.codes_failed.load();
        before.verified = c.verified.load();
        before.wrong_codes = c.wrong_codes.load();
        if (!origin_form) {
            Response r = w.app->plain_error(400, MessageKind::bad_request, rq.accept_language,
                                            *w.app->appearance());
            check_response(w, rq, r, true);
        } else {
            Response r = w.app->handle(rq);
            check_response(w, rq, r, false);
            check_state(w, rq, before);
            w.note_code();
        }
        if (!keep_alive) {
            break;
        }
    }
    return 0;
}
