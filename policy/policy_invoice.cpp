// SPDX-License-Identifier: Apache-2.0
// Invoice detection (see policy_invoice.hpp). The PDF reader here only pulls strings out of
// the file and its FlateDecode streams (ISO 32000-1 7.3.4 strings, 7.3.8 streams, 7.4.4
// FlateDecode = RFC 1950 zlib); it never interprets the document.
#include "policy/policy_invoice.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <vector>

#include <zlib.h>

#include "core/core_hex.hpp"

#include "policy/policy_match.hpp"

namespace sealpost::policy {
namespace {

constexpr std::string_view kFdxNamespace = "http://www.forum-datenaustausch.ch/invoice";

// Compact (no spaces, lower case, ü -> ue) markers, for names and for PDF text.
constexpr std::array<std::string_view, 7> kNameMarkers{
    "rechnung", "facture", "fattura", "invoice", "tarif590", "rueckforderungsbeleg", "qrbill"};
constexpr std::array<std::string_view, 11> kTextMarkers{
    "rechnung",         "facture",        "fattura",
    "invoice",          "tarif590",       "rueckforderungsbeleg",
    "zahlteil",         "empfangsschein", "sectionpaiement",
    "sezionepagamento", "paymentpart"};

/// Appends one byte of text, normalised: ASCII lower case, whitespace and separators dropped,
/// Latin-1 ü/Ü (WinAnsiEncoding) as "ue".
void put(std::string& out, unsigned char c) {
    if (c >= 'A' && c <= 'Z') {
        out += static_cast<char>(c - 'A' + 'a');
    } else if (c == 0xFC || c == 0xDC) {
        out += "ue";
    } else if (c <= 0x20 || c == '-' || c == '_' || c == '.' || c == 0xA0) {
        // dropped: "Tarif 590", "Tarif_590", "Tarif-590" all become "tarif590"
    } else {
        out += static_cast<char>(c);
    }
}

/// Normalises a decoded PDF string (or a file name) into `out`: UTF-16BE (BOM FE FF) keeps
/// the low bytes of Latin-1 code points; UTF-8 ü/Ü (C3 BC / C3 9C) become "ue".
void put_string(std::string& out, std::string_view s) {
    if (s.size() >= 2 && static_cast<unsigned char>(s[0]) == 0xFE &&
        static_cast<unsigned char>(s[1]) == 0xFF) {
        for (std::size_t i = 2; i + 1 < s.size(); i += 2) {
            if (s[i] == '\0') {
                put(out, static_cast<unsigned char>(s[i + 1]));
            }
        }
        return;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == 0xC3 && i + 1 < s.size() &&
            (static_cast<unsigned char>(s[i + 1]) == 0xBC ||
             static_cast<unsigned char>(s[i + 1]) == 0x9C)) {
            out += "ue";
            ++i;
        } else {
            put(out, c);
        }
    }
}

/// Pulls every literal `(...)` and hex `<...>` string out of `data` (ISO 32000-1 7.3.4),
/// normalised, into `out`, until `out` reaches `cap`.
void extract_strings(std::string_view data, std::string& out, std::size_t cap) {
    std::size_t i = 0;
    std::string s;
    while (i < data.size() && out.size() < cap) {
        const char c = data[i];
        if (c == '(') {
            s.clear();
            int depth = 1;
            ++i;
            while (i < data.size() && depth > 0 && s.size() < 65536) {
                const char d = data[i++];
                if (d == '\\' && i < data.size()) {
                    const char e = data[i++];
                    if (e >= '0' && e <= '7') {
                        unsigned v = static_cast<unsigned>(e - '0');
                        for (int k = 0;
                             k < 2 && i < data.size() && data[i] >= '0' && data[i] <= '7'; ++k) {
                            v = v * 8U + static_cast<unsigned>(data[i++] - '0');
                        }
                        s += static_cast<char>(v & 0xFFU);
                    } else if (e == 'n' || e == 'r' || e == 't') {
                        s += ' ';
                    } else if (e != '\n' && e != '\r') {
                        s += e;  // \( \) \\ and unknown escapes: the character itself
                    }
                } else if (d == '(') {
                    ++depth;
                    s += d;
                } else if (d == ')') {
                    if (--depth > 0) {
                        s += d;
                    }
                } else {
                    s += d;
                }
            }
            put_string(out, s);
        } else if (c == '<' && i + 1 < data.size() && data[i + 1] != '<') {
            s.clear();
            ++i;
            int hi = -1;
            bool ok = true;
            while (i < data.size() && data[i] != '>' && s.size() < 65536) {
                const char d = data[i++];
                if (d == ' ' || d == '\n' || d == '\r' || d == '\t') {
                    continue;
                }
                const int v = hex::digit_value(d);
                if (v < 0) {
                    ok = false;  // not a hex string (binary data): drop it
                    break;
                }
                if (hi < 0) {
                    hi = v;
                } else {
                    s += static_cast<char>(hi * 16 + v);
                    hi = -1;
                }
            }
            if (ok) {
                if (hi >= 0) {
                    s += static_cast<char>(hi * 16);  // odd digit count: final 0 (7.3.4.3)
                }
                put_string(out, s);
            }
        } else {
            ++i;
        }
    }
}

/// Inflates a zlib stream into `out`, stopping at `cap` bytes. False if it is not zlib.
bool inflate_into(std::string_view in, std::string& out, std::size_t cap) {
    z_stream zs{};
    if (inflateInit(&zs) != Z_OK) {
        return false;
    }
    // zlib's API takes a non-const pointer but does not write through next_in.
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), UINT_MAX));
    std::array<char, 16384> buf{};
    int rc = Z_OK;
    bool any = false;
    while (rc == Z_OK && out.size() < cap) {
        zs.next_out = reinterpret_cast<Bytef*>(buf.data());
        zs.avail_out = static_cast<uInt>(buf.size());
        rc = inflate(&zs, Z_NO_FLUSH);
        const std::size_t got = buf.size() - zs.avail_out;
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            break;
        }
        out.append(buf.data(), std::min(got, cap - out.size()));
        any = any || got > 0;
        if (got == 0) {
            break;
        }
    }
    inflateEnd(&zs);
    return any;
}

