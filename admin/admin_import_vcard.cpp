// SPDX-License-Identifier: Apache-2.0
// vCard contacts importer: line unfolding (RFC 6350 3.2), content lines with groups, parameters
// and quoted parameter values (RFC 6350 3.3), and TYPE in its v2.1, v3 and v4 spellings.
#include "admin/admin_import_vcard.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "admin/admin_format.hpp"
#include "core/core_phone.hpp"

namespace sealpost::admin {
namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    });
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return upper(a) == upper(b);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

/// Addresses, cell numbers and languages read per card; more addresses make the card an
/// issue, more numbers or languages are ignored (a real card has one or two of each).
constexpr std::size_t kMaxPerCard = 10;

/// One unfolded content line.
struct LogicalLine {
    std::size_t line = 0;  ///< physical line where it starts
    std::string text;
    bool too_long = false;
};

/// Yields unfolded content lines one at a time, so a file of millions of short lines costs no
/// more memory than one line: a line starting with a space or a tab continues the line
/// before, and the line break and that one blank are dropped (RFC 6350 3.2).
class Unfolder {
  public:
    explicit Unfolder(std::string_view text) : text_(text) {}

    /// The next logical line into `out`; false at the end of the text.
    bool next(LogicalLine& out) {
        bool have = false;
        while (pos_ < text_.size()) {
            const std::size_t saved_pos = pos_;
            const std::size_t saved_number = number_;
            std::string_view phys = read_physical();
            const bool continuation = !phys.empty() && (phys[0] == ' ' || phys[0] == '\t');
            if (have && !continuation) {
                pos_ = saved_pos;  // it starts the next logical line: read it again next time
                number_ = saved_number;
                break;
            }
            if (!have) {
                if (phys.empty()) {
                    continue;
                }
                out = LogicalLine{number_, {}, false};
                have = true;
            } else {
                phys.remove_prefix(1);
            }
            if (out.text.size() + phys.size() > kMaxImportLine) {
                out.too_long = true;  // keep the start: the property name is still known
                phys = phys.substr(0, kMaxImportLine - std::min(kMaxImportLine, out.text.size()));
            }
            out.text.append(phys);
        }
        return have;
    }

  private:
    /// One physical line without its CRLF, LF or CR; advances pos_ and number_.
    std::string_view read_physical() {
        std::size_t end = text_.find_first_of("\r\n", pos_);
        if (end == std::string_view::npos) {
            end = text_.size();
        }
        const std::string_view phys = text_.substr(pos_, end - pos_);
        pos_ = end;
        if (pos_ < text_.size() && text_[pos_] == '\r') {
            ++pos_;
        }
        if (pos_ < text_.size() && text_[pos_] == '\n') {
            ++pos_;
        }
        ++number_;
        return phys;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t number_ = 0;
};

struct Param {
    std::string name;                 ///< upper case
    std::vector<std::string> values;  ///< quotes removed, split on ','
};

struct Property {
    std::string name;  ///< upper case, group removed (`item1.TEL` -> `TEL`)
    std::vector<Param> params;
    std::string value;  ///< raw value after the first ':' outside quotes
};

/// Parses `[group.]name *(;param) : value`. Returns false for a line without ':'.
bool parse_property(std::string_view text, Property& prop) {
    std::vector<std::string_view> pieces;
    bool quoted = false;
    std::size_t start = 0;
    std::size_t colon = std::string_view::npos;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            quoted = !quoted;
        } else if (!quoted && (c == ';' || c == ':')) {
            pieces.push_back(text.substr(start, i - start));
            start = i + 1;
            if (c == ':') {
                colon = i;
                break;
            }
        }
    }
    if (colon == std::string_view::npos || pieces.empty()) {
        return false;
    }
    std::string_view name = trim(pieces[0]);
    if (auto dot = name.rfind('.'); dot != std::string_view::npos) {
        name.remove_prefix(dot + 1);
    }
    prop.name = upper(name);
    for (std::size_t i = 1; i < pieces.size(); ++i) {
        std::string_view p = trim(pieces[i]);
        Param param;
        std::string_view raw;
        if (auto eq = p.find('='); eq != std::string_view::npos) {
            param.name = upper(trim(p.substr(0, eq)));
            raw = trim(p.substr(eq + 1));
        } else {
            param.name = "TYPE";  // vCard 2.1: `TEL;CELL:...` is `TEL;TYPE=CELL:...`
            raw = p;
        }
        // Values are a comma list, each possibly in double quotes (v4: TYPE="cell,voice").
        std::string value;
        for (char c : raw) {
            if (c == '"') {
                continue;
            }
            if (c == ',') {
                param.values.push_back(std::move(value));
                value.clear();
            } else {
                value += c;
            }
        }
        param.values.push_back(std::move(value));
        prop.params.push_back(std::move(param));
    }
    prop.value = std::string(text.substr(colon + 1));
    return true;
}

bool has_param_value(const Property& prop, std::string_view name, std::string_view value) {
    for (const auto& p : prop.params) {
        if (p.name == name) {
            for (const auto& v : p.values) {
                if (iequals(trim(v), value)) {
                    return true;
                }
            }
        }
    }
    return false;
}

/// Preference rank: PREF=1..100 (v4), TYPE=pref (v3) counts as 1, none as 101.
int pref_rank(const Property& prop) {
    for (const auto& p : prop.params) {
        if (p.name == "PREF" && !p.values.empty()) {
            const std::string_view v = trim(p.values[0]);
            if (!v.empty() && v.size() <= 3 &&
                std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                return std::stoi(std::string(v));
            }
        }
    }
    return has_param_value(prop, "TYPE", "pref") ? 1 : 101;
}

