// SPDX-License-Identifier: Apache-2.0
// Invoice detection for the `invoice = true` rule key and `attachments = "invoices"`: Tarif
// 590 PDFs (by name or text) and Forum Datenaustausch XML invoices.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sealpost::policy {

/// Most bytes inflated from all PDF streams of one attachment together (bounds a zip bomb),
/// and most streams inflated.
inline constexpr std::size_t kMaxInflatedText = 16U << 20;
inline constexpr std::size_t kMaxPdfStreams = 4096;

/// True when the attachment looks like an invoice:
///  - a PDF (content type application/pdf, or `%PDF-` in the first 1024 bytes, as readers
///    accept) whose file name, or whose text (literal and hex strings, in the file and in
///    FlateDecode streams) contains Rechnung, Facture, Fattura, Invoice, Tarif 590,
///    Rückforderungsbeleg/Rueckforderungsbeleg or a QR-bill part (Zahlteil, Empfangsschein,
///    Section paiement, Sezione pagamento, Payment part), case- and space-insensitive;
///  - XML that names the Forum Datenaustausch namespace `http://www.forum-datenaustausch.ch/
///    invoice` (generalInvoiceRequest 4.x/5.x).
/// Text drawn with glyph ids (Identity-H fonts without readable strings) is not decoded: such
/// PDFs are found by name only. A false positive only seals more.
bool looks_like_invoice(std::string_view file_name, std::string_view content_type,
                        std::string_view bytes);

/// Most decoded bytes of one attachment read for invoice detection. A larger attachment that
/// could be an invoice (could_be_invoice) counts as one: it is not read, and a false positive
/// only seals more.
inline constexpr std::size_t kInvoiceReadMax = std::size_t{4} << 20;

/// What looks_like_invoice() would read further: a PDF or XML by its type or name.
bool could_be_invoice(std::string_view file_name, std::string_view content_type);

/// The text markers of a PDF, extracted and normalised as looks_like_invoice() searches them
/// (lower case, no whitespace, ü/Ü -> ue). For tests and `sealpost policy check`.
std::string pdf_search_text(std::string_view bytes);

}  // namespace sealpost::policy
