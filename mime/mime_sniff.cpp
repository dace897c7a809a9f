// SPDX-License-Identifier: Apache-2.0
// Content detection: magic numbers, file-name extensions, and files hidden in text. Bounded:
// magic numbers read the first 1024 bytes; the text scan and the container scan are linear.
#include "mime/mime_sniff.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <utility>

#include "core/core_ascii.hpp"
#include "smtp/smtp_sasl.hpp"

namespace sealpost::mime {
namespace {

constexpr std::size_t kSniffWindow = 1024;  // PDF readers accept `%PDF-` this far in

bool starts(std::string_view s, std::string_view prefix) noexcept {
    return s.substr(0, prefix.size()) == prefix;
}

bool istarts(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && ascii_iequals(s.substr(0, prefix.size()), prefix);
}

/// The extension after the last dot, without trailing dots or spaces (Windows drops them, so
/// `Befund.pdf. ` opens as a PDF).
std::string_view extension(std::string_view name) noexcept {
    while (!name.empty() && (name.back() == '.' || name.back() == ' ')) {
        name.remove_suffix(1);
    }
    const std::size_t dot = name.rfind('.');
    if (dot == std::string_view::npos) {
        return {};
    }
    return name.substr(dot + 1);
}

struct ExtType {
    std::string_view ext;
    std::string_view type;
    bool document;  ///< a document, never an inline image
};

constexpr std::array<ExtType, 40> kExtensions{{
    {"pdf", "application/pdf", true},
    {"doc", "application/msword", true},
    {"dot", "application/msword", true},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", true},
    {"docm", "application/vnd.ms-word.document.macroenabled.12", true},
    {"xls", "application/vnd.ms-excel", true},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true},
    {"xlsm", "application/vnd.ms-excel.sheet.macroenabled.12", true},
    {"ppt", "application/vnd.ms-powerpoint", true},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", true},
    {"odt", "application/vnd.oasis.opendocument.text", true},
    {"ods", "application/vnd.oasis.opendocument.spreadsheet", true},
    {"odp", "application/vnd.oasis.opendocument.presentation", true},
    {"rtf", "application/rtf", true},
    {"txt", "text/plain", true},
    {"csv", "text/csv", true},
    {"xml", "application/xml", true},
    {"html", "text/html", true},
    {"htm", "text/html", true},
    {"zip", "application/zip", true},
    {"7z", "application/x-7z-compressed", true},
    {"rar", "application/vnd.rar", true},
    {"gz", "application/gzip", true},
    {"tgz", "application/gzip", true},
    {"tar", "application/x-tar", true},
    {"eml", "message/rfc822", true},
    {"msg", "application/vnd.ms-outlook", true},
    {"dat", "application/octet-stream", true},  // winmail.dat
    {"tif", "image/tiff", true},
    {"tiff", "image/tiff", true},
    {"heic", "image/heic", true},
    {"heif", "image/heif", true},
    {"ps", "application/postscript", true},
    {"p7m", "application/pkcs7-mime", true},
    {"png", "image/png", false},
    {"jpg", "image/jpeg", false},
    {"jpeg", "image/jpeg", false},
    {"gif", "image/gif", false},
    {"webp", "image/webp", false},
    {"bmp", "image/bmp", false},
}};

const ExtType* find_extension(std::string_view name) noexcept {
    const std::string_view ext = extension(name);
    if (ext.empty()) {
        return nullptr;
    }
    for (const auto& e : kExtensions) {
        if (ascii_iequals(e.ext, ext)) {
            return &e;
        }
    }
    return nullptr;
}

std::string_view find(std::string_view hay, std::string_view needle) noexcept {
    const std::size_t at = hay.find(needle);
    return at == std::string_view::npos ? std::string_view() : hay.substr(at);
}

/// ISO BMFF (HEIC/HEIF/AVIF): `ftyp` at offset 4 and an image brand.
std::string_view sniff_bmff(std::string_view b) noexcept {
    if (b.size() < 12 || b.substr(4, 4) != "ftyp") {
        return {};
    }
    const std::string_view brand = b.substr(8, 4);
    for (const std::string_view heic : {"heic", "heix", "heim", "heis", "hevc", "hevx"}) {
        if (brand == heic) {
            return "image/heic";
        }
    }
    if (brand == "mif1" || brand == "msf1") {
        return "image/heif";
    }
    if (brand == "avif") {
        return "image/avif";
    }
    return {};
}

bool is_b64(char c) noexcept {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/' || c == '=';
}

/// Decodes the start of a base64 block (lines joined, whitespace dropped) and sniffs it.
bool base64_block_is_file(std::string_view block) {
    std::string chars;
    chars.reserve(std::min<std::size_t>(block.size(), 1400));
    for (const char c : block) {
        if (chars.size() >= 1400) {
            break;
        }
        if (is_b64(c)) {
            chars.push_back(c);
        }
    }
    if (const std::size_t pad = chars.find('='); pad != std::string::npos) {
        chars.resize(pad);  // padding ends the data (RFC 4648 3.2)
    }
    chars.resize(chars.size() - chars.size() % 4);
    auto bytes = smtp::base64_decode(chars);
    return bytes && !sniff_type(bytes->view()).empty();
}

}  // namespace

