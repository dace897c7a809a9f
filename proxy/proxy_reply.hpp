// SPDX-License-Identifier: Apache-2.0
// The proxy's own SMTP replies in one table (RFC 5321 4.2.2 codes, RFC 3463 enhanced codes),
// and the one mapping from an internal Error to what the client sees. Internal details never
// reach a client: only these texts, or an upstream's own reply lines.
#pragma once

#include <string_view>

#include "core/core_config.hpp"
#include "core/core_result.hpp"
#include "smtp/smtp_reply.hpp"

namespace sealpost::proxy {

enum class R {
    ok,                    ///< 250 2.0.0 OK
    sender_ok,             ///< 250 2.1.0
    rcpt_ok,               ///< 250 2.1.5
    bye,                   ///< 221 2.0.0
    tls_go,                ///< 220 2.0.0 Ready to start TLS
    data_go,               ///< 354
    auth_ok,               ///< 235 2.7.0
    vrfy,                  ///< 252 2.1.5
    help,                  ///< 214 2.0.0
    line_too_long,         ///< 500 5.5.2
    auth_line_too_long,    ///< 500 5.5.6 (RFC 4954 4)
    unknown_command,       ///< 500 5.5.1
    syntax,                ///< 501 5.5.4
    bad_sender,            ///< 501 5.1.7
    bad_recipient,         ///< 501 5.1.3
    bad_base64,            ///< 501 5.5.2 (RFC 4954 4)
    auth_cancelled,        ///< 501 5.7.0
    not_implemented,       ///< 502 5.5.1
    bad_sequence,          ///< 503 5.5.1
    need_hello,            ///< 503 5.5.1 EHLO first
    already_auth,          ///< 503 5.5.1
    no_recipients,         ///< 554 5.5.1 (RFC 2920 3.1)
    auth_mech,             ///< 504 5.5.4
    unknown_param,         ///< 555 5.5.4
    need_utf8,             ///< 553 5.6.7 (RFC 6531 3.7.4.1)
    auth_required,         ///< 530 5.7.0
    auth_failed,           ///< 535 5.7.8
    encryption_required,   ///< 538 5.7.11 (RFC 4954 6, RFC 5248)
    tls_unavailable,       ///< 454 4.7.0 TLS not available
    too_many_recipients,   ///< 452 4.5.3
    too_big,               ///< 552 5.3.4
    bare_line_ending,      ///< 550 5.5.2 (SMTP smuggling)
    data_line_too_long,    ///< 550 5.5.2 (RFC 5321 4.5.3.1.6)
    loop,                  ///< 554 5.4.6
    timeout,               ///< 421 4.4.2
    too_many_sessions,     ///< 421 4.3.2
    too_many_from_ip,      ///< 421 4.7.0 (per-address cap)
    too_many_errors,       ///< 421 4.7.0
    shutting_down,         ///< 421 4.3.2
    upstream_unavailable,  ///< 451 4.4.1
    upstream_broken,       ///< 451 4.4.2
    upstream_tls,          ///< 454 4.7.0
    internal,              ///< 451 4.3.0
    storage_full,          ///< 452 4.3.1
    inflight_full,         ///< 452 4.3.1 (the in-flight budget is full)
    rejected,              ///< 550 5.7.1 (policy)
    sender_not_allowed,    ///< 550 5.7.1 MAIL FROM not among the login's addresses
    null_sender,           ///< 550 5.7.1 MAIL FROM:<> from a local login
    unsealable,            ///< 451 4.3.0 the message cannot be sealed safely
    ambiguous_mime,        ///< 554 5.6.0 a MIME shape readers may disagree on (permanent)
};

/// The reply for an id. The 220 greeting and the HELO/EHLO replies are not here: the session
/// builds them (Session::run(), Session::ehlo_reply()), since they carry the host name.
smtp::Reply reply(R id);
/// The same reply with its text in the staff's language (practice.refusal_lang()) where a
/// sender must read and act on it: rejected, sender_not_allowed, null_sender, unsealable and
/// ambiguous_mime. Codes and enhanced codes are the same in every language; the text stays
/// printable ASCII (RFC 5321 4.2), so fr/it/de are written without accents (ae/oe/ue).
/// Every other id: reply(id).
smtp::Reply reply(R id, Language lang);

/// The one place an internal error becomes a reply: unavailable -> 451 4.4.1, TLS failures ->
/// 454 4.7.0, protocol violations by the upstream -> 451 4.4.2, vault full -> 452 4.3.1,
/// a message that cannot be sealed safely (invalid_argument) -> 451 4.3.0 `Message cannot be
/// sealed safely, not sent`, anything else -> 451 4.3.0. Temporary, so a client retries and
/// nothing leaves unsealed.
smtp::Reply reply_for(const Error& e);
/// The id behind reply_for(e), for callers that also count the reason (metrics).
R reply_id_for(const Error& e);

/// The permanent refusal of a message whose MIME shape cannot be sealed safely for an
/// external recipient (`e` is the parser's `mime:<reason>` error, see mime_message.hpp): a
/// file encoded inside text gives `550 5.7.1` saying which encoding and what to do; every
/// other shape (near-boundary line, duplicate content header, unknown encoding, parser
/// warning, limits) gives `554 5.6.0` naming the problem. Permanent because the same bytes
/// get the same answer on every retry: a 4xx would only delay the sender's bounce by days.
smtp::Reply reply_shape_refused(const Error& e, Language lang = Language::en);

/// `550 5.7.1` for an originator header address a local login may not use (`field`: From,
/// Sender, Resent-From or Resent-Sender; anything else reads "From"), in `lang`.
smtp::Reply reply_originator_refused(std::string_view field, Language lang = Language::en);

/// A refusal the sender must act on (policy reject, no mobile number): `550 5.7.1 <text>`,
/// the text made printable ASCII (policy::sanitize_reply_text); empty -> R::rejected in `lang`.
smtp::Reply reply_refused(std::string_view text, Language lang = Language::en);

}  // namespace sealpost::proxy
