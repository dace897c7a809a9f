// The portal's template engine: parsing with load-time checks of every name, and rendering
// where every value is cleaned and HTML-escaped unless the page code built it as HTML.
#include "portal/portal_template.hpp"

#include "core/core_text.hpp"

#include <algorithm>

namespace sealpost::portal {
namespace {

bool valid_name(std::string_view n) {
    return !n.empty() && std::all_of(n.begin(), n.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    });
}

std::size_t line_at(std::string_view text, std::size_t pos) {
    return 1 + static_cast<std::size_t>(
                   std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
}

}  // namespace

std::string escape_text(std::string_view s) {
    return text::html_escape(text::clean(s));
}

std::string concat(std::initializer_list<std::string_view> parts) {
    std::size_t n = 0;
    for (const auto p : parts) {
        n += p.size();
    }
    std::string out;
    out.reserve(n);
    for (const auto p : parts) {
        out.append(p);
    }
    return out;
}

bool has_word(std::string_view list, std::string_view name) {
    while (!list.empty()) {
        const std::size_t sp = list.find(' ');
        if (list.substr(0, sp) == name) {
            return true;
        }
        list.remove_prefix(sp == std::string_view::npos ? list.size() : sp + 1);
    }
    return false;
}

Result<Template> Template::parse(std::string_view text, std::string_view vars,
                                 std::string_view raws) {
    Template t;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t open = text.find("{{", pos);
        if (open == std::string_view::npos) {
            t.pieces_.push_back(
                {Piece::Kind::text, std::string(text.substr(pos)), line_at(text, pos)});
            break;
        }
        if (open > pos) {
            t.pieces_.push_back(
                {Piece::Kind::text, std::string(text.substr(pos, open - pos)), line_at(text, pos)});
        }
        const std::size_t line = line_at(text, open);
        const std::string where = "line " + std::to_string(line) + ": ";
        const bool raw = text.substr(open, 3) == "{{{";
        const std::string_view closing = raw ? "}}}" : "}}";
        const std::size_t start = open + (raw ? 3 : 2);
        const std::size_t close = text.find(closing, start);
        // A name never spans lines or holds a brace: past either, the `{{` was left open.
        if (close == std::string_view::npos ||
            text.substr(start, close - start).find_first_of("{}\n") != std::string_view::npos) {
            return make_error(Errc::invalid_argument,
                              where + "unclosed " + std::string(raw ? "{{{" : "{{"));
        }
        std::string_view name = text.substr(start, close - start);
        Piece::Kind kind = raw ? Piece::Kind::raw : Piece::Kind::var;
        if (!raw && name.substr(0, 2) == "t:") {
            kind = Piece::Kind::key;
            name.remove_prefix(2);
        }
        if (!valid_name(name)) {
            return make_error(Errc::invalid_argument,
                              where + "malformed placeholder '" + std::string(name) + "'");
        }
        if ((kind == Piece::Kind::var && !has_word(vars, name)) ||
            (kind == Piece::Kind::raw && !has_word(raws, name))) {
            return make_error(Errc::invalid_argument, where + "unknown placeholder " +
                                                          std::string(raw ? "{{{" : "{{") +
                                                          std::string(name) + std::string(closing));
        }
        t.pieces_.push_back({kind, std::string(name), line});
        pos = close + closing.size();
    }
    return t;
}

std::string Template::render(const Catalog& catalog, const Values& vars, const Values& raws) const {
    std::string out;
    for (const Piece& p : pieces_) {
        switch (p.kind) {
            case Piece::Kind::text:
                out += p.text;
                break;
            case Piece::Kind::key:
                if (const std::string* s = catalog.find(p.text)) {
                    out += escape_text(substitute(*s, vars));
                }
                break;
            case Piece::Kind::var:
                if (const auto it = vars.find(p.text); it != vars.end()) {
                    out += escape_text(it->second);
                }
                break;
            case Piece::Kind::raw:
                if (const auto it = raws.find(p.text); it != raws.end()) {
                    out += it->second;
                }
                break;
        }
    }
    return out;
}

}  // namespace sealpost::portal
