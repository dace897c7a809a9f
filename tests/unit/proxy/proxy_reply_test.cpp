// SPDX-License-Identifier: Apache-2.0
// Unit tests for the reply table: the codes the brief and RFC 3463 require.
#include <catch2/catch.hpp>

#include "proxy/proxy_reply.hpp"

using namespace sealpost;
using namespace sealpost::proxy;

TEST_CASE("fixed replies carry the required enhanced codes") {
    CHECK(reply(R::auth_required).serialize() == "530 5.7.0 Authentication required\r\n");
    CHECK(reply(R::encryption_required).serialize().rfind("538 5.7.11 ", 0) == 0);
    CHECK(reply(R::bad_base64).serialize().rfind("501 5.5.2 ", 0) == 0);
    CHECK(reply(R::too_many_recipients).serialize().rfind("452 4.5.3 ", 0) == 0);
    CHECK(reply(R::too_big).serialize().rfind("552 5.3.4 ", 0) == 0);
    CHECK(reply(R::bare_line_ending).serialize().rfind("550 5.5.2 ", 0) == 0);
    CHECK(reply(R::loop).serialize().rfind("554 5.4.6 ", 0) == 0);
    CHECK(reply(R::timeout).serialize().rfind("421 4.4.2 ", 0) == 0);
    CHECK(reply(R::too_many_sessions).serialize().rfind("421 4.3.2 ", 0) == 0);
    CHECK(reply(R::too_many_errors).serialize().rfind("421 4.7.0 ", 0) == 0);
}

TEST_CASE("every reply except 354 has an enhanced code of its own class") {
    for (int i = 0; i <= static_cast<int>(R::ambiguous_mime); ++i) {
        const auto r = reply(static_cast<R>(i));
        if (r.code == 354) {
            continue;
        }
        INFO("reply " << r.serialize());
        const auto ec = smtp::enhanced_code(r.lines.at(0));
        REQUIRE_FALSE(ec.empty());
        CHECK(ec[0] == static_cast<char>('0' + r.code / 100));
    }
}

TEST_CASE("internal errors become temporary failures without details") {
    CHECK(reply_for(make_error(Errc::unavailable, "connect: refused")).serialize() ==
          "451 4.4.1 Upstream server unavailable, try again later\r\n");
    CHECK(reply_for(make_error(Errc::auth_failed, "certificate verify failed")).code == 454);
    CHECK(reply_for(make_error(Errc::vault_full)).serialize().rfind("452 4.3.1 ", 0) == 0);
    const auto r = reply_for(make_error(Errc::internal, "secret detail"));
    CHECK(r.serialize() == "451 4.3.0 Temporary local error, try again later\r\n");
    CHECK(reply_for(make_error(Errc::invalid_argument, "mime:too_deep")).serialize() ==
          "451 4.3.0 Message cannot be sealed safely, not sent\r\n");
}

TEST_CASE("refusals the sender must act on are 550 5.7.1 with printable text") {
    CHECK(reply_refused("No mobile number for p***@example.ch: add [sms:+41...] to the subject")
              .serialize() ==
          "550 5.7.1 No mobile number for p***@example.ch: add [sms:+41...] to the subject\r\n");
    CHECK(reply_refused("").serialize() == "550 5.7.1 Message refused by policy\r\n");
    CHECK(reply_refused("R\xc3\xbc"
                        "ckfrage  bitte")
              .serialize() == "550 5.7.1 Rueckfrage bitte\r\n");
}

TEST_CASE("a MIME shape is refused permanently, naming the shape but nothing from the mail") {
    const auto shape = [](std::string_view detail) {
        return reply_shape_refused(make_error(Errc::invalid_argument, std::string(detail)))
            .serialize();
    };
    CHECK(shape("mime:encoded_file_in_text: uuencode at 1") ==
          "550 5.7.1 The message carries an encoded file inside its text (uuencode); attach it "
          "as a normal attachment\r\n");
    CHECK(shape("mime:encoded_file_in_text: yEnc at 2.1").find("(yEnc)") != std::string::npos);
    CHECK(shape("mime:encoded_file_in_text: <script> at 2") ==
          "550 5.7.1 The message carries an encoded file inside its text (encoded); attach it "
          "as a normal attachment\r\n");
    CHECK(shape("mime:ambiguous_boundary: line at offset 7")
              .rfind("554 5.6.0 A line of the "
                     "message begins with a MIME "
                     "boundary",
                     0) == 0);
    CHECK(shape("mime:duplicate_header: Content-Type twice at 2").rfind("554 5.6.0 ", 0) == 0);
    CHECK(shape("mime:unknown_encoding: at 2").rfind("554 5.6.0 ", 0) == 0);
    CHECK(shape("mime:parser_warning: malformed_multipart@12") ==
          "554 5.6.0 The message's MIME structure is malformed or ambiguous; it cannot be "
          "sealed safely and was not sent\r\n");
    CHECK(shape("mime:too_deep: depth 21").rfind("554 5.6.0 ", 0) == 0);
}

