// SPDX-License-Identifier: Apache-2.0
// CSV contacts importer (RFC 4180 with the usual spreadsheet variations: `;` as delimiter,
// a UTF-8 BOM, LF line ends). Bounded: every record is cut off at kMaxImportLine bytes.
#include "admin/admin_import_csv.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace sealpost::admin {
namespace {

struct Record {
    std::size_t line = 0;             ///< line on which the record starts
    std::vector<std::string> fields;  ///< unquoted, blanks around unquoted fields removed
    std::string error;                ///< set when the record is malformed
    bool blank = true;                ///< an empty line
};

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

/// Consumes a line end at `pos` (CRLF, LF or a lone CR) and returns true, or returns false.
bool eat_newline(std::string_view text, std::size_t& pos) {
    if (text[pos] == '\n') {
        ++pos;
        return true;
    }
    if (text[pos] == '\r') {
        ++pos;
        if (pos < text.size() && text[pos] == '\n') {
            ++pos;
        }
        return true;
    }
    return false;
}

void trim_back(std::string& s) {
    while (!s.empty() && is_blank(s.back())) {
        s.pop_back();
    }
}

/// Reads one record starting at `pos` (RFC 4180 section 2): quoted fields may hold the
/// delimiter, line breaks and doubled quotes. Advances `pos` and `line` past the record.
Record next_record(std::string_view text, std::size_t& pos, std::size_t& line, char delim) {
    enum class State { field_start, unquoted, quoted, after_quote };
    Record rec;
    rec.line = line;
    rec.fields.emplace_back();
    State state = State::field_start;
    std::size_t bytes = 0;
    bool store = true;  // false once the record is too long: keep parsing, stop storing
    auto append = [&](char c) {
        if (store) {
            rec.fields.back() += c;
        }
    };
    auto new_field = [&] {
        if (state == State::unquoted) {
            trim_back(rec.fields.back());
        }
        if (store) {
            rec.fields.emplace_back();
        }
        state = State::field_start;
    };
    while (pos < text.size()) {
        if (++bytes > kMaxImportLine && store) {
            store = false;
            rec.error = "line longer than " + std::to_string(kMaxImportLine) + " bytes";
        }
        const char c = text[pos];
        if (state == State::quoted) {
            if (c == '"') {
                if (pos + 1 < text.size() && text[pos + 1] == '"') {
                    append('"');
                    pos += 2;
                } else {
                    state = State::after_quote;
                    ++pos;
                }
            } else if (eat_newline(text, pos)) {
                append('\n');
                ++line;
            } else {
                append(c);
                ++pos;
            }
            continue;
        }
        if (c == '\r' || c == '\n') {
            eat_newline(text, pos);
            ++line;
            break;
        }
        rec.blank = false;
        ++pos;
        if (c == delim) {
            new_field();
            continue;
        }
        switch (state) {
            case State::field_start:
                if (c == '"') {
                    state = State::quoted;
                } else if (!is_blank(c)) {
                    append(c);
                    state = State::unquoted;
                }
                break;
            case State::unquoted:
                append(c);  // a '"' inside an unquoted field is taken literally
                break;
            case State::after_quote:
                if (!is_blank(c) && rec.error.empty()) {
                    rec.error = "text after a closing quote";
                }
                break;
            case State::quoted:
                break;
        }
    }
    if (state == State::quoted) {
        rec.blank = false;
        if (rec.error.empty()) {
            rec.error = "unterminated quoted field";
        }
    }
    if (state == State::unquoted) {
        trim_back(rec.fields.back());
    }
    return rec;
}

/// The delimiter of the header line at `pos`: ';' when it has more semicolons than commas
/// outside quotes (spreadsheets with a decimal comma export `;`), ',' otherwise.
char detect_delimiter(std::string_view text, std::size_t pos) {
    std::size_t commas = 0;
    std::size_t semicolons = 0;
    bool quoted = false;
    for (std::size_t i = pos; i < text.size() && i < pos + kMaxImportLine; ++i) {
        const char c = text[i];
        if (c == '"') {
            quoted = !quoted;
        } else if (!quoted && (c == '\n' || c == '\r')) {
            break;
        } else if (!quoted && c == ',') {
            ++commas;
        } else if (!quoted && c == ';') {
            ++semicolons;
        }
    }
    return semicolons > commas ? ';' : ',';
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return s;
}

Error bad_header(std::size_t line, std::string_view why) {
    return make_error(Errc::invalid_argument,
                      "line " + std::to_string(line) + ": " + std::string(why) +
                          " (the first line must name the columns email and phone, and "
                          "optionally lang)");
}

}  // namespace

