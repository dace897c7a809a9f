// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the SMTP reply parser (parse_reply, ReplyParser), enhanced_code and
// ensure_enhanced. The input is upstream text with CRLF line ends.
// Invariants: an accepted reply has a 2xx-5xx code, at most max_lines lines without CR, LF or
// NUL, and serialises to text that parses back the same; the incremental parser agrees with
// parse_reply; enhanced_code returns a prefix; after ensure_enhanced every line starts with a
// status code of the reply's class.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "smtp/smtp_reply.hpp"

using namespace sealpost::smtp;

namespace {

[[noreturn]] void fail(std::string_view what) {
    std::cerr << "fuzz_smtp_reply: " << what << "\n";
    std::abort();
}

bool same(const Reply& a, const Reply& b) {
    return a.code == b.code && a.lines == b.lines;
}

void check_enhanced_code(std::string_view text) {
    const std::string_view ec = enhanced_code(text);
    if (ec.empty()) {
        return;
    }
    if (ec.data() != text.data() || ec.size() < 5 || ec.size() > 9 ||
        (ec[0] != '2' && ec[0] != '4' && ec[0] != '5') ||
        (ec.size() < text.size() && text[ec.size()] != ' ')) {
        fail("enhanced_code returned something that is not a status code prefix");
    }
}

void check_reply(const Reply& r) {
    if (r.code < 200 || r.code > 599 || r.lines.empty() ||
        r.lines.size() > ReplyParser::max_lines) {
        fail("accepted reply with a bad code or line count");
    }
    for (const auto& line : r.lines) {
        if (line.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
            fail("accepted reply line holds CR, LF or NUL");
        }
        check_enhanced_code(line);
    }
    auto back = parse_reply(r.serialize());
    if (!back || !same(*back, r)) {
        fail("serialised reply does not parse back the same");
    }
    Reply fixed = r;
    ensure_enhanced(fixed);
    if (fixed.lines.size() != r.lines.size()) {
        fail("ensure_enhanced changed the number of lines");
    }
    if (r.klass() == 3) {
        if (!same(fixed, r)) {
            fail("ensure_enhanced changed a 3xx reply");
        }
        return;
    }
    for (const auto& line : fixed.lines) {
        const std::string_view ec = enhanced_code(line);
        if (ec.empty() || ec[0] != static_cast<char>('0' + r.klass())) {
            fail("ensure_enhanced left a line without a status code of the reply's class");
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_enhanced_code(text);

    auto whole = parse_reply(text);
    if (whole) {
        check_reply(*whole);
    }

    // Line by line, as from an upstream: every complete reply is checked, and the first one
    // must be what parse_reply gave when that accepted the whole text.
    ReplyParser parser;
    std::string_view rest = text;
    bool first = true;
    while (!rest.empty()) {
        const auto eol = rest.find("\r\n");
        if (eol == std::string_view::npos) {
            break;
        }
        auto done = parser.feed(rest.substr(0, eol));
        rest.remove_prefix(eol + 2);
        if (!done) {
            if (whole) {
                fail("ReplyParser refused a line that parse_reply accepted");
            }
            break;
        }
        if (*done) {
            const Reply r = parser.take();
            check_reply(r);
            if (first && whole && !same(r, *whole)) {
                fail("ReplyParser and parse_reply disagree");
            }
            first = false;
        }
    }
    return 0;
}
