// SPDX-License-Identifier: Apache-2.0
// The vault's public API: an encrypted store of envelopes (sealed attachments), their link
// tokens, contacts and audit events on one LMDB environment. Proxy, portal and admin use only this.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_config.hpp"
#include "core/core_result.hpp"
#include "vault/vault_crypto.hpp"
#include "vault/vault_keys.hpp"
#include "vault/vault_kv.hpp"

namespace sealpost::vault {

/** @mainpage sealpost vault
 *
 * One LMDB environment (a directory holding `data.mdb` and `lock.mdb`) with the named
 * databases `envelopes`, `links`, `documents`, `contacts`, `audit` and `portal` (the last
 * holds the portal's code guards and the download-notice queue). A `Vault` is an opaque handle on
 * that environment; every verb below is one short transaction, durable when it returns success
 * (sync on commit, never MDB_NOSYNC / MDB_NOMETASYNC; the one exception says so:
 * envelope_mark_sent_deferred). Write verbs that run at the same time in one process share a
 * transaction and its fsync (group commit), each in a nested transaction of its own: all or nothing
 * per call.
 *
 * Envelope = one message to one recipient: a random 256-bit data key (DEK) encrypts the
 * personal metadata (recipient, phone, sender, subject, language, file names, content types)
 * and every 64 KiB chunk of every document. The DEK is stored twice: wrapped under
 * HKDF(link token) for the portal, and sealed to the escrow public key for the admin CLI. The
 * token itself is never stored; the `links` database maps HMAC-SHA256(pepper, token) to the
 * envelope id. In clear: ids, timestamps, state, sizes, counts and key ids.
 *
 * Lifecycle: `pending` (created, mail not yet accepted upstream) -> `sent` (mark_sent). The
 * link is valid until `expires_at`; the data is kept until `retain_until`, so the patient can
 * renew and the practice can reissue. Revoke, and purge after retention, reduce the envelope to
 * a tombstone (`revoked` / `purged`: id, state, times and the link mapping, nothing else) so the
 * portal answers 410 instead of 404; purge deletes tombstones `tombstone_ttl` after they were
 * made. A `pending` envelope whose link has expired (now >= expires_at) and that is older than
 * `orphan_grace` is an orphan: purge deletes it entirely. Orphans come from a crash between the
 * commit and the upstream's answer, an unknown upstream outcome, or a deferred mark_sent lost
 * in a crash: in each case the mail with the link may have been delivered, so a pending
 * envelope keeps working until its link expires, like a sent one.
 *
 * Errors are values (Result / Status). An Error's `detail` is for operators' logs and never
 * holds a token, a key, plaintext or personal data (no address, phone, name, subject).
 *
 * @section caveats Caveats
 * - **fork**: open the Vault *after* fork(), in the process that uses it. A handle (or a
 *   DocumentReader) made before a fork must not be used, nor even destroyed, in the child:
 *   LMDB's locks and maps are per-process. Leave the child with exec or _exit.
 * - **One handle per environment per process**: never open the same directory twice in one
 *   process at the same time (LMDB's locks are per process; closing one handle would drop the
 *   other's). Share one Vault between threads instead.
 * - **One writer at a time** across all processes sharing the directory (LMDB's write lock):
 *   every write verb is one short transaction. Key derivation and sealing of keys and
 *   metadata run before it starts; envelope_create encrypts its documents inside it, straight
 *   into the pages LMDB reserves (no copy): AES-GCM is fast beside the fsync that follows
 *   (bench/vault_ingest measures both). Never hold a Vault call across network I/O;
 *   nothing in this API lets a caller keep a transaction open.
 * - **Group commit**: within a process, a write verb that starts while another one commits
 *   waits for that fsync and then commits together with every verb that queued meanwhile
 *   (at most 64), in one transaction and one fsync; its puts run in a nested transaction, on
 *   whichever of the waiting threads leads, so a failing verb undoes only its own work. Alone,
 *   a verb commits at once as before. Seal from several threads to profit from it.
 * - **No long read transactions**: a reader pins the pages it sees and makes the file grow.
 *   DocumentReader therefore opens one short read transaction per chunk, never one across a
 *   whole (slow) download.
 * - **Permissions**: the directory is created 0700 and the files 0600 (0770/0660 with
 *   `group_access`, for the packaged multi-user layout). An existing directory keeps its mode.
 * - **Map resize lock**: growing the map (on MDB_MAP_FULL) or adopting another process's
 *   larger map (MDB_MAP_RESIZED) requires that no transaction of this process is open. A
 *   process-wide std::shared_mutex is held shared by every transaction and exclusively by the
 *   resize, so a resize briefly waits for transactions of *all* Vault handles in the process.
 *   Consequence: never call a Vault verb from inside a callback that runs during another Vault
 *   verb (none exist today), and do not fork while another thread is inside a Vault call.
 * - **Crypto-shredding**: LMDB frees pages but does not erase them; deleted ciphertext can
 *   linger in data.mdb and backups until the escrow key epoch is destroyed (DESIGN section 9).
 * - Thread safety: a Vault may be used from several threads at once (MDB_NOTLS; LMDB
 *   serialises writers). A DocumentReader is used by one thread at a time.
 */

/// Envelope id: 16 random bytes, shown as 32 lower-case hex characters.
using EnvelopeId = std::array<std::uint8_t, 16>;

/// 32 lower-case hex characters.
std::string envelope_id_hex(const EnvelopeId& id);
/// Parses exactly 32 hex characters (either case). Errors: Errc::invalid_argument.
Result<EnvelopeId> envelope_id_parse(std::string_view hex);

/// Stored state. "Expired" is not a state: it is `now >= expires_at` on a pending or sent
/// envelope.
enum class EnvelopeState : std::uint8_t {
    pending = 1,  ///< created; the mail with the link is not yet accepted upstream
    sent = 2,     ///< the upstream accepted the mail (envelope_mark_sent)
    revoked = 3,  ///< tombstone: revoked by the practice
    purged = 4,   ///< tombstone: purged after retention
};
/// "pending", "sent", "revoked", "purged".
std::string_view envelope_state_name(EnvelopeState s) noexcept;

/// Settings: the [vault] section (VaultConfig: its fields and defaults; `key_dir` is not read
/// here, the keys come loaded) and what only a process sets.
struct VaultOptions : VaultConfig {
    /// Clock in unix seconds; empty means the system clock. Injected by tests.
    std::function<std::int64_t()> now;
    /// postgresql: the connection string itself, used instead of reading `dsn_file` (tests and
    /// `sealpost vault copy`). Never logged.
    std::string dsn;
    /// What envelope_create arms for the proxy's follow-up mails (vault_reminders.cpp): a
    /// reminder to the patient (stores the link token sealed under contacts.key) and a notice
    /// to the sender when the link expires unused. Set by the proxy from [proxy]; both need
    /// the contacts key (without it nothing is armed).
    bool arm_reminder = false;
    bool arm_expiry_notice = false;
};

/// envelope_create writes an envelope of at most this many plaintext bytes in one transaction.
inline constexpr std::uint64_t kOneWriteMax = std::uint64_t{4} << 20;
/// Plaintext bytes per transaction when a larger envelope is staged (a multiple of kChunkSize).
inline constexpr std::size_t kStageBatch = std::size_t{4} << 20;
/// How old a staging record must be before vault_purge takes it for a crash's leftover.
inline constexpr std::int64_t kStagingGrace = std::int64_t{6} * 3600;

/// Where a streamed document's plaintext goes: called with consecutive pieces of any size.
using DocumentSink = std::function<Status(crypto::ByteView piece)>;

/// One attachment to seal: either `bytes` (borrowed for the duration of envelope_create only)
/// or, when `write` is set, a producer that streams the plaintext into the sink it is given,
/// once, in order, and exactly `size` bytes of it. A producer lets a large document be sealed
/// without ever being held whole (the proxy decodes MIME parts straight into it).
struct DocumentInput {
    std::string file_name;
    std::string content_type;
    crypto::ByteView bytes;
    std::uint64_t size = 0;  ///< with `write`: the plaintext size (checked at the end)
    std::function<Status(const DocumentSink&)> write{};
    [[nodiscard]] std::uint64_t plain_size() const noexcept { return write ? size : bytes.size(); }
};

/// Everything envelope_create seals. Strings are borrowed for the call only.
struct EnvelopeInput {
    std::string recipient;   ///< mail address of the patient
    std::string phone_e164;  ///< mobile number, E.164 (`+41791234567`)
    std::string sender;      ///< mail address of the practice's sender
    std::string subject;     ///< subject after the control tags were removed
    std::string language;    ///< de, fr, it, en
    std::vector<DocumentInput> documents;
};

/// Public (non-personal) facts about one document.
struct DocumentInfo {
    std::uint32_t index = 0;   ///< position in the envelope, 0-based
    std::uint64_t size = 0;    ///< plaintext bytes
    std::uint32_t chunks = 0;  ///< stored 64 KiB chunks (a 0-byte document has 1)
};

/// Decrypted personal metadata of an envelope. Plain strings: callers render them into pages
/// and mails; keep them no longer than the request.
struct EnvelopeMeta {
    std::string recipient;
    std::string phone_e164;
    std::string sender;
    std::string subject;
    std::string language;
    struct Document {
        std::string file_name;
        std::string content_type;
        DocumentInfo info;
    };
    std::vector<Document> documents;
};

/// What envelope_list shows: no personal data.
struct EnvelopeSummary {
    EnvelopeId id{};
    EnvelopeState state = EnvelopeState::pending;
    std::int64_t created_at = 0;    ///< unix seconds
    std::int64_t sent_at = 0;       ///< 0 until mark_sent
    std::int64_t expires_at = 0;    ///< link validity end (0 for tombstones)
    std::int64_t retain_until = 0;  ///< data purged after this (0 for tombstones)
    std::int64_t purged_at = 0;     ///< when it became a tombstone, else 0
    std::uint32_t doc_count = 0;
    std::uint64_t total_size = 0;  ///< plaintext bytes of all documents
    std::string escrow_key_id;     ///< key id the DEK is sealed to (empty for tombstones)