Result<ImportResult> import_csv(std::string_view text, bool accept_landline) {
    if (text.size() > kMaxImportBytes) {
        return make_error(Errc::invalid_argument, "file larger than 10 MiB");
    }
    std::size_t pos = 0;
    std::size_t line = 1;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        pos = 3;
    }
    // Leading blank lines before the header are tolerated.
    while (pos < text.size() && (text[pos] == '\n' || text[pos] == '\r')) {
        eat_newline(text, pos);
        ++line;
    }
    if (pos >= text.size()) {
        return bad_header(line, "empty file");
    }
    // Excel writes `sep=;` as a first line to name the delimiter; honour and skip it.
    char delim = 0;
    if (text.size() - pos >= 5 && lower(std::string(text.substr(pos, 4))) == "sep=" &&
        (text[pos + 4] == ',' || text[pos + 4] == ';')) {
        delim = text[pos + 4];
        pos += 5;
        while (pos < text.size() && is_blank(text[pos])) {
            ++pos;
        }
        if (pos < text.size() && !eat_newline(text, pos)) {
            return bad_header(line, "text after sep=");
        }
        ++line;
    } else {
        delim = detect_delimiter(text, pos);
    }
    const std::size_t header_line = line;
    Record header = next_record(text, pos, line, delim);
    if (!header.error.empty()) {
        return make_error(Errc::invalid_argument,
                          "line " + std::to_string(header_line) + ": " + header.error);
    }
    std::optional<std::size_t> col_email;
    std::optional<std::size_t> col_phone;
    std::optional<std::size_t> col_lang;
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
        const std::string name = lower(header.fields[i]);
        std::optional<std::size_t>* col = name == "email"   ? &col_email
                                          : name == "phone" ? &col_phone
                                          : name == "lang"  ? &col_lang
                                                            : nullptr;
        if (col == nullptr) {
            continue;  // other columns (name, birth date, ...) are ignored
        }
        if (col->has_value()) {
            return bad_header(header_line, "column " + name + " named twice");
        }
        *col = i;
    }
    if (!col_email || !col_phone) {
        return bad_header(header_line, !col_email ? "no email column" : "no phone column");
    }

    ImportResult out;
    out.accept_landline = accept_landline;
    std::size_t rows = 0;
    const std::size_t columns = header.fields.size();
    while (pos < text.size()) {
        Record rec = next_record(text, pos, line, delim);
        if (rec.blank) {
            continue;
        }
        if (++rows > kMaxImportRows) {
            out.issues.push_back({rec.line, "more than " + std::to_string(kMaxImportRows) +
                                                " rows; the rest of the file was not read"});
            break;
        }
        if (!rec.error.empty()) {
            out.issues.push_back({rec.line, rec.error});
            continue;
        }
        if (rec.fields.size() != columns) {
            out.issues.push_back({rec.line, "expected " + std::to_string(columns) +
                                                " fields, found " +
                                                std::to_string(rec.fields.size())});
            continue;
        }
        add_row(out, rec.line, rec.fields[*col_email], rec.fields[*col_phone],
                col_lang ? std::string_view(rec.fields[*col_lang]) : std::string_view());
    }
    return out;
}

}  // namespace sealpost::admin
