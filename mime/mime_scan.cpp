// SPDX-License-Identifier: Apache-2.0
// ContentScan: one pass over a part's decoded content (see mime_scan.hpp).
#include "mime/mime_scan.hpp"

#include <algorithm>

#include "mime/mime_sniff.hpp"

namespace sealpost::mime {
namespace {

/// Enough of the previous window to see any match that straddles two pieces: a ZIP local
/// file header (30 bytes) with the longest name (65535 bytes), APPNOTE 4.3.7.
constexpr std::size_t kOverlap = 30 + 65535;

}  // namespace

Result<ContentScan> ContentScan::make(std::size_t hold_limit) {
    SP_TRY(sha, crypto::Sha256::make());
    return ContentScan(hold_limit, std::move(sha));
}

Status ContentScan::feed(std::string_view piece) {
    if (piece.empty()) {
        return {};
    }
    SP_CHECK(sha_.update(piece));
    size_ += piece.size();
    if (head_.size() < kScanHead) {
        head_.append(piece.substr(0, kScanHead - head_.size()));
    }
    if (holding_) {
        if (held_.size() + piece.size() <= hold_limit_) {
            held_.append(piece);
        } else {
            holding_ = false;
            std::string().swap(held_);
        }
    }
    // Flags are "anywhere" answers: a match seen twice in overlapping windows changes nothing.
    window_.append(piece);
    holds_pdf_ = holds_pdf_ || container_holds_pdf(window_);
    holds_document_ = holds_document_ || window_.find("%PDF-") != std::string::npos ||
                      window_.find("PK\x03\x04") != std::string::npos;
    if (window_.size() > kOverlap) {
        window_.erase(0, window_.size() - kOverlap);
    }
    return {};
}

Status ContentScan::finish() {
    SP_TRY(digest, sha_.finish());
    digest_ = digest;
    return {};
}

std::optional<std::string> ContentScan::take_held() noexcept {
    if (!holding_) {
        return std::nullopt;
    }
    holding_ = false;
    return std::move(held_);
}

}  // namespace sealpost::mime