    [[nodiscard]] bool is_tombstone() const noexcept {
        return state == EnvelopeState::revoked || state == EnvelopeState::purged;
    }
    /// now >= expires_at on a live envelope (tombstones are not "expired", they are gone).
    [[nodiscard]] bool expired(std::int64_t now) const noexcept {
        return !is_tombstone() && now >= expires_at;
    }
};

/// Returned once by envelope_create / envelope_reissue. The token is never stored by the
/// vault: it exists only here and in the mail. Wiped when destroyed.
struct IssuedLink {
    EnvelopeId id{};
    crypto::SecretString token;  ///< 43 characters base64url (32 random bytes)
    std::int64_t expires_at = 0;
    std::int64_t retain_until = 0;
};

/// An envelope opened with its link token (portal). Holds the DEK: destroy it as soon as the
/// request is done (the DEK is wiped then). Valid independently of the Vault's lifetime, but
/// only DocumentReaders made from a live Vault can read documents.
struct OpenedEnvelope {
    EnvelopeSummary summary;
    EnvelopeMeta meta;
    crypto::SecretBytes dek;    ///< 32 bytes
    bool link_expired = false;  ///< now >= expires_at (still retained): offer renewal, 410
};

/// Audit event kinds (stored as one byte; values are part of the file format).
enum class AuditKind : std::uint8_t {
    created = 1,
    code_sent = 2,
    code_failed = 3,
    verified = 4,
    downloaded = 5,
    expired = 6,
    renewed = 7,
    reissued = 8,
    revoked = 9,
    purged = 10,
    locked = 11,           ///< the portal locked the link after too many wrong codes
    reminded = 12,         ///< the proxy mailed the patient a reminder (vault_reminders.cpp)
    expiry_notified = 13,  ///< the proxy told the sender that the link expired unused
    code_called = 14,      ///< a code was read to a landline by a voice call ([voice])
};
/// "created", "code_sent", ... (stable, for the CLI and logs).
std::string_view audit_kind_name(AuditKind k) noexcept;

/// Truncated hash of the client IP (computed by the caller; the vault stores it as given).
using IpHash = std::array<std::uint8_t, 8>;

struct AuditEvent {
    std::uint64_t seq = 0;  ///< per envelope, from 0
    std::int64_t at = 0;    ///< unix seconds
    AuditKind kind = AuditKind::created;
    std::optional<std::uint32_t> doc_index;
    std::optional<IpHash> ip_hash;
};

/// envelope_show: summary, metadata opened via the escrow key, audit trail.
struct EnvelopeDetails {
    EnvelopeSummary summary;
    std::optional<EnvelopeMeta> meta;  ///< std::nullopt for tombstones
    std::vector<AuditEvent> audit;
};

enum class ListFilter {
    all,      ///< every envelope including tombstones
    active,   ///< pending or sent, link not expired
    expired,  ///< pending or sent, link expired (retained or awaiting purge)
};

struct PurgeCounts {
    std::uint64_t retention_ended = 0;  ///< reduced to `purged` tombstones
    std::uint64_t orphans = 0;  ///< pending, link expired, past orphan_grace: deleted entirely
    std::uint64_t tombstones_removed = 0;  ///< tombstones past tombstone_ttl, deleted entirely
    std::uint64_t staged_removed = 0;      ///< chunks of envelopes a crash left half-staged
    bool other_node = false;               ///< PostgreSQL: stopped because another node was purging
};

struct VaultStats {
    std::uint64_t pending = 0, sent = 0, revoked = 0, purged = 0;  ///< envelopes by state
    std::uint64_t documents = 0;                                   ///< documents of live envelopes
    std::uint64_t bytes = 0;       ///< plaintext bytes of live envelopes
    std::uint64_t map_size = 0;    ///< current LMDB map size
    std::uint64_t used_bytes = 0;  ///< (last used page + 1) * page size
    std::uint64_t max_size = 0;    ///< configured cap
};

/// A patient's contact: where to send the SMS code. Stored encrypted under contacts.key.
struct Contact {
    std::string email;  ///< lower-cased
    std::string phone_e164;
    std::string language;  ///< de|fr|it|en or empty
};

/// Limits of the portal's SMS code check (DESIGN section 4). Taken from [portal]: the values
/// and their defaults are PortalConfig's, named here as the check uses them.
struct CodePolicy {
    /// PortalConfig's code limits; a default CodePolicy has PortalConfig's defaults.
    explicit CodePolicy(const PortalConfig& p = PortalConfig{});