bool contains_marker(std::string_view hay, const auto& markers) {
    return std::any_of(markers.begin(), markers.end(),
                       [&](std::string_view m) { return hay.find(m) != std::string_view::npos; });
}

bool is_pdf(std::string_view content_type, std::string_view bytes) {
    const std::string ct = ascii_lower(content_type.substr(0, content_type.find(';')));
    if (ct == "application/pdf" || ct == "application/x-pdf") {
        return true;
    }
    return bytes.substr(0, 1024).find("%PDF-") != std::string_view::npos;
}

bool is_xml(std::string_view file_name, std::string_view content_type, std::string_view bytes) {
    const std::string ct = ascii_lower(content_type.substr(0, content_type.find(';')));
    if (ct == "application/xml" || ct == "text/xml" || ct.ends_with("+xml")) {
        return true;
    }
    if (ascii_lower(file_name).ends_with(".xml")) {
        return true;
    }
    std::string_view b = bytes;
    if (b.starts_with("\xEF\xBB\xBF")) {
        b.remove_prefix(3);
    }
    const auto first = b.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && b.substr(first).starts_with("<?xml");
}

}  // namespace

std::string pdf_search_text(std::string_view bytes) {
    std::string text;
    // Strings outside streams (the Info dictionary's /Title) and in uncompressed streams.
    extract_strings(bytes, text, kMaxInflatedText);
    // FlateDecode streams: "stream" EOL data "endstream" (ISO 32000-1 7.3.8.1).
    // The inflate budget is shared by all streams: many small bombs cost no more than one.
    std::size_t pos = 0;
    std::size_t streams = 0;
    std::size_t budget = kMaxInflatedText;
    std::string inflated;
    while (streams < kMaxPdfStreams && budget > 0 && text.size() < kMaxInflatedText) {
        const auto s = bytes.find("stream", pos);
        if (s == std::string_view::npos) {
            break;
        }
        std::size_t data = s + 6;
        if (s >= 3 && bytes.substr(s - 3, 3) == "end") {
            pos = data;
            continue;
        }
        if (bytes.substr(data, 2) == "\r\n") {
            data += 2;
        } else if (bytes.substr(data, 1) == "\n" || bytes.substr(data, 1) == "\r") {
            data += 1;
        } else {
            pos = data;
            continue;
        }
        const auto e = bytes.find("endstream", data);
        const std::size_t end = e == std::string_view::npos ? bytes.size() : e;
        ++streams;
        inflated.clear();
        if (inflate_into(bytes.substr(data, end - data), inflated, budget)) {
            budget -= inflated.size();
            extract_strings(inflated, text, kMaxInflatedText);
        }
        pos = end;
    }
    return text;
}

bool looks_like_invoice(std::string_view file_name, std::string_view content_type,
                        std::string_view bytes) {
    if (is_pdf(content_type, bytes)) {
        std::string name;
        put_string(name, file_name);
        return contains_marker(name, kNameMarkers) ||
               contains_marker(pdf_search_text(bytes), kTextMarkers);
    }
    if (is_xml(file_name, content_type, bytes)) {
        return bytes.find(kFdxNamespace) != std::string_view::npos;
    }
    return false;
}

bool could_be_invoice(std::string_view file_name, std::string_view content_type) {
    return is_pdf(content_type, {}) || is_xml(file_name, content_type, {});
}

}  // namespace sealpost::policy
