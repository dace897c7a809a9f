// SPDX-License-Identifier: Apache-2.0
// Unit tests for the CLI's text views: the audit trail as a timeline, built from records
// without a vault, so every kind of event and the place of `sent` can be checked exactly.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>

#include "admin/admin_view.hpp"

namespace sealpost::admin {
namespace {

constexpr std::int64_t kT0 = 1795773720;  // 2026-11-27 10:02 UTC
constexpr std::int64_t kDay = 86400;

vault::AuditEvent event(std::int64_t at, vault::AuditKind kind,
                        std::optional<std::uint32_t> doc = std::nullopt) {
    vault::AuditEvent e;
    e.at = at;
    e.kind = kind;
    e.doc_index = doc;
    return e;
}

vault::EnvelopeDetails details() {
    vault::EnvelopeDetails d;
    d.summary.created_at = kT0;
    d.summary.sent_at = kT0 + 1;
    vault::EnvelopeMeta meta;
    meta.documents.push_back({"Rechnung.pdf", "application/pdf", {}});
    meta.documents.push_back({"R\u00fcckforderungsbeleg.pdf", "application/pdf", {}});
    d.meta = meta;
    return d;
}

TEST_CASE("the audit trail reads as a timeline", "[admin][view]") {
    ::setenv("TZ", "UTC", 1);  // NOLINT(concurrency-mt-unsafe): tests run on one thread
    ::tzset();
    using K = vault::AuditKind;
    vault::EnvelopeDetails d = details();
    d.audit = {event(kT0, K::created),
               event(kT0 + 180, K::code_sent),
               event(kT0 + 200, K::code_failed),
               event(kT0 + 240, K::verified),
               event(kT0 + 300, K::downloaded, 1U),
               event(kT0 + 301, K::downloaded, 7U),  // index past the metadata: still shown
               event(kT0 + 31 * kDay, K::expired),
               event(kT0 + 32 * kDay, K::renewed),
               event(kT0 + 40 * kDay, K::reissued)};
    d.audit[4].ip_hash = vault::IpHash{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4};
    CHECK(view_timeline(d) ==
          "2026-11-27 10:02  created\n"
          "2026-11-27 10:02  sent\n"
          "2026-11-27 10:05  code sent\n"
          "2026-11-27 10:05  SMS code could not be sent\n"
          "2026-11-27 10:06  code verified\n"
          "2026-11-27 10:07  downloaded R\u00fcckforderungsbeleg.pdf  (client deadbeef)\n"
          "2026-11-27 10:07  downloaded document 8\n"
          "2026-12-28 10:02  link expired\n"
          "2026-12-29 10:02  renewed\n"
          "2027-01-06 10:02  reissued\n");
}

TEST_CASE("sent goes after what came before it, and after created in its second", "[admin][view]") {
    ::setenv("TZ", "UTC", 1);  // NOLINT(concurrency-mt-unsafe): tests run on one thread
    ::tzset();
    using K = vault::AuditKind;
    vault::EnvelopeDetails d = details();
    d.summary.sent_at = kT0 + 600;  // the upstream took its time
    d.audit = {event(kT0, K::created), event(kT0 + 599, K::reissued),
               event(kT0 + 600, K::code_sent), event(kT0 + 601, K::downloaded, 0U)};
    CHECK(view_timeline(d) ==
          "2026-11-27 10:02  created\n"
          "2026-11-27 10:11  reissued\n"
          "2026-11-27 10:12  sent\n"
          "2026-11-27 10:12  code sent\n"
          "2026-11-27 10:12  downloaded Rechnung.pdf\n");
    d.summary.sent_at = kT0;  // everything in one second: created, sent, then the rest
    d.audit = {event(kT0, K::created), event(kT0, K::code_sent)};
    CHECK(view_timeline(d) ==
          "2026-11-27 10:02  created\n"
          "2026-11-27 10:02  sent\n"
          "2026-11-27 10:02  code sent\n");
    d.summary.sent_at = kT0 + 7200;  // after every event (not what happens): last
    d.audit = {event(kT0, K::created), event(kT0 + 1, K::code_sent)};
    CHECK(view_timeline(d) ==
          "2026-11-27 10:02  created\n"
          "2026-11-27 10:02  code sent\n"
          "2026-11-27 12:02  sent\n");

    d.summary.sent_at = 0;  // never sent (pending): no sent line
    d.audit.resize(1);
    CHECK(view_timeline(d) == "2026-11-27 10:02  created\n");
    d.audit.clear();
    CHECK(view_timeline(d) == "  (no events)\n");
}

TEST_CASE("file names cannot forge timeline lines", "[admin][view]") {
    ::setenv("TZ", "UTC", 1);  // NOLINT(concurrency-mt-unsafe): tests run on one thread
    ::tzset();
    vault::EnvelopeDetails d = details();
    d.summary.sent_at = 0;
    d.meta->documents[0].file_name = "a.pdf\n2026-11-27 10:09  revoked";
    d.audit = {event(kT0, vault::AuditKind::downloaded, 0U)};
    CHECK(view_timeline(d) == "2026-11-27 10:02  downloaded a.pdf\\x0a2026-11-27 10:09  revoked\n");
}

}  // namespace
}  // namespace sealpost::admin
