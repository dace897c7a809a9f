// SPDX-License-Identifier: Apache-2.0
// "Download selected": the chosen documents as one ZIP archive, streamed a piece at a time
// (PKWARE APPNOTE 6.3.10: STORED entries, CRC-32 and sizes in data descriptors, ZIP64 where an
// offset or size needs it), so an archive costs one chunk of memory, not its size; and the caps
// on how many archives stream at once, per session and in all.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/core_result.hpp"
#include "crypto/crypto_secret.hpp"
#include "portal/portal_http.hpp"

namespace sealpost::portal {

/// One document of an archive: its name, its exact size and where its bytes come from.
struct ZipEntry {
    std::string name;        ///< UTF-8 file name, already sanitised; made unique here
    std::uint64_t size = 0;  ///< exact plaintext bytes `data` yields (the vault knows them)
    BodySource data;         ///< the plaintext, a chunk at a time
};

/** A ZIP archive produced piece by piece: each entry's local header, its bytes as `data`
 * yields them (CRC-32 computed on the way), its data descriptor; then the central directory.
 * Entries are stored without compression (invoices are PDFs, compressed already; storing keeps
 * the cost at a CRC) and flagged UTF-8 (APPNOTE 4.4.4 bit 11); a repeated name gets " (2)",
 * " (3)" … before its extension. The total length is known before the first byte, so the
 * server sends a Content-Length. Used by one thread at a time. */
class ZipStream {
  public:
    /** Errors: Errc::invalid_argument (no entries). `force_zip64` writes every entry and the
     * end record in ZIP64 form (tests; otherwise only what passes 4 GiB or 65535 entries). */
    static Result<ZipStream> make(std::vector<ZipEntry> entries, std::int64_t mtime,
                                  bool force_zip64 = false);

    /// Exact bytes next() yields in all.
    [[nodiscard]] std::uint64_t length() const noexcept { return length_; }

    /** The next piece, std::nullopt at the end. Errors: those of an entry's `data`, and
     * Errc::corrupt when an entry yields more or fewer bytes than its size. After an error the
     * stream is finished. */
    Result<std::optional<crypto::SecretBytes>> next();

  private:
    struct Item {
        ZipEntry entry;
        std::uint64_t offset = 0;  ///< of its local header
        std::uint32_t crc = 0;
        bool zip64 = false;
    };
    enum class Phase : std::uint8_t { header, data, descriptor, directory, done };

    [[nodiscard]] crypto::SecretBytes local_header(const Item& it) const;
    [[nodiscard]] static crypto::SecretBytes descriptor(const Item& it, std::uint64_t size);
    [[nodiscard]] crypto::SecretBytes directory() const;

    std::vector<Item> items_;
    std::uint64_t length_ = 0;
    std::uint64_t directory_offset_ = 0;
    bool zip64_end_ = false;
    std::uint16_t dos_time_ = 0;
    std::uint16_t dos_date_ = 0;
    std::size_t current_ = 0;
    std::uint64_t read_ = 0;  ///< bytes of the current entry so far
    Phase phase_ = Phase::header;
};

/// `name` made unique against `taken` (which it is then added to): "a.pdf", "a (2).pdf", ...
std::string unique_name(const std::string& name, std::unordered_set<std::string>& taken);

/** How many ZIP archives stream at once: at most `per_session` for one session and `total` in
 * all (portal.max_zip_per_session, portal.max_zip_concurrent). A Ticket holds a place until it
 * is destroyed, i.e. until the last byte was sent or the client went away. Thread-safe;
 * tickets may outlive the gate. */
class ZipGate {
  public:
    class Ticket {
      public:
        Ticket() = default;
        Ticket(Ticket&&) noexcept = default;
        Ticket& operator=(Ticket&&) noexcept = delete;
        Ticket(const Ticket&) = delete;
        Ticket& operator=(const Ticket&) = delete;
        ~Ticket();
        [[nodiscard]] explicit operator bool() const noexcept { return state_ != nullptr; }

      private:
        friend class ZipGate;
        struct State;
        std::shared_ptr<State> state_;
        std::string session_;
    };

    ZipGate(unsigned per_session, unsigned total);
    /// A place for one more archive of `session` (any stable key of the session), or an empty
    /// Ticket when the session or the portal is at its cap.
    [[nodiscard]] Ticket try_enter(const std::string& session);

  private:
    unsigned per_session_;
    unsigned total_;
    std::shared_ptr<Ticket::State> state_;
};

}  // namespace sealpost::portal
