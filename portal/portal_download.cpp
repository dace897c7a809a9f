// SPDX-License-Identifier: Apache-2.0
// The download path: one document, or several as a ZIP streamed as the client reads it. Both
// need a verified session; both read the documents a chunk at a time as the server sends
// them, so a GET never holds a worker or a whole document in memory.
#include <set>

#include "core/core_log.hpp"
#include "portal/portal_app.hpp"
#include "portal/portal_app_impl.hpp"
#include "portal/portal_cookies.hpp"
#include "portal/portal_zip.hpp"

namespace sealpost::portal {

namespace {

constexpr std::string_view kZipLabel = "sealpost-zip-session-v1";
/// Retry-After of the page that says too many ZIPs are streaming.
constexpr std::int64_t kZipRetrySeconds = 10;

/// A document's index as the URL gives it (`/doc/N`, `?d=N`): 1 to 4 decimal digits naming
/// one of the envelope's `count` documents; nullopt for anything else.
std::optional<std::uint32_t> document_index(std::string_view text, std::size_t count) {
    if (text.empty() || text.size() > 4 ||
        text.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
    }
    std::uint32_t doc = 0;
    for (char ch : text) {
        doc = (doc * 10) + static_cast<std::uint32_t>(ch - '0');
    }
    if (doc >= count) {
        return std::nullopt;
    }
    return doc;
}

}  // namespace

std::string App::session_key(std::string_view cookie) const {
    // Keyed hash, as the session store keeps it: the cookie itself is not held in memory.
    std::string msg(kZipLabel);
    msg += cookie;
    const auto mac = crypto::hmac_sha256(ip_key_, crypto::as_bytes(msg));
    return {mac.begin(), mac.end()};
}

Response App::download(const Request& rq, Ctx& c, const vault::OpenedEnvelope& env,
                       std::string_view index) {
    const std::string cookie = cookie_value(rq.cookie, kSessionCookie);
    if (env.link_expired || !sessions_.valid(cookie, env.summary.id)) {
        return message(403, c, MessageKind::session_expired);
    }
    const auto chosen = document_index(index, env.meta.documents.size());
    if (!chosen) {
        return message(404, c, MessageKind::not_found);
    }
    const std::uint32_t doc = *chosen;
    auto reader = vault_.document_reader(env, doc);
    if (!reader) {
        return open_failed(c, reader.error());
    }
    const auto& meta = env.meta.documents[doc];
    if (sessions_.first_download(cookie, doc)) {
        audit_later(env, {doc}, rq);
    }
    ++counters_.downloads;
    log::info("portal.download")
        .kv("sid", rq.sid)
        .kv("envelope", vault::envelope_id_hex(env.summary.id))
        .kv("doc", doc);
    Response r;
    r.header("Content-Type", safe_content_type(meta.content_type));
    r.header("Content-Disposition", content_disposition(meta.file_name, "document"));
    r.length = meta.info.size;
    auto shared = std::make_shared<vault::DocumentReader>(std::move(reader).value());
    r.source = [shared]() { return shared->next(); };
    return r;
}

Response App::zip(const Request& rq, Ctx& c, const vault::OpenedEnvelope& env) {
    const std::string cookie = cookie_value(rq.cookie, kSessionCookie);
    if (env.link_expired || !sessions_.valid(cookie, env.summary.id)) {
        return message(403, c, MessageKind::session_expired);
    }
    const std::size_t count = env.meta.documents.size();
    std::set<std::uint32_t> chosen;
    for (const std::string& v : form_values(rq.query, "d", count + 1)) {
        if (const auto i = document_index(v, count)) {
            chosen.insert(*i);
        }
    }
    if (chosen.empty()) {
        for (std::uint32_t i = 0; i < count; ++i) {
            chosen.insert(i);
        }
    }
    std::uint64_t total = 0;
    for (std::uint32_t i : chosen) {
        total += env.meta.documents[i].info.size;
    }
    if (total > cfg_.portal.max_zip_size) {
        return documents_page(413, c, env, "zip_too_large");
    }
    // Streaming costs a chunk of memory per archive, but each one holds a connection, a
    // reader per document and the CPU of its CRC: capped per session and in all.
    ZipGate::Ticket ticket = zip_gate_.try_enter(session_key(cookie));
    if (!ticket) {
        log::info("portal.zip_refused").kv("sid", rq.sid);
        return message(503, c, MessageKind::busy, vault_.now() + kZipRetrySeconds);
    }
    std::vector<ZipEntry> entries;
    for (std::uint32_t i : chosen) {
        // Every reader is made before the first byte: a document that cannot be read gives
        // an error page, not a cut archive.
        auto reader = vault_.document_reader(env, i);
        if (!reader) {
            return open_failed(c, reader.error());
        }
        ZipEntry e;
        e.name = sanitize_file_name(env.meta.documents[i].file_name, "document");
        e.size = env.meta.documents[i].info.size;
        auto shared = std::make_shared<vault::DocumentReader>(std::move(reader).value());
        e.data = [shared]() { return shared->next(); };
        entries.push_back(std::move(e));
    }
    auto archive = ZipStream::make(std::move(entries), vault_.now());
    if (!archive) {
        return open_failed(c, archive.error());
    }
    // One background job for the whole archive, not one per document.
    std::vector<std::uint32_t> first;
    for (std::uint32_t i : chosen) {
        if (sessions_.first_download(cookie, i)) {
            first.push_back(i);
        }
    }
    audit_later(env, std::move(first), rq);
    ++counters_.downloads;
    log::info("portal.download_zip")
        .kv("sid", rq.sid)
        .kv("envelope", vault::envelope_id_hex(env.summary.id))
        .kv("docs", static_cast<std::uint64_t>(chosen.size()));
    Response r;
    r.header("Content-Type", "application/zip");
    r.header("Content-Disposition",
             content_disposition(c.look.practice.name + ".zip", "documents.zip"));
    r.length = archive->length();
    // The server pulls the pieces as the client takes them; the ticket goes with the last one
    // (or when the client leaves).
    auto stream = std::make_shared<ZipStream>(std::move(archive).value());
    auto held = std::make_shared<ZipGate::Ticket>(std::move(ticket));
    r.source = [stream, held]() { return stream->next(); };
    return r;
}

}  // namespace sealpost::portal
