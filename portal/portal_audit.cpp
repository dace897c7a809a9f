// SPDX-License-Identifier: Apache-2.0
// The portal's audit trail (DESIGN 2, "Audit events"): events with a keyed hash of the
// client's address, never the address itself, and the background job that records a GET's
// downloads and queues the practice's notice without making the download wait for a sync.
#include "core/core_log.hpp"
#include "portal/portal_app.hpp"

namespace sealpost::portal {

namespace {

constexpr std::string_view kIpLabel = "sealpost-ip-v1";

}  // namespace

vault::IpHash App::ip_hash(std::string_view ip) const {
    std::string msg(kIpLabel);
    msg += ip;
    const auto mac = crypto::hmac_sha256(ip_key_, crypto::as_bytes(msg));
    vault::IpHash h{};
    std::copy_n(mac.begin(), h.size(), h.begin());
    return h;
}

void App::audit(const vault::EnvelopeId& id, vault::AuditKind kind,
                std::optional<std::uint32_t> doc, const Request& rq) {
    audit(id, kind, doc, ip_hash(rq.client_ip), rq.sid);
}

void App::audit(const vault::EnvelopeId& id, vault::AuditKind kind,
                std::optional<std::uint32_t> doc, const vault::IpHash& ip, std::string_view sid) {
    if (Status st = vault_.audit_append(id, kind, doc, ip); !st) {
        // The patient's action already happened; losing its trace is logged, not shown.
        log::warn("portal.audit_failed")
            .kv("sid", sid)
            .kv("kind", vault::audit_kind_name(kind))
            .kv("err", errc_name(st.error().code));
    }
}

void App::audit_later(const vault::OpenedEnvelope& env, std::vector<std::uint32_t> docs,
                      const Request& rq) {
    if (docs.empty()) {
        return;
    }
    // The practice's notice (DESIGN 5b) is only queued here; the proxy mails it. It needs the
    // sender, the recipient and the file names, so the copy the job keeps has no DEK, phone or
    // subject. One notice per envelope (the vault keeps the first), so one call will do.
    std::shared_ptr<vault::OpenedEnvelope> notice;
    if (cfg_.portal.notify_sender_on_download) {
        notice = std::make_shared<vault::OpenedEnvelope>();
        notice->summary = env.summary;
        notice->meta.sender = env.meta.sender;
        notice->meta.recipient = env.meta.recipient;
        notice->meta.documents = env.meta.documents;
    }
    // Hashed here: the patient's IP does not wait in the queue, only its hash (all that is
    // stored) does.
    auto job = [this, id = env.summary.id, docs = std::move(docs), notice,
                ip = ip_hash(rq.client_ip), sid = rq.sid] {
        // The notice first: once the audit trail shows the download, its notice is queued.
        if (notice) {
            if (auto q = vault_.notice_queue(*notice, docs.front()); !q) {
                log::warn("portal.notice_failed")
                    .kv("sid", sid)
                    .kv("envelope", vault::envelope_id_hex(id))
                    .kv("err", errc_name(q.error().code));
            }
        }
        // The vault has no batch append: one durable write per document, in this one job.
        for (const std::uint32_t doc : docs) {
            audit(id, vault::AuditKind::downloaded, doc, ip, sid);
        }
    };
    if (!background_) {
        job();
        return;
    }
    // The download itself must not wait for these fsyncs; failures are logged, not shown.
    background_(std::move(job));
}

}  // namespace sealpost::portal
