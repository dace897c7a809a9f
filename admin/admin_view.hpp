// SPDX-License-Identifier: Apache-2.0
// Text views of vault records for the `sealpost` CLI: the envelope table, an envelope's
// details with its audit trail as a timeline, contacts, stats and purge counts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vault/vault.hpp"

namespace sealpost::admin {

/// What a person calls the state: pending, sent, expired (live but link expired), revoked,
/// purged.
std::string display_state(const vault::EnvelopeSummary& s, std::int64_t now);

/// Table with columns id, state, created, expires, docs, size; `empty_text` when no rows.
std::string view_envelope_list(const std::vector<vault::EnvelopeSummary>& list, std::int64_t now,
                               const std::string& empty_text);

/// Metadata block, documents, then the audit trail, one event per line:
/// `2026-11-27 10:07  downloaded Rechnung.pdf`. Personal data is shown (that is the verb's
/// purpose) but passed through printable() so stored text cannot drive the terminal.
std::string view_envelope_details(const vault::EnvelopeDetails& d, std::int64_t now);

/// The audit trail as a timeline, one line per event in order: `2026-11-27 10:02  created`,
/// `... sent` (from sent_at, when the upstream took the mail), `... code sent`,
/// `... downloaded Rechnung.pdf  (client 0102a0ff)`, `... renewed`, `... reissued`. Document
/// names come from the metadata (opened with the escrow key); `  (no events)` when empty.
std::string view_timeline(const vault::EnvelopeDetails& d);

/// One contact per line, aligned: `a@b.ch  +41791234567  de` (`-` for no language), sorted
/// by address; "no contacts\n" when empty.
std::string view_contacts(std::vector<vault::Contact> contacts);

/// Key figures: envelopes by state, active and expired links, documents, stored bytes, map.
std::string view_stats(const vault::VaultStats& s, std::uint64_t active, std::uint64_t expired);

/// What purge removed, one line per kind.
std::string view_purge(const vault::PurgeCounts& c);

}  // namespace sealpost::admin