    unsigned digits;              ///< code length (code_length)
    std::chrono::seconds ttl;     ///< a code is valid this long (code_ttl)
    unsigned per_window;          ///< codes per `window` (codes_per_window)
    std::chrono::seconds window;  ///< sliding window for per_window (code_window)
    unsigned per_day;             ///< codes per 24 hours (codes_per_day)
    unsigned tries_per_code;      ///< wrong tries that kill a code (max_tries_per_code)
    /// tries_per_code x killed_before_lock wrong tries within lock_duration, over any number
    /// of codes, lock the envelope (killed_codes_before_lock)
    unsigned killed_before_lock;
    std::chrono::seconds lock_duration;  ///< how long that lock lasts; also its window
    unsigned tries_total;  ///< wrong tries in the link's life: locked for good (max_tries_total)
};

/// Where an envelope's code check stands.
enum class GuardState : std::uint8_t {
    open,             ///< a code may be requested or checked
    rate_limited,     ///< too many codes sent recently (`until`: when the next one is allowed)
    locked_for_now,   ///< too many wrong tries lately (`until`: when the lock ends)
    locked_for_good,  ///< tries_total reached: only a reissued link helps
};

struct GuardView {
    GuardState state = GuardState::open;
    std::int64_t until = 0;     ///< unix seconds for rate_limited / locked_for_now
    bool code_pending = false;  ///< a live code exists (not expired, not killed)
    unsigned tries_left = 0;    ///< wrong tries left on that code (before it dies or locks)
};

/// A code that code_issue made. `code` exists only here and in the SMS; wiped when destroyed.
struct IssuedCode {
    crypto::SecretString code;    ///< `digits` decimal digits, uniformly random (CSPRNG)
    std::int64_t issued_at = 0;   ///< unix seconds; pass to code_withdraw if the SMS fails
    std::int64_t expires_at = 0;  ///< unix seconds
};

struct CodeIssue {
    GuardView guard;                 ///< state open when `code` is set
    std::optional<IssuedCode> code;  ///< std::nullopt when the guard said no
};

enum class CodeVerdict : std::uint8_t {
    accepted,         ///< right code: the code is used up, the recent wrong tries forgotten
    wrong,            ///< wrong code (`tries_left` 0: the code is now dead)
    no_code,          ///< no live code (never sent, expired or killed): nothing was counted
    locked_for_now,   ///< locked (before or because of this try); `until` says when it ends
    locked_for_good,  ///< lifetime limit reached (before or because of this try)
};

struct CodeCheck {
    CodeVerdict verdict = CodeVerdict::no_code;
    unsigned tries_left = 0;  ///< for `wrong`
    std::int64_t until = 0;   ///< for locked_for_now
};

/// A download notice waiting in the queue (notice_list), opened for the proxy to write the mail.
struct QueuedNotice {
    EnvelopeId id{};
    std::uint32_t doc_index = 0;     ///< the document downloaded first
    std::int64_t downloaded_at = 0;  ///< unix seconds
    std::int64_t next_attempt_at = 0;
    std::uint32_t attempts = 0;    ///< failed sends so far
    std::string sender;            ///< the original mail's sender (may be empty)
    std::string recipient_masked;  ///< `p***@example.org` (log::mask_address)
    std::string file_name;         ///< the document's name
    /// Set when the record cannot be decoded or opened (sealed under another pepper, or
    /// damaged): the other fields may be empty, and nothing can ever send it.
    std::optional<Error> unreadable;
};

/// The two follow-up mails of an unused link (vault_reminders.cpp).
enum class FollowUpKind : std::uint8_t {
    reminder = 1,  ///< to the patient, remind_before the link expires
    expiry = 2,    ///< to the sender, once the link has expired
};

/// What the proxy's notice loop wants now (from [proxy]).
struct FollowUpPolicy {
    bool remind_patient = true;
    std::int64_t remind_before = 7LL * 86400;  ///< seconds before expires_at
    bool notify_sender_on_expiry = true;
};

/// A follow-up that is due (followup_due), opened for the proxy to write the mail. The
/// personal fields are as the envelope holds them; `token` only for a reminder.
struct DueFollowUp {
    EnvelopeId id{};
    FollowUpKind kind = FollowUpKind::reminder;
    std::int64_t expires_at = 0;  ///< the link's current end (unix seconds)
    std::uint32_t attempts = 0;   ///< failed sends so far
    std::string sender;
    std::string recipient;
    std::string language;
    std::string phone_e164;
    std::string subject;
    std::vector<std::string> documents;  ///< file names
    crypto::SecretString token;          ///< the link token (reminder only)
    /// Set when the record cannot be opened (another contacts key, damaged): drop it.
    std::optional<Error> unreadable;
};

class Vault;

/** Streams one document, chunk by chunk. Each next() opens its own short read transaction,
 * so a slow download never pins the database. Holds a copy of the DEK (wiped on destruction)
 * and a shared reference to the Vault's environment: it stays usable even if the Vault handle
 * is destroyed first, but never across fork(). Not thread-safe; movable, not copyable.
 */
class DocumentReader {
  public:
    /** The next decrypted chunk (at most 64 KiB), or std::nullopt after the last one.
     * Errors: Errc::auth_failed (a chunk was modified, swapped, moved from another envelope or
     * document, or the last-chunk flag does not match: truncation), Errc::corrupt (a chunk is
     * missing or the sizes disagree), Errc::revoked (the envelope was revoked or purged during
     * the download), Errc::internal. After an error, further calls return the same error.
     */
    Result<std::optional<crypto::SecretBytes>> next();

