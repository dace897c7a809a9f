// SPDX-License-Identifier: Apache-2.0
// The practice's download notice in four languages (see notice_download.hpp). Values are
// cleaned and HTML-escaped by core_text.hpp's rules, as in the patient's notice.
#include "notice/notice_download.hpp"

#include <array>
#include <cstdio>

#include "core/core_text.hpp"
#include "core/core_time.hpp"

namespace sealpost::notice {

namespace {

/// One language's wording: a sentence "<who><after_who><doc><after_doc><when><end>" (who: the
/// masked recipient), then the facts as labelled lines.
struct Wording {
    std::string_view subject;
    std::string_view lead_after_who;  ///< after the masked recipient, before the document

    std::string_view lead_after_doc;  ///< ... before the time ...
    std::string_view lead_end;        ///< ... and after it
    std::string_view envelope, document, recipient, downloaded;
    std::string_view footer;  ///< followed by " sealpost show ID"
};

constexpr std::array<Wording, 4> kWording = {{
    // de
    {"Dokument abgerufen", " hat das Dokument «", "» am ", " abgerufen.", "Sendung", "Dokument",
     "Empfänger", "Abgerufen",
     "Automatische Mitteilung von sealpost, einmal pro Sendung beim ersten Abruf. Verlauf:"},
    // fr
    {"Document téléchargé", " a téléchargé le document « ", " » le ", ".", "Envoi", "Document",
     "Destinataire", "Téléchargé le",
     "Message automatique de sealpost, une fois par envoi au premier téléchargement. "
     "Historique :"},
    // it
    {"Documento scaricato", " ha scaricato il documento «", "» il ", ".", "Invio", "Documento",
     "Destinatario", "Scaricato il",
     "Messaggio automatico di sealpost, una volta per invio al primo download. Cronologia:"},
    // en
    {"Document downloaded", " downloaded the document \u201c", "\u201d on ", ".", "Envelope",
     "Document", "Recipient", "Downloaded",
     "An automatic message from sealpost, once per envelope at the first download. History:"},
}};

/// `27.11.2026 14:33 CET`: the Swiss date form in Swiss time (core/core_time.hpp), whatever
/// the host's TZ, like every date the patient and the practice read.
std::string local_time(std::int64_t unix_seconds) {
    const auto z = zurich_time(unix_seconds);
    if (!z) {
        return std::to_string(unix_seconds);
    }
    std::array<char, 64> buf{};
    const int n = std::snprintf(buf.data(), buf.size(), "%02u.%02u.%04d %02u:%02u ", z->day,
                                z->month, z->year, z->hour, z->minute);
    return std::string(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0) +
           std::string(z->zone());
}

}  // namespace

mime::NoticeMail download_notice_mail(const PracticeConfig& practice, Language lang,
                                      const vault::QueuedNotice& n) {
    const Wording& w = kWording.at(static_cast<std::size_t>(lang));
    const std::string id = vault::envelope_id_hex(n.id);
    const std::string who = text::clean(n.recipient_masked);
    const std::string doc = text::clean(n.file_name);
    const std::string when = local_time(n.downloaded_at);
    const std::string history = "sealpost show " + id;

    mime::NoticeMail mail;
    mail.from_name = practice.name;
    mail.from = practice.from_address.empty() ? n.sender : practice.from_address;
    mail.to = n.sender;
    mail.subject = std::string(w.subject) + " (" + practice.name + ")";

    std::string& text = mail.notice.text;
    text += who + std::string(w.lead_after_who) + doc + std::string(w.lead_after_doc) + when +
            std::string(w.lead_end) + "\n\n";
    text += std::string(w.envelope) + ": " + id + "\n";
    text += std::string(w.document) + ": " + doc + "\n";
    text += std::string(w.recipient) + ": " + who + "\n";
    text += std::string(w.downloaded) + ": " + when + "\n\n";
    text += std::string(w.footer) + " " + history + "\n";

    using sealpost::text::html_escape;
    std::string& html = mail.notice.html;
    html += "<p>" + html_escape(who) + html_escape(w.lead_after_who) + html_escape(doc) +
            html_escape(w.lead_after_doc) + html_escape(when) + html_escape(w.lead_end) +
            "</p>\n<table>\n";
    const auto row = [&html](std::string_view label, const std::string& value) {
        html += "<tr><th align=\"left\">" + html_escape(label) + "</th><td>" + html_escape(value) +
                "</td></tr>\n";
    };
    row(w.envelope, id);
    row(w.document, doc);
    row(w.recipient, who);
    row(w.downloaded, when);
    html += "</table>\n<p><small>" + html_escape(w.footer) + " <code>" + html_escape(history) +
            "</code></small></p>";
    return mail;
}

Result<std::string> compose_download_notice(const PracticeConfig& practice,
                                            const vault::QueuedNotice& n, std::int64_t date) {
    if (n.sender.empty()) {
        return make_error(Errc::invalid_argument, "the envelope has no sender to notify");
    }
    // The sender is the practice's staff: their language, not the patients' default.
    mime::NoticeMail mail = download_notice_mail(practice, practice.staff_lang(), n);
    mail.date = date;
    return mime::compose_notice_mail(mail);
}

}  // namespace sealpost::notice
