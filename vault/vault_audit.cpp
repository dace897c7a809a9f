// SPDX-License-Identifier: Apache-2.0
// Audit events per envelope (created, code_sent, downloaded, ...): keyed envelope id || u64 BE
// sequence so one prefix scan lists them in order; no personal data, only a truncated IP hash.
#include <limits>
#include <utility>

#include "vault/vault_impl.hpp"

namespace sealpost::vault {

std::string_view audit_kind_name(AuditKind k) noexcept {
    switch (k) {
        case AuditKind::created:
            return "created";
        case AuditKind::code_sent:
            return "code_sent";
        case AuditKind::code_failed:
            return "code_failed";
        case AuditKind::verified:
            return "verified";
        case AuditKind::downloaded:
            return "downloaded";
        case AuditKind::expired:
            return "expired";
        case AuditKind::renewed:
            return "renewed";
        case AuditKind::reissued:
            return "reissued";
        case AuditKind::revoked:
            return "revoked";
        case AuditKind::purged:
            return "purged";
        case AuditKind::locked:
            return "locked";
        case AuditKind::reminded:
            return "reminded";
        case AuditKind::expiry_notified:
            return "expiry_notified";
        case AuditKind::code_called:
            return "code_called";
    }
    return "unknown";
}

Status Vault::Impl::put_audit(kv::Txn& txn, const EnvelopeId& id, AuditKind kind,
                              std::optional<std::uint32_t> doc, std::optional<IpHash> ip) {
    // Next sequence = last key with this id's prefix + 1: position just past the prefix and
    // step back (inside the write transaction, so no other writer interleaves).
    std::uint64_t seq = 0;
    {
        SP_TRY(cur, kv::Cursor::open(txn, db.audit));
        const records::AuditKey past =
            records::audit_key(id, std::numeric_limits<std::uint64_t>::max());
        SP_TRY(at, cur.seek(past));
        std::optional<kv::Entry> prev;
        if (at) {
            SP_TRY(p, cur.prev());
            prev = p;
        } else {
            SP_TRY(l, cur.last());
            prev = l;
        }
        if (prev && prev->key.size() == 24 && kv::has_prefix(prev->key, id)) {
            seq = records::get_u64(prev->key.data() + 16) + 1;
        }
    }
    AuditEvent e;
    e.seq = seq;
    e.at = now();
    e.kind = kind;
    e.doc_index = doc;
    e.ip_hash = ip;
    return txn.put(db.audit, records::audit_key(id, seq), records::encode_audit(e));
}

Status Vault::audit_append(const EnvelopeId& id, AuditKind kind,
                           std::optional<std::uint32_t> doc_index, std::optional<IpHash> ip_hash) {
    Impl& im = *impl_;
    if (static_cast<std::uint8_t>(kind) < 1 ||
        static_cast<std::uint8_t>(kind) > static_cast<std::uint8_t>(AuditKind::code_called)) {
        return make_error(Errc::invalid_argument, "unknown audit kind");
    }
    return im.write([&](kv::Txn& txn) -> Status {
        SP_CHECK(im.load_live(txn, id));  // the envelope must be live
        return im.put_audit(txn, id, kind, doc_index, ip_hash);
    });
}

Result<std::vector<AuditEvent>> Vault::audit_list(const EnvelopeId& id) {
    Impl& im = *impl_;
    SP_TRY(txn, im.read());
    SP_TRY(rec, im.load(txn, id));
    if (!rec) {
        return make_error(Errc::not_found, "no such envelope");
    }
    std::vector<AuditEvent> out;
    SP_TRY(cur, kv::Cursor::open(txn, im.db.audit));
    SP_TRY(e, cur.seek(id));
    while (e && kv::has_prefix(e->key, id)) {
        SP_TRY(ev, records::decode_audit(e->key, e->value));
        out.push_back(ev);
        SP_TRY(n, cur.next());
        e = n;
    }
    return out;
}

}  // namespace sealpost::vault
