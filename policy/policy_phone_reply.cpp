// SPDX-License-Identifier: Apache-2.0
// The text after `550 5.7.1` for a phone error, in the language of the practice's staff
// (de/fr/it/en): they read it in Outlook when a mail is refused. Printable ASCII only
// (RFC 5321 4.2: reply text is US-ASCII), so accents are left out and umlauts written ae/oe/ue;
// each text stays under policy::kMaxRejectMessage (200) with a masked address.
#include <array>

#include "core/core_log.hpp"
#include "core/core_template.hpp"
#include "policy/policy_phone.hpp"

namespace sealpost::seal {
namespace {

/// One error's text in de, fr, it, en (Language order); {who} the masked recipient, {a} and
/// {b} the last two digits of the numbers that differ.
struct Texts {
    std::string_view code;
    std::array<std::string_view, 4> text;
};

constexpr std::array<Texts, 13> kTexts = {{
    {kErrTagMismatch,
     {"Die Mobilnummer im Betreff (endet auf {a}) weicht von der fuer {who} gespeicherten ab "
      "(endet auf {b}): Tag entfernen oder Kontakt aendern",
      "Le numero de mobile de l'objet (finit par {a}) differe de celui enregistre pour {who} "
      "(finit par {b}): retirez la balise ou modifiez le contact",
      "Il numero di cellulare nell'oggetto (finisce con {a}) differisce da quello salvato per "
      "{who} (finisce con {b}): togliere il tag o aggiornare il contatto",
      "The mobile number in the subject (ending {a}) differs from the one stored for {who} "
      "(ending {b}): remove the tag or update the contact"}},
    {kErrHeaderMismatch,
     {"Die Mobilnummer in X-Sealpost-Phone (endet auf {a}) weicht von der fuer {who} "
      "gespeicherten ab (endet auf {b}): Header entfernen oder Kontakt aendern",
      "Le numero de mobile de X-Sealpost-Phone (finit par {a}) differe de celui enregistre pour "
      "{who} (finit par {b}): retirez l'en-tete ou modifiez le contact",
      "Il numero di cellulare in X-Sealpost-Phone (finisce con {a}) differisce da quello salvato "
      "per {who} (finisce con {b}): togliere l'header o aggiornare il contatto",
      "The mobile number in X-Sealpost-Phone (ending {a}) differs from the one stored for {who} "
      "(ending {b}): remove the header or update the contact"}},
    {kErrTagHeaderMismatch,
     {"Die Mobilnummern im Betreff (endet auf {a}) und in X-Sealpost-Phone (endet auf {b}) "
      "unterscheiden sich: nur eine Nummer angeben",
      "Les numeros de mobile de l'objet (finit par {a}) et de X-Sealpost-Phone (finit par {b}) "
      "different: indiquez un seul numero",
      "I numeri di cellulare nell'oggetto (finisce con {a}) e in X-Sealpost-Phone (finisce con "
      "{b}) sono diversi: indicare un solo numero",
      "The mobile numbers in the subject (ending {a}) and in X-Sealpost-Phone (ending {b}) "
      "differ: give one number"}},
    {kErrTagInReply,
     {"Ein [sms:...] Tag in einer Antwort oder Weiterleitung gilt nicht fuer {who}: Nummer mit "
      "'sealpost contacts set' speichern oder eine neue Nachricht schreiben",
      "Une balise [sms:...] dans une reponse ou un transfert n'est pas acceptee pour {who}: "
      "enregistrez le numero ou ecrivez un nouveau message",
      "Un tag [sms:...] in una risposta o un inoltro non vale per {who}: salvare il numero con "
      "'sealpost contacts set' o scrivere un nuovo messaggio",
      "An [sms:...] tag in a reply or forward is not accepted for {who} (it may come from the "
      "other side): store the number with 'sealpost contacts set', or write a new message "
      "instead of a reply"}},
    {kErrTagStuck,
     {"Der Betreff enthaelt einen [sms:...] Tag, der sich nicht entfernen laesst: Betreff ohne "
      "codierte oder versteckte Tags schreiben",
      "L'objet contient une balise [sms:...] impossible a retirer: ecrivez l'objet sans balise "
      "codee ou cachee",
      "L'oggetto contiene un tag [sms:...] che non si puo togliere: scrivere l'oggetto senza tag "
      "codificati o nascosti",
      "The subject holds an [sms:...] tag that cannot be taken out: write the subject without "
      "encoded or hidden tags"}},
    {kErrNoNumber,
     {"Mobilnummer fehlt fuer {who}: [sms:+41...] im Betreff angeben",
      "Aucun numero de mobile pour {who}: ajoutez [sms:+41...] a l'objet",
      "Manca il numero di cellulare per {who}: aggiungere [sms:+41...] all'oggetto",
      "No mobile number for {who}: add [sms:+41...] to the subject"}},
    {kErrTagRecipients,
     {"Ein [sms:...] Tag im Betreff braucht genau einen externen Empfaenger: eine Nachricht pro "
      "Patient senden",
      "Une balise [sms:...] dans l'objet exige un seul destinataire externe: envoyez un message "
      "par patient",
      "Un tag [sms:...] nell'oggetto richiede un solo destinatario esterno: inviare un messaggio "
      "per paziente",
      "An [sms:...] subject tag needs exactly one external recipient: send one message per "
      "patient"}},
    {kErrTagTwice,
     {"Mehr als ein [sms:...] Tag im Betreff: nur eine Nummer angeben",
      "Plus d'une balise [sms:...] dans l'objet: indiquez un seul numero",
      "Piu di un tag [sms:...] nell'oggetto: indicare un solo numero",
      "More than one [sms:...] tag in the subject: give one number"}},
    {kErrTagBad,
     {"Der [sms:...] Tag im Betreff ist fehlerhaft: z. B. [sms:+41 79 123 45 67] schreiben",
      "La balise [sms:...] de l'objet est incorrecte: ecrivez p. ex. [sms:+41 79 123 45 67]",
      "Il tag [sms:...] nell'oggetto non e valido: scrivere p. es. [sms:+41 79 123 45 67]",
      "The [sms:...] tag in the subject is malformed: write e.g. [sms:+41 79 123 45 67]"}},
    {kErrTagNotMobile,
     {"Die [sms:...] Nummer fuer {who} ist keine Mobilnummer: [sms:+41...] mit einer "
      "Mobilnummer angeben",
      "Le numero [sms:...] pour {who} n'est pas un numero de mobile: indiquez un numero de "
      "mobile dans [sms:+41...]",
      "Il numero [sms:...] per {who} non e un numero di cellulare: indicare un cellulare in "
      "[sms:+41...]",
      "The [sms:...] number for {who} is not a mobile number: add [sms:+41...] with a mobile "
      "number"}},
    {kErrHeaderNotMobile,
     {"Die X-Sealpost-Phone Nummer fuer {who} ist keine Mobilnummer",
      "Le numero X-Sealpost-Phone pour {who} n'est pas un numero de mobile",
      "Il numero X-Sealpost-Phone per {who} non e un numero di cellulare",
      "The X-Sealpost-Phone number for {who} is not a mobile number"}},
    {kErrContactNotMobile,
     {"Die gespeicherte Nummer fuer {who} ist keine Mobilnummer: Kontakt mit 'sealpost contacts "
      "set' aendern",
      "Le numero enregistre pour {who} n'est pas un numero de mobile: modifiez le contact avec "
      "'sealpost contacts set'",
      "Il numero salvato per {who} non e un numero di cellulare: aggiornare il contatto con "
      "'sealpost contacts set'",
      "The stored number for {who} is not a mobile number: update the contact with 'sealpost "
      "contacts set'"}},
    {kErrLandline,
     {"Die Nummer fuer {who} ist eine Festnetznummer: sealpost kann dorthin keinen SMS-Code "
      "senden; Mobilnummer angeben oder den Administrator bitten, [voice] (Anruf mit dem Code) "
      "einzurichten",
      "Le numero pour {who} est un numero fixe: sealpost ne peut pas y envoyer de code par SMS; "
      "indiquez le mobile du patient ou demandez a l'administrateur de configurer [voice] "
      "(appel avec le code)",
      "Il numero per {who} e un numero fisso: sealpost non puo inviarvi un codice SMS; indicare "
      "il cellulare del paziente o chiedere all'amministratore di configurare [voice] "
      "(chiamata con il codice)",
      "The number for {who} is a landline: sealpost cannot send an SMS code to it; add the "
      "patient's mobile number, or ask your administrator to configure [voice] (calls with the "
      "code)"}},
}};

/// Field `which` (0 or 1) after the code of a mismatch error `<code>:<given>:<other>`.
std::string digits(const Error& e, std::size_t which) {
    std::string_view rest = e.detail;
    for (std::size_t k = 0; k <= which; ++k) {
        const auto colon = rest.find(':');
        rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    }
    return std::string(rest.substr(0, rest.find(':')));
}

}  // namespace

std::optional<std::string> phone_reply_text(const Error& e, std::string_view recipient,
                                            Language lang) {
    if (e.code != Errc::invalid_argument) {
        return std::nullopt;
    }
    const std::string_view d = phone_error_code(e);
    for (const auto& t : kTexts) {
        if (t.code == d) {
            return substitute(
                t.text.at(static_cast<std::size_t>(lang)),
                {{"who", log::mask_address(recipient)}, {"a", digits(e, 0)}, {"b", digits(e, 1)}});
        }
    }
    return std::nullopt;
}

}  // namespace sealpost::seal