    [[nodiscard]] const DocumentInfo& info() const noexcept;

    DocumentReader(DocumentReader&&) noexcept;
    DocumentReader& operator=(DocumentReader&&) noexcept;
    DocumentReader(const DocumentReader&) = delete;
    DocumentReader& operator=(const DocumentReader&) = delete;
    ~DocumentReader();

  private:
    friend class Vault;
    struct State;
    explicit DocumentReader(std::unique_ptr<State> s);
    std::unique_ptr<State> s_;
};

/** Handle on an open vault environment. Movable, not copyable. Thread-safe (see Caveats). */
class Vault {
  public:
    /** Open (creating if needed) the environment in `opts.dir`: directory 0700 (created one
     * level deep if missing), data.mdb/lock.mdb 0600, flags MDB_NOTLS, named databases created,
     * stale reader slots of dead processes cleared (mdb_reader_check).
     *
     * `keys` must hold the pepper; `escrow_public` is needed for envelope_create and the
     * `contacts` key for the contact_* verbs (their absence gives Errc::key_error there, not
     * here). The vault copies what it needs; the caller keeps ownership of `keys` (and of the
     * escrow private key, which the vault never keeps).
     *
     * Errors: Errc::key_error (no pepper), Errc::invalid_argument (map_size 0 or > max_size,
     * empty dir), Errc::io (directory or LMDB open failed; detail has the path and errno text).
     * Startup only: call after fork() and before dropping privileges.
     */
    static Result<Vault> open(VaultOptions opts, const keys::KeyRing& keys);

