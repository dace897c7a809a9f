// SPDX-License-Identifier: Apache-2.0
// The raw header-section reader, unfolding, RFC 2047 decoding and folding used by the
// header-only rewrites.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mime/mime_header_fields.hpp"

using namespace sealpost::mime;

TEST_CASE("header fields are read as written, continuation lines included", "[mime][headers]") {
    const std::string msg =
        "Received: from a\r\n\tby b\r\nSubject : Hallo\r\n  Welt\r\nnot a field\r\n"
        "X-Empty:\r\n\r\nBody: not a header\r\n";
    std::vector<HeaderField> got;
    const std::size_t end =
        visit_header_fields(msg, [&](const HeaderField& f) { got.push_back(f); });
    CHECK(msg.substr(end, 2) == "\r\n");
    CHECK(msg.substr(end + 2).rfind("Body:", 0) == 0);
    REQUIRE(got.size() == 4);
    CHECK(got[0].name == "Received");
    CHECK(got[0].value == " from a\r\n\tby b");
    CHECK(got[1].name == "Subject");
    CHECK(got[1].value == " Hallo\r\n  Welt");
    CHECK(msg.substr(got[1].begin, got[1].end - got[1].begin) == "Subject : Hallo\r\n  Welt\r\n");
    CHECK(got[2].name.empty());
    CHECK(got[3].name == "X-Empty");
    CHECK(got[3].value.empty());
    CHECK(unfold(got[1].value) == " Hallo  Welt");
    CHECK(same_field_name("SUBJECT", "subject"));
    CHECK_FALSE(same_field_name("Subject2", "Subject"));

    // A message of headers only, without a final CRLF.
    got.clear();
    CHECK(visit_header_fields("A: 1\r\nB: 2", [&](const HeaderField& f) { got.push_back(f); }) ==
          10);
    REQUIRE(got.size() == 2);
    CHECK(got[1].value == " 2");
}

TEST_CASE("unstructured values decode and fold", "[mime][headers]") {
    CHECK(decode_unstructured(" =?utf-8?q?R=C3=BCckforderung?= [sms:1]") ==
          "R\xC3\xBC"
          "ckforderung [sms:1]");
    CHECK(decode_unstructured(" =?iso-8859-1?b?Uvxjaw==?=") ==
          "R\xC3\xBC"
          "ck");
    CHECK(make_unstructured_field("Subject", "Termin", false) == "Subject: Termin\r\n");
    const std::string enc = make_unstructured_field("Subject",
                                                    "R\xC3\xBC"
                                                    "ck",
                                                    true);
    CHECK(enc.rfind("Subject: =?", 0) == 0);
    CHECK(decode_unstructured(enc.substr(8, enc.size() - 10)) ==
          "R\xC3\xBC"
          "ck");
    const std::string long_value(40, 'a');
    const std::string folded =
        make_unstructured_field("Subject", long_value + " " + long_value + " " + long_value, false);
    CHECK(folded.find("\r\n ") != std::string::npos);
    CHECK(folded.find('\n') == folded.find("\r\n") + 1);
    CHECK(unfold(folded.substr(8, folded.size() - 10)) ==
          " " + long_value + " " + long_value + " " + long_value);
}

TEST_CASE("address lists give their mailboxes", "[mime][headers]") {
    CHECK(parse_address_list(" Praxis <mpa@praxis.ch>") ==
          std::vector<std::string>{"mpa@praxis.ch"});
    CHECK(parse_address_list(" a@b.ch,\r\n c@d.ch") ==
          std::vector<std::string>{"a@b.ch", "c@d.ch"});
    CHECK(parse_address_list(" team: a@b.ch, c@d.ch;") ==
          std::vector<std::string>{"a@b.ch", "c@d.ch"});
    CHECK(parse_address_list(" undisclosed:;").empty());
}
