// SPDX-License-Identifier: Apache-2.0
// Text views of vault records for the `sealpost` CLI. Times are local (format_time), sizes
// binary (format_size); every string that came from a mail passes through printable().
#include "admin/admin_view.hpp"

#include <algorithm>

#include "admin/admin_format.hpp"
#include "core/core_hex.hpp"

namespace sealpost::admin {
namespace {

std::string hex_prefix(const std::array<std::uint8_t, 8>& bytes, std::size_t n) {
    return hex::encode(std::span(bytes).first(std::min(n, bytes.size())));
}

std::string field(const std::string& name, const std::string& value) {
    std::string line = name;
    line.resize(11, ' ');
    return line + value + "\n";
}

std::string time_or_dash(std::int64_t t) {
    return t == 0 ? "-" : format_time(t);
}

/// What happened, in the sysadmin's words.
std::string_view event_text(vault::AuditKind k) {
    switch (k) {
        case vault::AuditKind::created:
            return "created";
        case vault::AuditKind::code_sent:
            return "code sent";
        case vault::AuditKind::code_failed:
            return "SMS code could not be sent";
        case vault::AuditKind::verified:
            return "code verified";
        case vault::AuditKind::downloaded:
            return "downloaded";
        case vault::AuditKind::expired:
            return "link expired";
        case vault::AuditKind::renewed:
            return "renewed";
        case vault::AuditKind::reissued:
            return "reissued";
        case vault::AuditKind::revoked:
            return "revoked";
        case vault::AuditKind::purged:
            return "purged";
        case vault::AuditKind::locked:
            return "locked after wrong codes";
        case vault::AuditKind::reminded:
            return "reminder mailed to the patient";
        case vault::AuditKind::expiry_notified:
            return "expired unused; sender notified";
        case vault::AuditKind::code_called:
            return "code read by a call";
    }
    return vault::audit_kind_name(k);
}

}  // namespace

std::string display_state(const vault::EnvelopeSummary& s, std::int64_t now) {
    if (s.expired(now)) {
        return "expired";
    }
    return std::string(vault::envelope_state_name(s.state));
}

std::string view_envelope_list(const std::vector<vault::EnvelopeSummary>& list, std::int64_t now,
                               const std::string& empty_text) {
    if (list.empty()) {
        return empty_text + "\n";
    }
    std::vector<std::vector<std::string>> rows;
    rows.reserve(list.size());
    for (const auto& s : list) {
        rows.push_back({vault::envelope_id_hex(s.id), display_state(s, now),
                        format_time(s.created_at),
                        s.is_tombstone() ? "-" : format_time(s.expires_at),
                        std::to_string(s.doc_count), format_size(s.total_size)});
    }
    return render_table({"id", "state", "created", "expires", "docs", "size"}, rows);
}

std::string view_envelope_details(const vault::EnvelopeDetails& d, std::int64_t now) {
    const vault::EnvelopeSummary& s = d.summary;
    std::string out;
    out += field("envelope", vault::envelope_id_hex(s.id));
    out += field("state", display_state(s, now));
    out += field("created", format_time(s.created_at));
    out += field("sent", time_or_dash(s.sent_at));
    if (s.is_tombstone()) {
        out += field(std::string(vault::envelope_state_name(s.state)), time_or_dash(s.purged_at));
        out += "\nThe documents and personal data of this envelope are deleted.\n";
        return out;
    }
    out += field("expires", format_time(s.expires_at));
    out += field("retained", format_time(s.retain_until));
    if (d.meta) {
        const vault::EnvelopeMeta& m = *d.meta;
        out += field("recipient", printable(m.recipient, 256));
        out += field("phone", printable(m.phone_e164));
        out += field("sender", printable(m.sender, 256));
        out += field("subject", printable(m.subject, 256));
        out += field("language", m.language.empty() ? "-" : printable(m.language));
    }
    out += field("documents", std::to_string(s.doc_count) + " (" + format_size(s.total_size) + ")");
    if (d.meta) {
        std::vector<std::vector<std::string>> rows;
        for (const auto& doc : d.meta->documents) {
            rows.push_back({"  " + std::to_string(doc.info.index + 1) + ".",
                            printable(doc.file_name, 256), printable(doc.content_type),
                            format_size(doc.info.size)});
        }
        if (!rows.empty()) {
            // render_table wants a header; drop its line.
            std::string table = render_table({"", "", "", ""}, rows);
            out += table.substr(table.find('\n') + 1);
        }
    }
    out += "\naudit trail\n" + view_timeline(d);
    return out;
}

std::string view_timeline(const vault::EnvelopeDetails& d) {
    std::string out;
    // `sent` is not an audit event but the envelope's sent_at (the upstream took the mail).
    // Times have one-second resolution: within sent_at's second, `created` comes before it
    // and everything else after it, since the patient acts only once the mail is out.
    bool sent_pending = d.summary.sent_at != 0;
    auto put_sent = [&](const vault::AuditEvent* next) {
        const bool before_next =
            next == nullptr || d.summary.sent_at < next->at ||
            (d.summary.sent_at == next->at && next->kind != vault::AuditKind::created);
        if (sent_pending && before_next) {
            out += format_time(d.summary.sent_at) + "  sent\n";
            sent_pending = false;
        }
    };
    for (const auto& e : d.audit) {
        put_sent(&e);
        std::string line = format_time(e.at) + "  " + std::string(event_text(e.kind));
        if (e.doc_index) {
            const std::uint32_t i = *e.doc_index;
            if (d.meta && i < d.meta->documents.size()) {
                line += " " + printable(d.meta->documents[i].file_name, 256);
            } else {
                line += " document " + std::to_string(i + 1);
            }
        }
        if (e.ip_hash) {
            line += "  (client " + hex_prefix(*e.ip_hash, 4) + ")";
        }
        out += line + "\n";
    }
    put_sent(nullptr);
    if (out.empty()) {
        out = "  (no events)\n";
    }
    return out;
}

std::string view_contacts(std::vector<vault::Contact> contacts) {
    if (contacts.empty()) {
        return "no contacts\n";
    }
    std::sort(contacts.begin(), contacts.end(),
              [](const vault::Contact& a, const vault::Contact& b) { return a.email < b.email; });
    std::vector<std::vector<std::string>> rows;
    rows.reserve(contacts.size());
    for (const auto& c : contacts) {
        rows.push_back({printable(c.email, 256), printable(c.phone_e164),
                        c.language.empty() ? "-" : printable(c.language)});
    }
    std::string table = render_table({"", "", ""}, rows);
    return table.substr(table.find('\n') + 1);
}

std::string view_stats(const vault::VaultStats& s, std::uint64_t active, std::uint64_t expired) {
    const std::uint64_t total = s.pending + s.sent + s.revoked + s.purged;
    std::string out;
    out += field("envelopes", std::to_string(total) + " (pending " + std::to_string(s.pending) +
                                  ", sent " + std::to_string(s.sent) + ", revoked " +
                                  std::to_string(s.revoked) + ", purged " +
                                  std::to_string(s.purged) + ")");
    out +=
        field("links", std::to_string(active) + " active, " + std::to_string(expired) + " expired");
    out += field("documents", std::to_string(s.documents) + " (" + format_size(s.bytes) + ")");
    out += field("storage", format_size(s.used_bytes) + " used of " + format_size(s.map_size) +
                                " mapped, limit " + format_size(s.max_size));
    return out;
}

std::string view_purge(const vault::PurgeCounts& c) {
    return "purged " + std::to_string(c.retention_ended) + " past retention, deleted " +
           std::to_string(c.orphans) + " orphaned, removed " +
           std::to_string(c.tombstones_removed) + " old tombstones" +
           (c.staged_removed != 0
                ? ", cleared " + std::to_string(c.staged_removed) + " half-written envelopes\n"
                : std::string("\n"));
}

}  // namespace sealpost::admin