    Vault(Vault&&) noexcept;
    Vault& operator=(Vault&&) noexcept;
    Vault(const Vault&) = delete;
    Vault& operator=(const Vault&) = delete;
    /// Closes the environment once the last DocumentReader made from it is gone.
    ~Vault();

    // ---- envelopes --------------------------------------------------------------------

    /** Seal `in` into a new envelope in state `pending`. Up to kOneWriteMax plaintext bytes in
     * all, in ONE durable write transaction (envelope record, link mapping, all chunks, the
     * `created` audit event); the chunks are encrypted inside it, into the space LMDB reserves
     * for them. Larger envelopes are staged: their chunks are written in transactions of at
     * most kStageBatch bytes each (a `staging` record names the envelope id meanwhile), then
     * the envelope, link and audit event in a last one that also drops the staging record.
     * Either way the envelope is visible only once complete; a failure deletes the staged
     * chunks, and vault_purge deletes what a crash left behind after kStagingGrace. This keeps
     * a sealing writer's memory to one batch, not the whole envelope (LMDB holds a write
     * transaction's dirty pages in anonymous memory until commit). On MDB_MAP_FULL the map
     * grows (doubling, up to max_size) and the transaction is retried.
     * expires_at = now + link_ttl, retain_until = now + retention.
     *
     * Returns the token once (IssuedLink). Errors: Errc::invalid_argument (no documents, more
     * than 1000 documents, a field longer than 64 KiB, a producer that wrote other than
     * `size` bytes), Errc::key_error (no escrow public key), a producer's own error,
     * Errc::vault_full (the map is at max_size: SMTP 452 4.3.1), Errc::exists (a random id
     * collided: retry), Errc::io, Errc::internal.
     */
    Result<IssuedLink> envelope_create(const EnvelopeInput& in);

    /** Wipe the escrow batch key once its batch is over (60 s old): envelope_create seals
     * DEKs to the escrow key with one ephemeral key per batch (vault_linkkeys.hpp), and on a
     * quiet process nothing else would end the batch. Call it now and then from a process
     * that creates envelopes (the proxy's notice loop does, every proxy.notice_interval).
     * Never fails. */
    void escrow_batch_expire() noexcept;

    /** Portal: open the envelope of `token` and decrypt its metadata and DEK.
     *
     * Returns the envelope also when its link has expired but the data is still retained
     * (`link_expired` = true: the portal shows 410 with the date and offers renewal).
     * Errors: Errc::bad_token for a token that is unknown, wrong, or malformed (wrong length or
     * characters) — the same crypto work is done in every case, so timing does not tell which;
     * Errc::revoked when the envelope is a tombstone or past retention, with detail exactly
     * `state=revoked` or `state=purged` (past retention counts as purged); Errc::auth_failed
     * (the stored metadata was modified), Errc::corrupt, Errc::io. The result owns a copy of
     * the DEK; see OpenedEnvelope.
     */
    Result<OpenedEnvelope> envelope_open(std::string_view token);

    /** A reader for document `doc_index` of an opened envelope. Checks the stored record
     * again (one short read transaction), so a link that expired or an envelope revoked since
     * envelope_open gives no reader. The reader copies the DEK; `opened` may be destroyed.
     * Errors: Errc::not_found (no such document index), Errc::expired (now >= expires_at),
     * Errc::revoked (tombstone or deleted), Errc::invalid_argument (no DEK in `opened`),
     * Errc::corrupt, Errc::io. Reading errors come from next().
     */
    Result<DocumentReader> document_reader(const OpenedEnvelope& opened, std::uint32_t doc_index);

    /** Patient renewal after a successful SMS check: expires_at = now + link_ttl with the
     * same token, but no later than created_at + max_retention (or the current retain_until,
     * when a reissue set a later one); retain_until = max(retain_until, new expires_at) so the
     * renewed link does not point past the data. Only while retained (now < retain_until).
     * Appends `renewed`.
     * Returns the new expires_at. Errors: Errc::revoked (tombstone or past retention),
     * Errc::not_found (deleted meanwhile), Errc::vault_full, Errc::io.
     */
    Result<std::int64_t> envelope_renew(const OpenedEnvelope& opened);

