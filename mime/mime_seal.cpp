// SPDX-License-Identifier: Apache-2.0
// seal_for_recipient: vault envelope first (the notice needs its token), then the rewrite;
// a failed rewrite discards the envelope so no link ever points at an unsent envelope.
#include "mime/mime_seal.hpp"

#include <set>

#include "core/core_log.hpp"
#include "mime/mime_rewrite.hpp"

namespace sealpost::seal {

Result<SealResult> seal_for_recipient(const SealRequest& req, const PracticeConfig& practice,
                                      const NoticeTemplates& templates, vault::Vault& vault) {
    if (req.message == nullptr) {
        return make_error(Errc::invalid_argument, "seal: no message");
    }
    const mime::MimeMessage& m = *req.message;
    if (m.is_signed() || m.is_encrypted()) {
        return make_error(Errc::invalid_argument, "mime:signed_or_encrypted: not rewritten");
    }
    const auto& atts = m.attachments();
    std::set<std::size_t> seen;
    for (const std::size_t i : req.selection) {
        if (i >= atts.size() || !seen.insert(i).second) {
            return make_error(Errc::invalid_argument, "mime:selection: bad index");
        }
    }
    if (req.selection.empty()) {
        return make_error(Errc::invalid_argument, "mime:selection: nothing selected");
    }

    vault::EnvelopeInput in;
    in.recipient = req.recipient;
    in.phone_e164 = req.phone_e164;
    in.sender = req.sender;
    in.subject = req.cleaned_subject.value_or(m.subject());
    in.language = std::string(to_string(req.language));
    NoticeValues values;
    values.practice = practice.name;
    values.phone_e164 = req.phone_e164;
    for (const std::size_t i : req.selection) {
        const auto& a = atts[i];
        // Decoded straight into the vault's chunks: a large part is never held whole.
        vault::DocumentInput doc;
        doc.file_name = a.file_name;
        doc.content_type = a.content_type;
        doc.size = a.size();
        doc.write = [&m, i](const vault::DocumentSink& sink) {
            return m.attachment_write(
                i, [&](std::string_view piece) { return sink(crypto::as_bytes(piece)); });
        };
        in.documents.push_back(std::move(doc));
        values.documents.push_back(a.file_name);
    }

    values.documents = notice_document_names(practice, req.language, std::move(values.documents));
    SP_TRY(link, vault.envelope_create(in));
    values.link = link_url(practice, std::string_view(link.token.data(), link.token.size()));
    values.expires_at = link.expires_at;

    mime::MimeRewriteRequest rw;
    rw.seal = req.selection;
    rw.notice = templates.render(req.language, values);
    rw.subject = req.cleaned_subject;
    auto out = mime::mime_rewrite(m, rw);
    if (!out) {
        if (auto st = vault.envelope_discard(link.id); !st) {
            log::error("seal.discard_failed")
                .kv("envelope", vault::envelope_id_hex(link.id))
                .kv("err", errc_name(st.error().code));
        }
        return std::move(out).error();
    }
    return SealResult{std::move(out).value(), link.id};
}

}  // namespace sealpost::seal
