// SPDX-License-Identifier: Apache-2.0
// The seal step for one external recipient: one vault envelope for the selected attachments,
// the notice with its link, and the rewritten message (DESIGN section 3, "Sealing").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/core_config.hpp"
#include "core/core_result.hpp"
#include "mime/mime_message.hpp"
#include "notice/notice_templates.hpp"
#include "vault/vault.hpp"

namespace sealpost::seal {

struct SealRequest {
    const mime::MimeMessage* message = nullptr;  ///< parsed once, shared by all recipients
    std::vector<std::size_t> selection;          ///< attachment indexes to seal, not empty
    std::string recipient;                       ///< the patient's address
    std::string sender;                          ///< the practice's sender address
    std::string phone_e164;                      ///< the patient's mobile, E.164
    Language language = Language::de;
    /// The subject without control tags; replaces Subject when different from the original.
    std::optional<std::string> cleaned_subject;
};

struct SealResult {
    std::string message;           ///< the rewritten message, CRLF, not dot-stuffed
    vault::EnvelopeId envelope{};  ///< pending: mark_sent after 250, discard on refusal
};

/** Seals `req.selection` of `req.message` for one recipient: creates ONE envelope (original
 * decoded bytes, file names and content types; recipient, phone, sender, subject, language
 * in its metadata), renders the notice with the link `{base_url}/d/{token}` and the expiry,
 * and rewrites the message. If anything after envelope_create fails, the envelope is
 * discarded. Never returns the original message: any failure is an error (fail closed).
 * Errors: those of mime_rewrite (invalid_argument `mime:<reason>`) and of envelope_create
 * (vault_full, io, ...).
 */
Result<SealResult> seal_for_recipient(const SealRequest& req, const PracticeConfig& practice,
                                      const NoticeTemplates& templates, vault::Vault& vault);

}  // namespace sealpost::seal