    /** Admin resend: open the DEK with the escrow key pair, make a new token, rewrap the DEK,
     * delete the old link mapping (the old token then gives bad_token), expires_at = now +
     * link_ttl, retain_until = max(old, now + link_ttl). Appends `reissued`. Allowed also after
     * the link expired and past retention as long as purge has not run.
     * Errors: Errc::not_found, Errc::revoked (tombstone), Errc::key_error (the pair is not the
     * one the DEK was sealed to: key id mismatch), Errc::auth_failed, Errc::vault_full, Errc::io.
     */
    Result<IssuedLink> envelope_reissue(const EnvelopeId& id, const crypto::X25519KeyPair& escrow);

    /** Revoke: reduce to a `revoked` tombstone at once (chunks, metadata, wrapped keys and
     * audit events deleted; the link mapping kept so the portal answers 410).
     * Errors: Errc::not_found, Errc::revoked (already a tombstone), Errc::io.
     */
    Status envelope_revoke(const EnvelopeId& id);

    /** After the upstream's 250: pending -> sent (sent_at = now), durable on return.
     * Idempotent on sent. Errors: Errc::not_found, Errc::revoked (tombstone), Errc::io.
     */
    Status envelope_mark_sent(const EnvelopeId& id);

    /** Proxy, after the upstream's 250: envelope_mark_sent without waiting for an fsync of its
     * own. While another write of this process is committing, the change joins the next group
     * commit and this returns at once; when none is, it commits before returning (so under load
     * it costs no fsync, and an idle vault still records it at once). Errors (as for
     * envelope_mark_sent) are logged as `vault.mark_sent_failed`, not returned. The Vault's
     * destruction commits what is still queued.
     *
     * Caveats: a crash can lose a mark_sent that was queued but not yet committed. That is
     * safe: the envelope stays `pending`, and purge deletes a pending envelope only once its
     * link has expired (and orphan_grace has passed), so the link in the delivered mail works
     * for its whole lifetime; what is lost is the retention after expiry (renewal and reissue
     * of that one envelope) and the `sent` state in list/show/stats.
     */
    void envelope_mark_sent_deferred(const EnvelopeId& id);

    /** Proxy, when the upstream refused the mail: delete a pending envelope entirely (every
     * record, including its audit events and link mapping).
     * Errors: Errc::not_found, Errc::invalid_argument (not pending), Errc::io.
     */
    Status envelope_discard(const EnvelopeId& id);

    /** Admin: resolve a unique prefix (8..32 hex characters, either case) to an id.
     * Errors: Errc::invalid_argument (malformed, shorter than 8, or ambiguous: detail says
     * which), Errc::not_found.
     */
    Result<EnvelopeId> envelope_resolve(std::string_view prefix);

    /** Summaries (no personal data) in id order. Errors: Errc::corrupt, Errc::io. */
    Result<std::vector<EnvelopeSummary>> envelope_list(ListFilter filter);

    /** Admin: summary, metadata (opened with the escrow pair; nullopt for tombstones) and the
     * audit trail. Errors: Errc::not_found, Errc::key_error (wrong escrow pair),
     * Errc::auth_failed, Errc::corrupt, Errc::io.
     */
    Result<EnvelopeDetails> envelope_show(const EnvelopeId& id,
                                          const crypto::X25519KeyPair& escrow);

    // ---- maintenance ------------------------------------------------------------------

    /** Purge, in batches of at most 100 envelopes per write transaction: envelopes past
     * retain_until become `purged` tombstones; pending envelopes whose link has expired
     * (now >= expires_at) and that are older than orphan_grace are deleted entirely (never
     * earlier: the mail with their link may have been delivered, see
     * envelope_mark_sent_deferred); tombstones older than tombstone_ttl (since purged_at) are
     * deleted entirely. Safe to run while other processes use the vault. Ends with one more
     * small write, so that the space freed by it (and by revokes before it) is reusable by the
     * very next envelope: on a full vault, mail is accepted again right after a purge.
     * Errors: Errc::corrupt, Errc::io (counts of batches already committed are lost then;
     * rerunning is safe).
     */
    Result<PurgeCounts> vault_purge();

    /** Counts and sizes (one read transaction). Errors: Errc::corrupt, Errc::io. */
    Result<VaultStats> vault_stats();

    // ---- contacts ---------------------------------------------------------------------

    /** Insert or replace the contact of `email` (matched case-insensitively; stored
     * lower-cased). Errors: Errc::key_error (no contacts key), Errc::invalid_argument (empty
     * email or phone, field > 1 KiB), Errc::vault_full, Errc::io.
     */
    Status contact_set(std::string_view email, std::string_view phone_e164,
                       std::string_view language);
    /** Insert the contact of `email` only when it has none (checked and written in one write
     * transaction, so a concurrent writer cannot slip in between): what the proxy learns from
     * a subject tag never replaces a stored number. Errors: Errc::exists (a contact is stored,
     * it is left as it was), and those of contact_set.
     */
    Status contact_add(std::string_view email, std::string_view phone_e164,
                       std::string_view language);
    /** Errors: Errc::not_found, Errc::key_error (no contacts key or a record sealed under a
     * key id that is not loaded), Errc::auth_failed, Errc::corrupt, Errc::io. */
    Result<Contact> contact_get(std::string_view email);
    /** All contacts, decrypted, in storage order. Errors as contact_get. */
    Result<std::vector<Contact>> contact_list();
    /** Errors: Errc::not_found, Errc::key_error, Errc::io. */
    Status contact_remove(std::string_view email);

    // ---- audit ------------------------------------------------------------------------

