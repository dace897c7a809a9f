// SPDX-License-Identifier: Apache-2.0
// SMTP reply serialisation and parsing (RFC 5321 4.2) with RFC 3463 enhanced status codes.
#include "smtp/smtp_reply.hpp"

#include <cctype>

namespace sealpost::smtp {

std::string Reply::serialize() const {
    std::string out;
    const std::string num = std::to_string(code);
    if (lines.empty()) {
        return num + "\r\n";
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        out += num;
        out += (i + 1 == lines.size()) ? ' ' : '-';
        out += lines[i];
        out += "\r\n";
    }
    return out;
}

Reply make_reply(int code, std::string_view enhanced, std::string_view text) {
    Reply r;
    r.code = code;
    std::string line;
    if (!enhanced.empty()) {
        line += enhanced;
        line += ' ';
    }
    line += text;
    r.lines.push_back(std::move(line));
    return r;
}

namespace {
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/// Length of a run of 1..max digits at `pos`, 0 if none or too long.
std::size_t digits(std::string_view s, std::size_t pos, std::size_t max) {
    std::size_t n = 0;
    while (pos + n < s.size() && is_digit(s[pos + n])) {
        ++n;
    }
    return (n >= 1 && n <= max) ? n : 0;
}
}  // namespace

std::string_view enhanced_code(std::string_view text) noexcept {
    // RFC 3463 section 2: class "." subject "." detail, class 2/4/5, subject 1-3 digits,
    // detail 1-3 digits; it is followed by a space or ends the line.
    if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
        return {};
    }
    std::size_t pos = 2;
    const std::size_t a = digits(text, pos, 3);
    if (a == 0) {
        return {};
    }
    pos += a;
    if (pos >= text.size() || text[pos] != '.') {
        return {};
    }
    ++pos;
    const std::size_t b = digits(text, pos, 3);
    if (b == 0) {
        return {};
    }
    pos += b;
    if (pos < text.size() && text[pos] != ' ') {
        return {};
    }
    return text.substr(0, pos);
}

void ensure_enhanced(Reply& reply) {
    const int k = reply.klass();
    if (k != 2 && k != 4 && k != 5) {
        return;
    }
    const std::string fallback = std::to_string(k) + ".0.0";
    if (reply.lines.empty()) {
        reply.lines.push_back(fallback);
        return;
    }
    for (auto& line : reply.lines) {
        const auto ec = enhanced_code(line);
        if (ec.empty()) {
            line.insert(0, line.empty() ? fallback : fallback + ' ');
        } else if (ec[0] != static_cast<char>('0' + k)) {
            // A class that contradicts the reply code would mislead the client (RFC 3463 2).
            line.replace(0, ec.size(), fallback);
        }
    }
}

Result<bool> ReplyParser::feed(std::string_view line) {
    if (line.size() > max_line) {
        return make_error(Errc::corrupt, "reply line too long");
    }
    if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]) ||
        line[0] < '2' || line[0] > '5') {
        return make_error(Errc::corrupt, "malformed reply line");
    }
    for (char c : line) {
        if (c == '\r' || c == '\n' || c == '\0') {
            return make_error(Errc::corrupt, "control character in reply");
        }
    }
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (!cur_.lines.empty() && code != cur_.code) {
        return make_error(Errc::corrupt, "reply code changed inside a multi-line reply");
    }
    bool last = true;
    std::string_view text;
    if (line.size() > 3) {
        if (line[3] == '-') {
            last = false;
        } else if (line[3] != ' ') {
            return make_error(Errc::corrupt, "malformed reply separator");
        }
        text = line.substr(4);
    }
    if (cur_.lines.size() >= max_lines) {
        return make_error(Errc::corrupt, "too many reply lines");
    }
    cur_.code = code;
    cur_.lines.emplace_back(text);
    return last;
}

Reply ReplyParser::take() {
    Reply r = std::move(cur_);
    cur_ = Reply{};
    return r;
}

Result<Reply> parse_reply(std::string_view text) {
    ReplyParser p;
    while (!text.empty()) {
        const auto lf = text.find("\r\n");
        if (lf == std::string_view::npos) {
            return make_error(Errc::corrupt, "reply line without CRLF");
        }
        SP_TRY(done, p.feed(text.substr(0, lf)));
        text.remove_prefix(lf + 2);
        if (done) {
            if (!text.empty()) {
                return make_error(Errc::corrupt, "bytes after the reply");
            }
            return p.take();
        }
    }
    return make_error(Errc::corrupt, "incomplete reply");
}

}  // namespace sealpost::smtp