/// Undoes text escapes (RFC 6350 3.4): `\,` `\;` `\\` `\n`.
std::string unescape(std::string_view v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) {
            ++i;
            out += (v[i] == 'n' || v[i] == 'N') ? '\n' : v[i];
        } else {
            out += v[i];
        }
    }
    return out;
}

struct Ranked {
    int rank = 0;
    std::string value;
};

struct Card {
    std::size_t line = 0;
    std::vector<std::string> emails;
    std::vector<Ranked> cells;
    std::vector<Ranked> langs;
    std::string error;
};

void finish_card(ImportResult& out, Card& card) {
    if (!card.error.empty()) {
        out.issues.push_back({card.line, card.error});
        return;
    }
    if (card.emails.empty()) {
        out.issues.push_back({card.line, "no EMAIL"});
        return;
    }
    if (card.cells.empty()) {
        out.issues.push_back({card.line, "no mobile number (TEL;TYPE=cell)"});
        return;
    }
    auto by_rank = [](const Ranked& a, const Ranked& b) { return a.rank < b.rank; };
    std::stable_sort(card.cells.begin(), card.cells.end(), by_rank);
    std::stable_sort(card.langs.begin(), card.langs.end(), by_rank);
    // The most preferred cell number that is a mobile number; if none is, the first one, so
    // that its error is reported.
    std::string phone = card.cells.front().value;
    for (const auto& c : card.cells) {
        if (normalize_phone(plain_spaces(c.value), "CH", out.accept_landline)) {
            phone = c.value;
            break;
        }
    }
    // LANG is a language tag (RFC 5646): `de-CH` counts as `de`.
    std::string lang = card.langs.empty() ? std::string() : card.langs.front().value;
    for (const auto& l : card.langs) {
        const std::string primary = l.value.substr(0, l.value.find('-'));
        if (check_lang(primary) && !primary.empty()) {
            lang = primary;
            break;
        }
    }
    for (const auto& email : card.emails) {
        add_row(out, card.line, email, phone, lang);
    }
}

}  // namespace

Result<ImportResult> import_vcard(std::string_view text, bool accept_landline) {
    if (text.size() > kMaxImportBytes) {
        return make_error(Errc::invalid_argument, "file larger than 10 MiB");
    }
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);
    }
    ImportResult out;
    out.accept_landline = accept_landline;
    Card card;
    bool in_card = false;
    std::size_t cards = 0;
    Unfolder unfolder(text);
    LogicalLine ll;
    while (unfolder.next(ll)) {
        Property prop;
        if (!parse_property(ll.text, prop)) {
            continue;  // not a content line; ignored like other unknown content
        }
        const std::string_view value = trim(prop.value);
        if (prop.name == "BEGIN" && iequals(value, "VCARD")) {
            if (in_card) {
                out.issues.push_back({card.line, "missing END:VCARD"});
            }
            if (++cards > kMaxImportRows) {
                out.issues.push_back({ll.line, "more than " + std::to_string(kMaxImportRows) +
                                                   " cards; the rest of the file was not read"});
                in_card = false;
                break;
            }
            card = Card{};
            card.line = ll.line;
            in_card = true;
            continue;
        }
        if (!in_card) {
            continue;  // text outside a card
        }
        if (prop.name == "END" && iequals(value, "VCARD")) {
            finish_card(out, card);
            in_card = false;
            continue;
        }
        const bool relevant = prop.name == "EMAIL" || prop.name == "TEL" || prop.name == "LANG" ||
                              prop.name == "VERSION";
        if (!relevant || !card.error.empty()) {
            continue;  // PHOTO, N, ADR, ... (of any length) are not needed
        }
        if (ll.too_long) {
            card.error = prop.name + " line longer than " + std::to_string(kMaxImportLine) +
                         " bytes (line " + std::to_string(ll.line) + ")";
        } else if (prop.name == "VERSION") {
            if (value != "2.1" && value != "3.0" && value != "4.0") {
                card.error = "unsupported vCard version: " + printable(value);
            }
        } else if (prop.name == "EMAIL") {
            if (card.emails.size() == kMaxPerCard) {
                card.error = "more than " + std::to_string(kMaxPerCard) + " EMAIL addresses";
            } else {
                card.emails.push_back(unescape(value));
            }
        } else if (prop.name == "TEL") {
            if (has_param_value(prop, "TYPE", "cell") && card.cells.size() < kMaxPerCard) {
                std::string_view number = value;
                // v4 `VALUE=uri`: `tel:+41-79-123-45-67;ext=12` (RFC 3966).
                if (number.size() >= 4 && iequals(number.substr(0, 4), "tel:")) {
                    number.remove_prefix(4);
                    number = number.substr(0, number.find(';'));
                }
                card.cells.push_back({pref_rank(prop), std::string(number)});
            }
        } else if (card.langs.size() < kMaxPerCard) {
            card.langs.push_back({pref_rank(prop), unescape(value)});
        }
    }
    if (in_card) {
        out.issues.push_back({card.line, "missing END:VCARD"});
    }
    if (cards == 0) {
        return make_error(Errc::invalid_argument, "no vCard found (expected BEGIN:VCARD)");
    }
    return out;
}

}  // namespace sealpost::admin
