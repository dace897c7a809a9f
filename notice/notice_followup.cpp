// SPDX-License-Identifier: Apache-2.0
// The reminder and the expiry notice in four languages (see notice_followup.hpp). Values are
// cleaned and HTML-escaped by core_text.hpp's rules, as in the download notice.
#include "notice/notice_followup.hpp"

#include <array>

#include "core/core_text.hpp"
#include "crypto/crypto_secret.hpp"

namespace sealpost::notice {

namespace {

/// The reminder's subject prefix and lead line ("<lead><date><lead_end>").
struct ReminderWording {
    std::string_view subject_prefix;
    std::string_view lead;
    std::string_view lead_end;
};

constexpr std::array<ReminderWording, 4> kReminder = {{
    {"Erinnerung: ", "Erinnerung: Ihre Dokumente liegen noch bereit. Der Link ist gültig bis ",
     "."},
    {"Rappel : ", "Rappel : vos documents vous attendent toujours. Le lien est valable jusqu'au ",
     "."},
    {"Promemoria: ",
     "Promemoria: i suoi documenti sono ancora disponibili. Il link è valido fino al ", "."},
    {"Reminder: ", "Reminder: your documents are still waiting for you. The link is valid until ",
     "."},
}};

/// The expiry notice: "<lead><who><after_who><date><lead_end>", labelled lines, the hint.
struct ExpiryWording {
    std::string_view subject;
    std::string_view lead, after_who, lead_end;
    std::string_view envelope, recipient, documents, expired;
    std::string_view hint;  ///< followed by " sealpost resend ID"
    std::string_view hint_end;
};

constexpr std::array<ExpiryWording, 4> kExpiry = {{
    {"Link abgelaufen, Dokumente nicht abgerufen", "Der Link für ", " ist am ",
     " abgelaufen, ohne dass die Dokumente geöffnet wurden.", "Sendung", "Empfänger", "Dokumente",
     "Abgelaufen", "Einen neuen Link senden (auf dem sealpost-Server):",
     "Automatische Mitteilung von sealpost, einmal pro Sendung. Die Dokumente sind nicht "
     "angehängt."},
    {"Lien expiré, documents non téléchargés", "Le lien pour ", " a expiré le ",
     " sans que les documents aient été ouverts.", "Envoi", "Destinataire", "Documents",
     "Expiré le", "Envoyer un nouveau lien (sur le serveur sealpost) :",
     "Message automatique de sealpost, une fois par envoi. Les documents ne sont pas joints."},
    {"Link scaduto, documenti non scaricati", "Il link per ", " è scaduto il ",
     " senza che i documenti siano stati aperti.", "Invio", "Destinatario", "Documenti",
     "Scaduto il", "Inviare un nuovo link (sul server sealpost):",
     "Messaggio automatico di sealpost, una volta per invio. I documenti non sono allegati."},
    {"Link expired, documents not downloaded", "The link for ", " expired on ",
     " without the documents being opened.", "Envelope", "Recipient", "Documents", "Expired",
     "To send a new link (on the sealpost server):",
     "An automatic message from sealpost, once per envelope. The documents are not attached."},
}};

}  // namespace

FollowUpRoute followup_route(const PracticeConfig& practice, const vault::DueFollowUp& f) {
    if (f.kind == vault::FollowUpKind::reminder) {
        return {f.sender.empty() ? practice.from_address : f.sender, f.recipient};
    }
    return {practice.from_address.empty() ? f.sender : practice.from_address, f.sender};
}

Result<std::string> compose_reminder(const PracticeConfig& practice,
                                     const seal::NoticeTemplates& templates,
                                     const vault::DueFollowUp& f, std::int64_t date) {
    const FollowUpRoute route = followup_route(practice, f);
    if (route.from.empty() || f.token.empty()) {
        return make_error(Errc::invalid_argument, "the reminder has no sender or no link");
    }
    const Language lang = parse_language(f.language).value_or(practice.default_language);
    const ReminderWording& w = kReminder.at(static_cast<std::size_t>(lang));
    seal::NoticeValues values;
    values.practice = practice.name;
    values.documents = f.documents;
    values.link = seal::link_url(practice, std::string_view(f.token.data(), f.token.size()));
    values.expires_at = f.expires_at;
    values.phone_e164 = f.phone_e164;
    mime::NoticeMail mail;
    mail.from_name = practice.name;
    mail.from = route.from;
    mail.to = route.to;
    mail.subject =
        std::string(w.subject_prefix) + text::clean(f.subject.empty() ? practice.name : f.subject);
    mail.date = date;
    mail.notice = templates.render(lang, values);
    crypto::wipe(values.link);
    const std::string lead =
        std::string(w.lead) + seal::format_date(f.expires_at, lang) + std::string(w.lead_end);
    mail.notice.text = lead + "\n\n" + mail.notice.text;
    mail.notice.html = "<p>" + text::html_escape(lead) + "</p>\n" + mail.notice.html;
    auto message = mime::compose_notice_mail(mail);
    crypto::wipe(mail.notice.text);
    crypto::wipe(mail.notice.html);
    return message;
}

mime::NoticeMail expiry_notice_mail(const PracticeConfig& practice, Language lang,
                                    const vault::DueFollowUp& f) {
    const ExpiryWording& w = kExpiry.at(static_cast<std::size_t>(lang));
    const std::string id = vault::envelope_id_hex(f.id);
    const std::string who = text::clean(f.recipient);
    const std::string when = seal::format_date(f.expires_at, lang);
    const std::string resend = "sealpost resend " + id;

    mime::NoticeMail mail;
    mail.from_name = practice.name;
    const FollowUpRoute route = followup_route(practice, f);
    mail.from = route.from;
    mail.to = route.to;
    mail.subject = std::string(w.subject) + " (" + practice.name + ")";

    std::string& text = mail.notice.text;
    text += std::string(w.lead) + who + std::string(w.after_who) + when + std::string(w.lead_end) +
            "\n\n";
    text += std::string(w.envelope) + ": " + id + "\n";
    text += std::string(w.recipient) + ": " + who + "\n";
    text += std::string(w.expired) + ": " + when + "\n";
    text += std::string(w.documents) + ":\n";
    for (const auto& d : f.documents) {
        text += "- " + text::clean(d) + "\n";
    }
    text +=
        "\n" + std::string(w.hint) + "\n    " + resend + "\n\n" + std::string(w.hint_end) + "\n";

    using sealpost::text::html_escape;
    std::string& html = mail.notice.html;
    html += "<p>" + html_escape(w.lead) + html_escape(who) + html_escape(w.after_who) +
            html_escape(when) + html_escape(w.lead_end) + "</p>\n<table>\n";
    const auto row = [&html](std::string_view label, const std::string& value) {
        html += "<tr><th align=\"left\">" + html_escape(label) + "</th><td>" + html_escape(value) +
                "</td></tr>\n";
    };
    row(w.envelope, id);
    row(w.recipient, who);
    row(w.expired, when);
    html += "</table>\n<p>" + html_escape(w.documents) + ":</p>\n<ul>\n";
    for (const auto& d : f.documents) {
        html += "<li>" + html_escape(text::clean(d)) + "</li>\n";
    }
    html += "</ul>\n<p>" + html_escape(w.hint) + " <code>" + html_escape(resend) +
            "</code></p>\n<p><small>" + html_escape(w.hint_end) + "</small></p>";
    return mail;
}

Result<std::string> compose_expiry_notice(const PracticeConfig& practice,
                                          const vault::DueFollowUp& f, std::int64_t date) {
    if (f.sender.empty()) {
        return make_error(Errc::invalid_argument, "the envelope has no sender to notify");
    }
    mime::NoticeMail mail = expiry_notice_mail(practice, practice.default_language, f);
    mail.date = date;
    return mime::compose_notice_mail(mail);
}

}  // namespace sealpost::notice