std::string_view sniff_type(std::string_view b) noexcept {
    const std::string_view head = b.substr(0, kSniffWindow);
    if (!find(head, "%PDF-").empty()) {
        return "application/pdf";
    }
    if (starts(b, "PK\x03\x04") || starts(b, "PK\x05\x06") || starts(b, "PK\x07\x08")) {
        return "application/zip";
    }
    if (starts(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
        return "application/x-ole-storage";
    }
    if (starts(b, "{\\rtf")) {
        return "application/rtf";
    }
    if (starts(b, std::string_view("II*\0", 4)) || starts(b, std::string_view("MM\x00*", 4)) ||
        starts(b, std::string_view("II+\0", 4)) || starts(b, std::string_view("MM\x00+", 4))) {
        return "image/tiff";
    }
    if (starts(b, "\xFF\xD8\xFF")) {
        return "image/jpeg";
    }
    if (starts(b, "\x89PNG\r\n\x1A\n")) {
        return "image/png";
    }
    if (starts(b, "GIF87a") || starts(b, "GIF89a")) {
        return "image/gif";
    }
    if (b.size() >= 12 && starts(b, "RIFF") && b.substr(8, 4) == "WEBP") {
        return "image/webp";
    }
    if (starts(b, "BM") && b.size() >= 14 && b[6] == 0 && b[7] == 0 && b[8] == 0 && b[9] == 0) {
        return "image/bmp";
    }
    if (auto t = sniff_bmff(b); !t.empty()) {
        return t;
    }
    if (starts(b, "\x78\x9F\x3E\x22")) {
        return "application/ms-tnef";
    }
    if (starts(b, "\x1F\x8B")) {
        return "application/gzip";
    }
    if (starts(b, "7z\xBC\xAF\x27\x1C")) {
        return "application/x-7z-compressed";
    }
    if (starts(b, "Rar!\x1A\x07")) {
        return "application/vnd.rar";
    }
    if (starts(b, "%!PS")) {
        return "application/postscript";
    }
    if (b.size() > 262 && b.substr(257, 5) == "ustar") {
        return "application/x-tar";
    }
    std::string_view x = head;
    if (starts(x, "\xEF\xBB\xBF")) {
        x.remove_prefix(3);
    }
    while (!x.empty() && std::isspace(static_cast<unsigned char>(x.front())) != 0) {
        x.remove_prefix(1);
    }
    if (starts(x, "<?xml")) {
        return "application/xml";
    }
    return {};
}

std::string_view type_for_name(std::string_view file_name) noexcept {
    const ExtType* e = find_extension(file_name);
    return e != nullptr ? e->type : std::string_view();
}

bool is_document_name(std::string_view file_name) noexcept {
    const ExtType* e = find_extension(file_name);
    return e != nullptr && e->document;
}

bool is_inline_image_of(std::string_view declared, std::string_view head,
                        bool holds_document) noexcept {
    const std::string_view real = sniff_type(head);
    if (real != "image/png" && real != "image/jpeg" && real != "image/gif" &&
        real != "image/webp") {
        return false;
    }
    // A polyglot (an image with a PDF or ZIP appended) is a document.
    if (holds_document) {
        return false;
    }
    if (real == "image/jpeg" &&
        (ascii_iequals(declared, "image/jpg") || ascii_iequals(declared, "image/pjpeg"))) {
        return true;
    }
    return ascii_iequals(declared, real);
}

bool is_inline_image_of(std::string_view declared, std::string_view bytes) noexcept {
    return is_inline_image_of(declared, bytes,
                              !find(bytes, "%PDF-").empty() || !find(bytes, "PK\x03\x04").empty());
}

bool container_holds_pdf(std::string_view bytes) noexcept {
    if (!find(bytes, "%PDF-").empty()) {
        return true;
    }
    // ZIP local file headers (APPNOTE 4.3.7): name length at 26, the name at 30.
    std::string_view rest = bytes;
    while (true) {
        const std::string_view at = find(rest, "PK\x03\x04");
        if (at.size() < 30) {
            return false;
        }
        const auto len = static_cast<std::size_t>(static_cast<unsigned char>(at[26])) |
                         (static_cast<std::size_t>(static_cast<unsigned char>(at[27])) << 8U);
        const std::string_view name = at.substr(30, len);
        if (type_for_name(name) == "application/pdf") {
            return true;
        }
        rest = at.substr(4);
    }
}

std::optional<std::string_view> hidden_file_in_text(std::string_view text) noexcept {
    std::size_t pos = 0;
    std::size_t run_start = 0;  // first base64-looking line of the current run
    std::size_t run_lines = 0;
    std::size_t run_chars = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(pos, end - pos);
        const std::size_t line_start = pos;
        pos = end + 1;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        // uuencode (POSIX uuencode: `begin MODE NAME`, or `begin-base64 MODE NAME`).
        if (starts(line, "begin ") || starts(line, "begin-base64 ")) {
            std::string_view r = line.substr(line.find(' ') + 1);
            std::size_t digits = 0;
            while (digits < r.size() && r[digits] >= '0' && r[digits] <= '7') {
                ++digits;
            }
            if (digits >= 3 && digits <= 4 && digits < r.size() && r[digits] == ' ') {
                return std::string_view("uuencode");
            }
        }
        if (starts(line, "=ybegin ")) {
            return std::string_view("yEnc");
        }
        if (istarts(line, "(This file must be converted with BinHex")) {
            return std::string_view("BinHex");
        }
        // A block of base64 lines (RFC 2045 6.8 writes at most 76 per line).
        const bool b64_line = line.size() >= 16 && std::all_of(line.begin(), line.end(), is_b64);
        if (b64_line) {
            if (run_lines == 0) {
                run_start = line_start;
            }
            ++run_lines;
            run_chars += line.size();
            if (run_lines == 3 || (run_lines < 3 && run_chars >= 200)) {
                try {
                    if (base64_block_is_file(text.substr(run_start, pos - run_start))) {
                        return std::string_view("base64");
                    }
                } catch (...) {
                    return std::string_view("base64");  // fail closed (allocation failure)
                }
            }
        } else {
            run_lines = 0;
            run_chars = 0;
        }
    }
    return std::nullopt;
}

bool is_standard_encoding(std::string_view v) noexcept {
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front())) != 0) {
        v.remove_prefix(1);
    }
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back())) != 0) {
        v.remove_suffix(1);
    }
    return ascii_iequals(v, "7bit") || ascii_iequals(v, "8bit") || ascii_iequals(v, "binary") ||
           ascii_iequals(v, "base64") || ascii_iequals(v, "quoted-printable");
}

}  // namespace sealpost::mime
