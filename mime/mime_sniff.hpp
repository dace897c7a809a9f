// SPDX-License-Identifier: Apache-2.0
// Content detection (DESIGN section 3, "content decides, not labels"): what a part's decoded
// bytes really are (magic numbers), what its file name implies, and files hidden inside text
// (uuencode, yEnc, BinHex, base64 blocks). Every check reads a bounded prefix or scans once,
// so it costs little next to the transfer decoding itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sealpost::mime {

/// The MIME type the bytes' magic number names, "" when none is known. Recognised: PDF
/// (`%PDF-` anywhere in the first 1024 bytes, as Acrobat accepts), ZIP (and so OOXML, ODF),
/// OLE2 (doc, xls, msg), RTF, TIFF, JPEG, PNG, GIF, WebP, BMP, HEIC/HEIF (ISO BMFF `ftyp`
/// brands), TNEF (winmail.dat), gzip, 7z, RAR, PostScript, XML (`<?xml`, after a BOM or
/// whitespace). Reads at most the first 1024 bytes.
std::string_view sniff_type(std::string_view bytes) noexcept;

/// The MIME type a file name's extension implies (".pdf" -> application/pdf), "" for an
/// unknown or missing extension. ASCII case-insensitive.
std::string_view type_for_name(std::string_view file_name) noexcept;

/// True when the name's extension is one a document carries (pdf, office formats, archives,
/// XML, RTF, TIFF, e-mail): such a part is never an inline image.
bool is_document_name(std::string_view file_name) noexcept;

/// True when `bytes` are an image a mail client shows inline (PNG, JPEG, GIF, WebP) AND of
/// the `declared` type (image/jpg and image/pjpeg count as image/jpeg), and hold no PDF or
/// ZIP anywhere (a polyglot with a document appended is a document).
bool is_inline_image_of(std::string_view declared, std::string_view bytes) noexcept;
/// The same from the first bytes and whether `%PDF-` or a ZIP local header occurs anywhere
/// (mime_scan.hpp reads both without holding the part).
bool is_inline_image_of(std::string_view declared, std::string_view head,
                        bool holds_document) noexcept;

/// True when the bytes hold a PDF anywhere (`%PDF-` past the first 1024 bytes: a polyglot, or
/// a container a client unpacks such as TNEF or tar), or a ZIP entry named *.pdf. Linear.
bool container_holds_pdf(std::string_view bytes) noexcept;

/// The kind of file a text holds in a form mail clients decode and show as an attachment:
/// "uuencode" (`begin 644 name`, also `begin-base64`), "yEnc" (`=ybegin`), "BinHex"
/// (`(This file must be converted with BinHex`), or "base64" (a block of base64 lines whose
/// decoded start has a document's magic number). nullopt: none. One pass over the text.
std::optional<std::string_view> hidden_file_in_text(std::string_view text) noexcept;

/// True for the RFC 2045 section 6.1 transfer encodings (7bit, 8bit, binary, base64,
/// quoted-printable), the value trimmed and compared ASCII case-insensitively. Anything else
/// (x-uuencode, a comment, a typo) is read differently by different clients.
bool is_standard_encoding(std::string_view header_value) noexcept;

}  // namespace sealpost::mime