    /** Append an event (time = now) to a live envelope's trail. No personal data is stored.
     * Errors: Errc::not_found, Errc::revoked (tombstone), Errc::vault_full, Errc::io.
     */
    Status audit_append(const EnvelopeId& id, AuditKind kind,
                        std::optional<std::uint32_t> doc_index = std::nullopt,
                        std::optional<IpHash> ip_hash = std::nullopt);
    /** The envelope's events in order (empty for tombstones). Errors: Errc::not_found,
     * Errc::corrupt, Errc::io. */
    Result<std::vector<AuditEvent>> audit_list(const EnvelopeId& id);

    // ---- portal: SMS codes ------------------------------------------------------------
    // The counters live in the `portal` database, in clear (no personal data), keyed by
    // envelope id and tied to the current link: a reissued link starts with fresh counters,
    // so "locked for good" lasts exactly until the practice reissues the link. Revoke and
    // purge delete them with the envelope. Every call is one durable write transaction, so a
    // portal restart never resets a brute-force counter.

    /** Where the envelope's check stands (one read transaction). Errors: Errc::not_found,
     * Errc::revoked (tombstone), Errc::corrupt, Errc::io. */
    Result<GuardView> guard_status(const EnvelopeId& id, const CodePolicy& policy);

    /** Make a new code if the guard allows it: not locked, fewer than per_window codes in the
     * last `window` and fewer than per_day in the last 24 h. The code is stored only as
     * HMAC-SHA256(pepper, label || id || code), replaces any earlier code, and counts as sent.
     * When the guard says no, `code` is empty and `guard` says why and until when.
     * Errors: Errc::not_found, Errc::revoked, Errc::vault_full, Errc::corrupt, Errc::io. */
    Result<CodeIssue> code_issue(const EnvelopeId& id, const CodePolicy& policy);

    /** The SMS for the code issued at `issued_at` could not be sent: forget that code and
     * take it off the send count, so a failed SMS costs the patient nothing. A no-op when a
     * newer code exists. Errors: Errc::not_found, Errc::revoked, Errc::io. */
    Status code_withdraw(const EnvelopeId& id, std::int64_t issued_at);

    /** Check `code` in constant time against the live code. A wrong code counts one try on
     * the code, one in the lock window and one in the link's life; tries_per_code wrong tries
     * kill the code; tries_per_code x killed_before_lock wrong tries within lock_duration lock
     * the envelope for lock_duration, however they are spread over codes (a new or expired
     * code does not reset them; a right code does); tries_total wrong tries lock it for good. A
     * malformed code (not exactly `digits` digits) counts as wrong. Errors: Errc::not_found,
     * Errc::revoked, Errc::vault_full, Errc::corrupt, Errc::io. */
    Result<CodeCheck> code_verify(const EnvelopeId& id, std::string_view code,
                                  const CodePolicy& policy);

    // ---- download notices to the practice (DESIGN 5b) -------------------------------
    // The portal queues, the proxy sends: a queue in the `portal` database under keys of 24
    // bytes ("notice-q" or "notice-s" || envelope id), so they never meet the 16-byte guard
    // keys. The personal fields (sender, masked recipient, file name) are sealed with
    // AES-256-GCM under HKDF-SHA256(pepper, info "sealpost-notice-v1"): the portal (pepper
    // only) must write them and the proxy (no escrow private key) must read them, and the
    // pepper is the one key both hold. The price: whoever steals the vault file *and* the
    // pepper reads the notices still queued (normally seconds, at most the 3 days of retries),
    // never an envelope's own data; the recipient is stored masked for that reason. A marker
    // ("notice-s") with no personal data makes the queue idempotent per envelope: the first
    // download wins, and a later one, even after the notice was sent, queues nothing. Revoke
    // and purge delete both records with the envelope.

    /** Portal, on a download of document `doc_index`: queue the notice unless the envelope
     * already had one (queued or sent). Only summary.id and meta are read (the DEK is not
     * needed). Returns true when this call queued it. Crypto runs before the transaction.
     * Errors: Errc::not_found (no such envelope or document), Errc::revoked (tombstone),
     * Errc::vault_full, Errc::io, Errc::internal. */
    Result<bool> notice_queue(const OpenedEnvelope& opened, std::uint32_t doc_index);

    /** Proxy: queued notices that are due (next_attempt_at <= now), earliest first, at most
     * `limit`, opened; a record that cannot be decoded or opened is listed (as due) with
     * QueuedNotice::unreadable, for the caller to log and drop. One read transaction.
     * Errors: Errc::io. */
    Result<std::vector<QueuedNotice>> notice_list(std::size_t limit);

    /** Proxy: as notice_list, but takes the notices it returns, so no other proxy sends them:
     * each gets next_attempt_at = now + `lease_seconds`, in one write transaction that skips
     * notices another node is taking at that moment (PostgreSQL: FOR UPDATE SKIP LOCKED). A
     * proxy that stops before notice_done or notice_retry_later leaves its notices to be taken
     * again once the lease is over. Errors: Errc::io, Errc::unavailable, Errc::vault_full. */
    Result<std::vector<QueuedNotice>> notice_claim(std::size_t limit, std::int64_t lease_seconds);

