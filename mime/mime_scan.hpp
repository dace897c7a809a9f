// SPDX-License-Identifier: Apache-2.0
// What sealing must know of a part's content, read once as it is decoded, a piece at a time:
// its size, a digest, its first bytes (magic numbers), whether a PDF hides anywhere in it, and
// the whole content only while it stays under a caller's hold limit. A large attachment is
// never held decoded beside the message it came in (the proxy's per-message memory bound).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/core_result.hpp"
#include "crypto/crypto_sha256.hpp"

namespace sealpost::mime {

/// The bytes magic numbers are read from (mime_sniff.hpp reads at most the first 1024; a
/// tar header's `ustar` sits at 257).
inline constexpr std::size_t kScanHead = 4096;

class ContentScan {
  public:
    /// `hold_limit`: keep the whole content while it is at most this long; 0 keeps nothing.
    static Result<ContentScan> make(std::size_t hold_limit);

    /// The next piece of decoded content.
    Status feed(std::string_view piece);
    /// Ends the scan: the digest is final after this.
    Status finish();

    [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
    [[nodiscard]] const std::array<std::uint8_t, 32>& digest() const noexcept { return digest_; }
    [[nodiscard]] const std::string& head() const noexcept { return head_; }
    /// container_holds_pdf() of the whole content, computed over overlapping windows.
    [[nodiscard]] bool holds_pdf() const noexcept { return holds_pdf_; }
    /// `%PDF-` or a ZIP local header anywhere (what makes an image a polyglot).
    [[nodiscard]] bool holds_document() const noexcept { return holds_document_; }
    /// The whole content when it stayed within the hold limit, else nothing.
    std::optional<std::string> take_held() noexcept;

  private:
    ContentScan(std::size_t hold_limit, crypto::Sha256 sha)
        : hold_limit_(hold_limit), sha_(std::move(sha)) {}
    std::size_t hold_limit_;
    crypto::Sha256 sha_;
    std::uint64_t size_ = 0;
    std::array<std::uint8_t, 32> digest_{};
    std::string head_;
    std::string window_;  ///< the tail of what came before, for matches across pieces
    std::string held_;
    bool holding_ = true;
    bool holds_pdf_ = false;
    bool holds_document_ = false;
};

}  // namespace sealpost::mime
