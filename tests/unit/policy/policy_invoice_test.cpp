// SPDX-License-Identifier: Apache-2.0
// Invoice detection on the sample Tarif 590 PDFs, renamed copies (text only), QR-bill text,
// Forum Datenaustausch XML, and non-invoices.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <zlib.h>

#include "policy/policy_invoice.hpp"

using namespace sealpost::policy;

namespace {

std::string read(const std::string& rel) {
    const auto path = std::filesystem::path(SEALPOST_SOURCE_DIR) / "tests" / "data" / rel;
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A PDF with one FlateDecode stream: `padding` spaces, then `(Rechnung) Tj`.
std::string pdf_with_padding(std::size_t padding) {
    const std::string content = std::string(padding, ' ') + "BT (Rechnung) Tj ET";
    uLongf len = compressBound(static_cast<uLong>(content.size()));
    std::string z(static_cast<std::size_t>(len), '\0');
    REQUIRE(compress2(reinterpret_cast<Bytef*>(z.data()), &len,
                      reinterpret_cast<const Bytef*>(content.data()),
                      static_cast<uLong>(content.size()), 9) == Z_OK);
    z.resize(static_cast<std::size_t>(len));
    return "%PDF-1.4\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n" + z + "\nendstream\nendobj\n";
}

}  // namespace

TEST_CASE("the sample invoices are invoices, by name and by text", "[policy][invoice]") {
    const std::string rechnung = read("samples/Rechnung-2026-1127.pdf");
    const std::string beleg = read("samples/Rueckforderungsbeleg-2026-1127.pdf");
    CHECK(looks_like_invoice("Rechnung-2026-1127.pdf", "application/pdf", rechnung));
    CHECK(looks_like_invoice("Rueckforderungsbeleg-2026-1127.pdf", "application/pdf", beleg));
    // Renamed and sent as octet-stream: found by the %PDF- magic and the inflated text.
    CHECK(looks_like_invoice("scan_0001.pdf", "application/octet-stream", rechnung));
    CHECK(looks_like_invoice("scan_0002.pdf", "application/octet-stream", beleg));
    const std::string text = pdf_search_text(beleg);
    CHECK(text.find("rueckforderungsbeleg") != std::string::npos);  // WinAnsi 0xFC decoded
    CHECK(text.find("tarif590") != std::string::npos);              // across kerning pieces
}

TEST_CASE("invoice markers in file names", "[policy][invoice]") {
    const std::string minimal = "%PDF-1.4\n%%EOF\n";
    for (const char* name :
         {"Rechnung.pdf", "FACTURE_123.pdf", "fattura.pdf", "Invoice 7.pdf", "Tarif_590.pdf",
          "R\xC3\xBC"
          "ckforderungsbeleg.pdf",
          "QR-Bill.pdf"}) {
        INFO(name);
        CHECK(looks_like_invoice(name, "application/pdf", minimal));
    }
    CHECK_FALSE(looks_like_invoice("Befund.pdf", "application/pdf", minimal));
    CHECK_FALSE(looks_like_invoice("", "application/pdf", minimal));
    // Not a PDF: the name alone does not make an invoice.
    CHECK_FALSE(looks_like_invoice("Rechnung.docx", "application/msword", "PK\x03\x04"));
    CHECK_FALSE(looks_like_invoice("Rechnung.png", "image/png", "\x89PNG\r\n"));
}

TEST_CASE("invoice markers in PDF text", "[policy][invoice]") {
    CHECK(looks_like_invoice("doc.pdf", "application/pdf", read("policy/facture-text-only.pdf")));
    CHECK(looks_like_invoice("doc.pdf", "", read("policy/qr-zahlteil.pdf")));  // compressed, hex
    CHECK_FALSE(
        looks_like_invoice("Befund.pdf", "application/pdf", read("policy/laborbefund.pdf")));
    CHECK(pdf_search_text(read("policy/laborbefund.pdf")).find("laborbefund") != std::string::npos);
    // Literal string escapes: octal and escaped parentheses.
    CHECK(looks_like_invoice("x.pdf", "application/pdf",
                             "%PDF-1.4\n(R\\145chn\\(ung\\)) (Tarif) (\\065\\071\\060)"));
    CHECK(pdf_search_text("(R\\145chn\\(ung\\))") == "rechn(ung)");
    CHECK(pdf_search_text("(Tarif) (\\065\\071\\060)") == "tarif590");
    CHECK_FALSE(looks_like_invoice("x.pdf", "application/pdf", "%PDF-1.4\n(Therapiebericht)"));
}

TEST_CASE("broken PDF streams are skipped", "[policy][invoice]") {
    // Not valid zlib, and a stream without data: skipped without harm.
    CHECK_FALSE(looks_like_invoice("x.pdf", "application/pdf",
                                   "%PDF-1.4\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n"
                                   "\x78\x9c garbage\nendstream\n"));
    CHECK_FALSE(looks_like_invoice("x.pdf", "application/pdf", "%PDF-1.4\nstream\n"));
}

TEST_CASE("Forum Datenaustausch XML invoices", "[policy][invoice]") {
    CHECK(looks_like_invoice("450.xml", "application/xml", read("policy/forum-invoice.xml")));
    CHECK(looks_like_invoice("request", "application/octet-stream",
                             read("policy/forum-invoice.xml")));
    CHECK(looks_like_invoice("request.XML", "", read("policy/forum-invoice.xml")));
    // XML that mentions "Rechnung" but is not in the namespace.
    CHECK_FALSE(looks_like_invoice("agenda.xml", "text/xml", read("policy/other.xml")));
    // The namespace in a text file is not an XML invoice.
    CHECK_FALSE(looks_like_invoice("notes.txt", "text/plain",
                                   "see http://www.forum-datenaustausch.ch/invoice"));
}

TEST_CASE("inflating PDF streams is bounded (zip bombs)", "[policy][invoice]") {
    CHECK(looks_like_invoice("x.pdf", "application/pdf", pdf_with_padding(1U << 20)));
    // The marker lies beyond kMaxInflatedText: not read, and the work stops at the cap.
    CHECK_FALSE(
        looks_like_invoice("x.pdf", "application/pdf", pdf_with_padding(kMaxInflatedText + 1024)));
    // The budget is shared: 40 streams of 1 MiB each cannot add up past it.
    std::string many;
    for (int i = 0; i < 40; ++i) {
        many += pdf_with_padding(1U << 20).substr(8);  // without the %PDF-1.4 line
    }
    many = "%PDF-1.4\n" + pdf_with_padding(0).substr(8) + many;
    CHECK(looks_like_invoice("x.pdf", "application/pdf", many));  // first stream is read
}

TEST_CASE("a part too large to read counts as an invoice when it could be one",
          "[policy][invoice]") {
    // proxy_seal reads at most kInvoiceReadMax bytes of a part; past that, this decides.
    CHECK(could_be_invoice("Befund.pdf", "application/pdf"));
    CHECK(could_be_invoice("x.bin", "application/x-pdf"));
    CHECK(could_be_invoice("rechnung.xml", "application/octet-stream"));
    CHECK(could_be_invoice("x", "text/xml"));
    CHECK(could_be_invoice("x", "application/vnd.forum+xml"));
    CHECK_FALSE(could_be_invoice("foto.jpg", "image/jpeg"));
    CHECK_FALSE(could_be_invoice("archiv.zip", "application/zip"));
}
