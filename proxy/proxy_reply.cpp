// SPDX-License-Identifier: Apache-2.0
// Reply table of sealpost-proxy: every reply has an RFC 3463 enhanced status code (RFC 2034).
#include "proxy/proxy_reply.hpp"

#include <array>
#include <optional>

#include "core/core_template.hpp"
#include "mime/mime_message.hpp"
#include "policy/policy.hpp"

namespace sealpost::proxy {

namespace {
struct Entry {
    int code;
    std::string_view enhanced;
    std::string_view text;
};

Entry entry(R id) {
    switch (id) {
        case R::ok:
            return {250, "2.0.0", "OK"};
        case R::sender_ok:
            return {250, "2.1.0", "Sender OK"};
        case R::rcpt_ok:
            return {250, "2.1.5", "Recipient OK"};
        case R::bye:
            return {221, "2.0.0", "Bye"};
        case R::tls_go:
            return {220, "2.0.0", "Ready to start TLS"};
        case R::data_go:
            return {354, "", "End data with <CR><LF>.<CR><LF>"};
        case R::auth_ok:
            return {235, "2.7.0", "Authentication successful"};
        case R::vrfy:
            return {252, "2.1.5", "Cannot VRFY user, but will accept message"};
        case R::help:
            return {214, "2.0.0", "See RFC 5321"};
        case R::line_too_long:
            return {500, "5.5.2", "Line too long"};
        case R::auth_line_too_long:
            return {500, "5.5.6", "Authentication exchange line is too long"};
        case R::unknown_command:
            return {500, "5.5.1", "Command not recognized"};
        case R::syntax:
            return {501, "5.5.4", "Syntax error in parameters or arguments"};
        case R::bad_sender:
            return {501, "5.1.7", "Bad sender address syntax"};
        case R::bad_recipient:
            return {501, "5.1.3", "Bad recipient address syntax"};
        case R::bad_base64:
            return {501, "5.5.2", "Cannot decode response"};
        case R::auth_cancelled:
            return {501, "5.7.0", "Authentication cancelled"};
        case R::not_implemented:
            return {502, "5.5.1", "Command not implemented"};
        case R::bad_sequence:
            return {503, "5.5.1", "Bad sequence of commands"};
        case R::need_hello:
            return {503, "5.5.1", "Send EHLO first"};
        case R::already_auth:
            return {503, "5.5.1", "Already authenticated"};
        case R::no_recipients:
            return {554, "5.5.1", "No valid recipients"};
        case R::auth_mech:
            return {504, "5.5.4", "Unrecognized authentication type"};
        case R::unknown_param:
            return {555, "5.5.4", "Parameter not recognized"};
        case R::need_utf8:
            return {553, "5.6.7", "Non-ASCII address requires SMTPUTF8"};
        case R::auth_required:
            return {530, "5.7.0", "Authentication required"};
        case R::auth_failed:
            return {535, "5.7.8", "Authentication credentials invalid"};
        case R::encryption_required:
            return {538, "5.7.11", "Encryption required for requested authentication mechanism"};
        case R::tls_unavailable:
            return {454, "4.7.0", "TLS not available"};
        case R::too_many_recipients:
            return {452, "4.5.3", "Too many recipients"};
        case R::too_big:
            return {552, "5.3.4", "Message size exceeds fixed maximum message size"};
        case R::bare_line_ending:
            return {550, "5.5.2", "Bare CR or LF in message; use CRLF line endings"};
        case R::data_line_too_long:
            return {550, "5.5.2", "Message line too long"};
        case R::loop:
            return {554, "5.4.6", "Too many Received headers: mail loop"};
        case R::timeout:
            return {421, "4.4.2", "Timeout, closing connection"};
        case R::too_many_sessions:
            return {421, "4.3.2", "Too many connections, try again later"};
        case R::too_many_from_ip:
            return {421, "4.7.0", "Too many connections from your address, try again later"};
        case R::too_many_errors:
            return {421, "4.7.0", "Too many errors, closing connection"};
        case R::shutting_down:
            return {421, "4.3.2", "Service shutting down"};
        case R::upstream_unavailable:
            return {451, "4.4.1", "Upstream server unavailable, try again later"};
        case R::upstream_broken:
            return {451, "4.4.2", "Upstream connection failed, try again later"};
        case R::upstream_tls:
            return {454, "4.7.0", "Upstream TLS not available, try again later"};
        case R::internal:
            return {451, "4.3.0", "Temporary local error, try again later"};
        case R::storage_full:
            return {452, "4.3.1", "Insufficient system storage, try again later"};
        case R::inflight_full:
            return {452, "4.3.1", "Too much mail in progress, try again later"};
        case R::rejected:
            return {550, "5.7.1", "Message refused by policy"};
        case R::sender_not_allowed:
            return {550, "5.7.1", "Sender address not allowed for this login"};
        case R::null_sender:
            return {550, "5.7.1", "An empty sender <> is not allowed for a login"};
        case R::unsealable:
            return {451, "4.3.0", "Message cannot be sealed safely, not sent"};
        case R::ambiguous_mime:
            return {554, "5.6.0",
                    "The message's MIME structure is malformed or ambiguous; it cannot be "
                    "sealed safely and was not sent"};
    }
    return {451, "4.3.0", "Temporary local error, try again later"};
}
/// Texts in de, fr, it, en (Language order), printable ASCII.
using Texts = std::array<std::string_view, 4>;

std::optional<Texts> localized(R id) {
    switch (id) {
        case R::rejected:
            return Texts{"Nachricht durch Richtlinie abgewiesen",
                         "Message refuse par la politique d'envoi",
                         "Messaggio rifiutato dalle regole di invio", "Message refused by policy"};
        case R::sender_not_allowed:
            return Texts{"Absenderadresse fuer diese Anmeldung nicht erlaubt",
                         "Adresse d'expediteur non autorisee pour cet identifiant",
                         "Indirizzo del mittente non consentito per questo accesso",
                         "Sender address not allowed for this login"};
        case R::null_sender:
            return Texts{"Ein leerer Absender <> ist fuer eine Anmeldung nicht erlaubt",
                         "Un expediteur vide <> n'est pas autorise pour un identifiant",
                         "Un mittente vuoto <> non e consentito per un accesso",
                         "An empty sender <> is not allowed for a login"};
        case R::unsealable:
            return Texts{"Nachricht kann nicht sicher versiegelt werden, nicht gesendet",
                         "Le message ne peut pas etre scelle en securite, non envoye",
                         "Il messaggio non puo essere sigillato in modo sicuro, non inviato",
                         "Message cannot be sealed safely, not sent"};
        case R::ambiguous_mime:
            return Texts{
                "Die MIME-Struktur der Nachricht ist fehlerhaft oder mehrdeutig; sie kann nicht "
                "sicher versiegelt werden und wurde nicht gesendet",
                "La structure MIME du message est incorrecte ou ambigue; il ne peut pas etre "
                "scelle en securite et n'a pas ete envoye",
                "La struttura MIME del messaggio e errata o ambigua; non puo essere sigillato in "
                "modo sicuro e non e stato inviato",
                "The message's MIME structure is malformed or ambiguous; it cannot be sealed "
                "safely and was not sent"};
        default:
            return std::nullopt;
    }
}

std::string_view pick(const Texts& t, Language lang) {
    return t.at(static_cast<std::size_t>(lang));
}

}  // namespace

smtp::Reply reply(R id, Language lang) {
    const Entry e = entry(id);
    const auto t = localized(id);
    return smtp::make_reply(e.code, e.enhanced, t ? pick(*t, lang) : e.text);
}

smtp::Reply reply(R id) {
    const Entry e = entry(id);
    return smtp::make_reply(e.code, e.enhanced, e.text);
}

R reply_id_for(const Error& e) {
    switch (e.code) {
        case Errc::unavailable:
            return R::upstream_unavailable;
        case Errc::auth_failed:
            return R::upstream_tls;
        case Errc::corrupt:
            return R::upstream_broken;
        case Errc::vault_full:
            return R::storage_full;
        case Errc::invalid_argument:
            return R::unsealable;
        default:
            return R::internal;
    }
}

smtp::Reply reply_for(const Error& e) {
    return reply(reply_id_for(e));
}

smtp::Reply reply_shape_refused(const Error& e, Language lang) {
    namespace why = mime::reason;
    const std::string_view r = mime::refusal_reason(e);
    if (r == why::encoded_file_in_text) {
        std::string kind(mime::refusal_subject(e));
        if (kind != "uuencode" && kind != "yEnc" && kind != "BinHex" && kind != "base64") {
            kind = "encoded";  // never echo anything else
        }
        constexpr Texts kEncoded = {
            "Die Nachricht enthaelt eine im Text codierte Datei ({kind}); als normalen Anhang "
            "anfuegen",
            "Le message contient un fichier code dans son texte ({kind}); joignez-le comme piece "
            "jointe normale",
            "Il messaggio contiene un file codificato nel testo ({kind}); allegarlo come allegato "
            "normale",
            "The message carries an encoded file inside its text ({kind}); attach it as a normal "
            "attachment"};
        return smtp::make_reply(550, "5.7.1", substitute(pick(kEncoded, lang), {{"kind", kind}}));
    }
    Texts text;
    if (r == why::ambiguous_boundary) {
        text = {
            "Eine Zeile der Nachricht beginnt wie eine MIME-Grenze, ist aber keine; "
            "Mailprogramme lesen sie verschieden, darum nicht sicher versiegelbar und nicht "
            "gesendet",
            "Une ligne du message commence comme une limite MIME sans en etre une; les "
            "logiciels la lisent differemment, il ne peut pas etre scelle et n'a pas ete "
            "envoye",
            "Una riga del messaggio inizia come un confine MIME ma non lo e; i programmi la "
            "leggono in modo diverso, non puo essere sigillato e non e stato inviato",
            "A line of the message begins with a MIME boundary but is not one; mail "
            "programs read it differently, so it cannot be sealed safely and was not sent"};
    } else if (r == why::duplicate_header) {
        text = {
            "Ein Teil der Nachricht hat einen Content-Type-, Content-Transfer-Encoding- oder "
            "Content-Disposition-Header doppelt; nicht sicher versiegelbar, nicht gesendet",
            "Une partie du message a deux fois un en-tete Content-Type, "
            "Content-Transfer-Encoding ou Content-Disposition; il n'a pas ete envoye",
            "Una parte del messaggio ha due volte un header Content-Type, "
            "Content-Transfer-Encoding o Content-Disposition; non e stato inviato",
            "A part of the message has a Content-Type, Content-Transfer-Encoding or "
            "Content-Disposition header twice; it cannot be sealed safely and was not sent"};
    } else if (r == why::unknown_encoding) {
        text = {
            "Ein Teil der Nachricht verwendet eine unbekannte Transferkodierung; nicht "
            "sicher versiegelbar, nicht gesendet",
            "Une partie du message utilise un encodage de transfert inconnu; il ne peut pas "
            "etre scelle en securite et n'a pas ete envoye",
            "Una parte del messaggio usa una codifica di trasferimento sconosciuta; non puo "
            "essere sigillato in modo sicuro e non e stato inviato",
            "A part of the message uses an unknown transfer encoding; it cannot be sealed "
            "safely and was not sent"};
    } else {
        return reply(R::ambiguous_mime, lang);
    }
    return smtp::make_reply(554, "5.6.0", pick(text, lang));
}

smtp::Reply reply_originator_refused(std::string_view field, Language lang) {
    // Only the canonical names foreign_originator() gives are echoed.
    const std::string f = (field == "Sender" || field == "Resent-From" || field == "Resent-Sender")
                              ? std::string(field)
                              : "From";
    constexpr Texts kText = {
        "Die {field}: Adresse darf mit dieser Anmeldung nicht senden: eigene Adresse verwenden",
        "L'adresse {field}: n'est pas autorisee pour cet identifiant: utilisez votre propre "
        "adresse",
        "L'indirizzo {field}: non e consentito per questo accesso: usare il proprio indirizzo",
        "The {field}: address is not one this login may send from: use your own address"};
    return smtp::make_reply(550, "5.7.1", substitute(pick(kText, lang), {{"field", f}}));
}

smtp::Reply reply_refused(std::string_view text, Language lang) {
    const std::string clean = policy::sanitize_reply_text(text);
    if (clean.empty()) {
        return reply(R::rejected, lang);
    }
    return smtp::make_reply(550, "5.7.1", clean);
}

}  // namespace sealpost::proxy