TEST_CASE("refusals the staff read come in their language with the same codes", "[lang]") {
    CHECK(reply(R::sender_not_allowed, Language::fr).serialize() ==
          "550 5.7.1 Adresse d'expediteur non autorisee pour cet identifiant\r\n");
    CHECK(reply(R::sender_not_allowed, Language::de).serialize() ==
          "550 5.7.1 Absenderadresse fuer diese Anmeldung nicht erlaubt\r\n");
    CHECK(reply(R::sender_not_allowed, Language::en).serialize() ==
          reply(R::sender_not_allowed).serialize());
    CHECK(reply(R::null_sender, Language::it).serialize() ==
          "550 5.7.1 Un mittente vuoto <> non e consentito per un accesso\r\n");
    CHECK(reply_refused("", Language::fr).serialize() ==
          "550 5.7.1 Message refuse par la politique d'envoi\r\n");
    CHECK(reply(R::unsealable, Language::de).serialize() ==
          "451 4.3.0 Nachricht kann nicht sicher versiegelt werden, nicht gesendet\r\n");
    // Replies nobody must act on stay as they are.
    CHECK(reply(R::auth_required, Language::fr).serialize() == reply(R::auth_required).serialize());
    CHECK(reply_originator_refused("From", Language::fr).serialize() ==
          "550 5.7.1 L'adresse From: n'est pas autorisee pour cet identifiant: utilisez votre "
          "propre adresse\r\n");
    CHECK(reply_originator_refused("Resent-Sender", Language::en).serialize() ==
          "550 5.7.1 The Resent-Sender: address is not one this login may send from: use your "
          "own address\r\n");
    CHECK(reply_originator_refused("X-Evil\r\n", Language::en).serialize().find("The From:") !=
          std::string::npos);

    const auto shape = [](std::string_view detail, Language lang) {
        return reply_shape_refused(make_error(Errc::invalid_argument, std::string(detail)), lang)
            .serialize();
    };
    CHECK(shape("mime:encoded_file_in_text: uuencode at 1", Language::fr) ==
          "550 5.7.1 Le message contient un fichier code dans son texte (uuencode); joignez-le "
          "comme piece jointe normale\r\n");
    CHECK(shape("mime:parser_warning: x", Language::it).rfind("554 5.6.0 La struttura MIME", 0) ==
          0);
    for (const Language lang : {Language::de, Language::fr, Language::it, Language::en}) {
        for (const std::string_view d :
             {"mime:encoded_file_in_text: yEnc at 1", "mime:ambiguous_boundary: x",
              "mime:duplicate_header: x", "mime:unknown_encoding: x", "mime:too_deep: x"}) {
            const std::string en = shape(d, Language::en);
            const std::string got = shape(d, lang);
            INFO(got);
            CHECK(got.substr(0, 10) == en.substr(0, 10));  // code and enhanced code
            CHECK((lang == Language::en) == (got == en));
            CHECK(got.size() <= 512);  // RFC 5321 4.5.3.1.5
            for (const char c : got.substr(0, got.size() - 2)) {
                CHECK((c >= 0x20 && c < 0x7F));
            }
        }
        for (const R id : {R::rejected, R::sender_not_allowed, R::null_sender, R::unsealable,
                           R::ambiguous_mime}) {
            const auto got = reply(id, lang);
            CHECK(got.code == reply(id).code);
            CHECK(smtp::enhanced_code(got.lines.at(0)) ==
                  smtp::enhanced_code(reply(id).lines.at(0)));
        }
    }
}
