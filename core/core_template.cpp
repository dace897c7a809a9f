// SPDX-License-Identifier: Apache-2.0
// The template engine (see core_template.hpp): parsing with load-time checks of every name,
// and rendering where every value is cleaned, and HTML-escaped in HTML, unless the caller
// built it as a fragment.
#include "core/core_template.hpp"

#include <algorithm>

#include "core/core_text.hpp"

namespace sealpost {
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

Error parse_error(const Template::Names& names, std::size_t line, std::size_t byte,
                  const std::string& why) {
    return make_error(Errc::invalid_argument, names.cite == Template::Cite::line
                                                  ? "line " + std::to_string(line) + ": " + why
                                                  : why + " at byte " + std::to_string(byte));
}

}  // namespace

std::string escape_text(std::string_view s) {
    return text::html_escape(text::clean(s));
}

std::string substitute(std::string_view text, const TemplateValues& values) {
    std::string out;
    out.reserve(text.size() + 32);
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t open = text.find('{', pos);
        const std::size_t close = open == std::string_view::npos ? open : text.find('}', open);
        if (close == std::string_view::npos) {
            out.append(text.substr(pos));
            break;
        }
        out.append(text.substr(pos, open - pos));
        const auto it = values.find(text.substr(open + 1, close - open - 1));
        if (it != values.end()) {
            out += it->second;
        }
        pos = close + 1;
    }
    return out;
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

Result<Template> Template::parse(std::string_view text, const Names& names) {
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
        const bool raw = text.substr(open, 3) == "{{{";
        const std::string_view opening = raw ? "{{{" : "{{";
        const std::string_view closing = raw ? "}}}" : "}}";
        const std::size_t start = open + opening.size();
        const std::size_t close = text.find(closing, start);
        // A name never spans lines or holds a brace: past either, the `{{` was left open.
        if (close == std::string_view::npos ||
            text.substr(start, close - start).find_first_of("{}\n") != std::string_view::npos) {
            return parse_error(names, line, open, "unclosed " + std::string(opening));
        }
        std::string_view name = text.substr(start, close - start);
        Piece::Kind kind = raw ? Piece::Kind::raw : Piece::Kind::var;
        if (!raw && name.substr(0, 2) == "t:") {
            kind = Piece::Kind::key;
            name.remove_prefix(2);
        }
        if (!valid_name(name)) {
            return parse_error(names, line, open,
                               "malformed placeholder '" + std::string(name) + "'");
        }
        if ((kind == Piece::Kind::var && !has_word(names.vars, name)) ||
            (kind == Piece::Kind::raw && !has_word(names.raws, name)) ||
            (kind == Piece::Kind::key && !names.keys)) {
            return parse_error(names, line, open,
                               concat({"unknown placeholder ", opening,
                                       kind == Piece::Kind::key ? "t:" : "", name, closing}));
        }
        t.pieces_.push_back({kind, std::string(name), line});
        pos = close + closing.size();
    }
    return t;
}

std::string Template::render(const Input& in) const {
    const bool html = in.output == Output::html;
    auto escape = [html](std::string_view s) { return html ? escape_text(s) : text::clean(s); };
    std::string out;
    for (const Piece& p : pieces_) {
        switch (p.kind) {
            case Piece::Kind::text:
                out += p.text;
                break;
            case Piece::Kind::key:
                if (in.key) {
                    if (const std::string* s = in.key(p.text)) {
                        out += escape(in.vars != nullptr ? substitute(*s, *in.vars)
                                                         : substitute(*s, {}));
                    }
                }
                break;
            case Piece::Kind::var:
                if (in.vars != nullptr) {
                    if (const auto it = in.vars->find(p.text); it != in.vars->end()) {
                        out += escape(it->second);
                        break;
                    }
                }
                if (in.lists != nullptr) {
                    if (const auto it = in.lists->find(p.text); it != in.lists->end()) {
                        const std::vector<std::string>& items = it->second;
                        for (std::size_t i = 0; i < items.size(); ++i) {
                            if (html) {
                                out += concat({"<li>", escape(items[i]), "</li>"});
                            } else {
                                out += concat({i == 0 ? "- " : "\n- ", escape(items[i])});
                            }
                        }
                    }
                }
                break;
            case Piece::Kind::raw:
                if (in.raws != nullptr) {
                    if (const auto it = in.raws->find(p.text); it != in.raws->end()) {
                        out += it->second;
                    }
                }
                break;
        }
    }
    return out;
}

}  // namespace sealpost