    /** Proxy: the notice was sent, or given up: remove it from the queue (the marker stays).
     * Errors: Errc::not_found (not queued: already done, or the envelope was revoked or
     * purged meanwhile), Errc::io. */
    Status notice_done(const EnvelopeId& id);

    /** Proxy: a send failed: count the attempt and try again at `next_attempt_at`.
     * Errors: Errc::not_found (as notice_done), Errc::corrupt, Errc::vault_full, Errc::io. */
    Status notice_retry_later(const EnvelopeId& id, std::int64_t next_attempt_at);

    // ---- follow-ups of unused links (vault_reminders.cpp) ----------------------------
    // envelope_create arms, per envelope, a reminder record (the patient's reminder, holding
    // the link token) and an expiry record (the sender's notice), each under a 24-byte key in
    // `portal` ("follow-r" / "follow-x" || id) and sealed with AES-256-GCM under
    // HKDF-SHA256(contacts.key, "sealpost-followup-v1"): the proxy and the CLI hold that key,
    // the portal never does, so the portal's files plus the vault still open no envelope. A
    // record is deleted when its mail was sent (with an audit event), when the link was used
    // (a `verified` or `downloaded` event: the patient typed the SMS code; opening the page is
    // not using it), reissued (reminder only), revoked or purged, or when the policy says off.
    // Deleted means never again: a restart cannot send one twice.

    /** Proxy: at most `limit` follow-ups due now under `policy`, earliest first, opened.
     * Records that can never be due any more are deleted (at most `limit` per call, one write).
     * Errors: Errc::io, Errc::corrupt. */
    Result<std::vector<DueFollowUp>> followup_due(const FollowUpPolicy& policy, std::size_t limit);

    /** Proxy: the mail is accepted by the upstream's RCPT (and will be sent now): delete the
     * record and append `reminded` / `expiry_notified`, in one transaction. Called before DATA,
     * so a crash can lose one mail but never send it twice.
     * Errors: Errc::not_found (done already, or the envelope is gone), Errc::io. */
    Status followup_sent(const EnvelopeId& id, FollowUpKind kind);

    /** Proxy: a send failed before RCPT was accepted: try again at `next_attempt_at`.
     * Errors: Errc::not_found, Errc::corrupt, Errc::vault_full, Errc::io. */
    Status followup_retry_later(const EnvelopeId& id, FollowUpKind kind,
                                std::int64_t next_attempt_at);

    /** Proxy: give up (unusable or too late): delete the record without an audit event.
     * Errors: Errc::not_found, Errc::io. */
    Status followup_drop(const EnvelopeId& id, FollowUpKind kind);

    /// The clock the vault uses (unix seconds).
    [[nodiscard]] std::int64_t now() const;

    /// "lmdb" or "postgresql".
    [[nodiscard]] std::string_view backend() const noexcept;
    /// The database pool's figures (PostgreSQL; zeros on LMDB), for /metrics.
    [[nodiscard]] kv::PoolStats pool_stats() const;

    struct Impl;

  private:
    explicit Vault(std::shared_ptr<Impl> impl);
    /// contact_set (`replace`) and contact_add (insert only) in one place.
    Status contact_put(std::string_view email, std::string_view phone_e164,
                       std::string_view language, bool replace);
    std::shared_ptr<Impl> impl_;
};

/// The PostgreSQL schema this build reads and writes (vault_pg_schema.cpp). Raise it with every
/// change of the tables, with an upgrade step.
inline constexpr int kSchemaVersion = 1;

/** `sealpost vault init`: make the store ready. PostgreSQL: create the schema if the database
 * has none (true), or find it at this build's version (false). LMDB: create the environment
 * (true if it was not there). Errors: Errc::invalid_argument (a schema of another version),
 * Errc::unavailable, Errc::key_error (DSN file), Errc::io. */
Result<bool> vault_init(const VaultOptions& opts);

/** `sealpost vault upgrade`: bring a PostgreSQL schema to this build's version; returns the
 * version found. LMDB has nothing to upgrade (returns the current version). Errors: as
 * vault_init. */
Result<int> vault_upgrade(const VaultOptions& opts);

/** `sealpost config check --connect`: PostgreSQL reachable with the schema this build needs;
 * returns its version. LMDB: the current version, nothing checked. Errors: as vault_init. */
Result<int> vault_schema_check(const VaultOptions& opts);

/** The DSN file of [vault] dsn_file: readable, not empty, and no access for others (it holds
 * the database password). The check the daemons make at start. Errors: Errc::key_error. */
Status vault_dsn_file_check(const std::filesystem::path& path);

struct CopyCounts {
    std::uint64_t rows = 0;
    std::uint64_t bytes = 0;  ///< keys and values
    std::uint64_t envelopes = 0;
};

/** `sealpost vault copy --to postgresql`: copy every table of the LMDB vault `from` into the
 * PostgreSQL vault `to`, byte for byte (ciphertext stays ciphertext, no key is needed), in
 * transactions of at most kStageBatch bytes, then compare the row counts. Links and codes made
 * before the copy work after it, with the same key directory. The destination must be
 * initialised and empty. Errors: Errc::exists (destination not empty), Errc::corrupt (counts
 * differ after the copy), as vault_init. */
Result<CopyCounts> vault_copy(const VaultOptions& from, const VaultOptions& to);

}  // namespace sealpost::vault
