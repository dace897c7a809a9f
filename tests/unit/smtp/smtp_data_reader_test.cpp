// SPDX-License-Identifier: Apache-2.0
// Unit tests for the DATA reader: end of data, dot-unstuffing, smuggling faults, limits.
#include <catch2/catch.hpp>

#include <vector>

#include "smtp/smtp_data_reader.hpp"

using namespace sealpost::smtp;

namespace {
struct Outcome {
    std::string message;
    DataFault fault;
    std::size_t consumed;
    bool done;
};

Outcome read_all(std::string_view wire, std::size_t max_line = 1000,
                 std::uint64_t max_size = 1 << 20) {
    DataReader r(max_line, max_size);
    const std::size_t n = r.feed(wire);
    return {r.message(), r.fault(), n, r.done()};
}

/// Same, fed one byte at a time (a TCP stream can split anywhere).
Outcome read_bytewise(std::string_view wire, std::size_t max_line = 1000) {
    DataReader r(max_line, 1 << 20);
    std::size_t n = 0;
    while (n < wire.size() && !r.done()) {
        n += r.feed(wire.substr(n, 1));
    }
    return {r.message(), r.fault(), n, r.done()};
}
}  // namespace

TEST_CASE("CRLF.CRLF ends the data and dot-stuffing is removed") {
    const std::string wire = "Subject: x\r\n\r\n..leading\r\n...two\r\nplain\r\n.\r\nQUIT\r\n";
    for (const auto& o : {read_all(wire), read_bytewise(wire)}) {
        CHECK(o.done);
        CHECK(o.fault == DataFault::none);
        CHECK(o.message == "Subject: x\r\n\r\n.leading\r\n..two\r\nplain\r\n");
        CHECK(wire.substr(o.consumed) == "QUIT\r\n");
    }
}

TEST_CASE("an empty message is just the terminator") {
    auto o = read_all(".\r\n");
    CHECK(o.done);
    CHECK(o.message.empty());
    CHECK(o.consumed == 3);
}

TEST_CASE("incomplete data is not done") {
    auto o = read_all("line\r\n.");
    CHECK_FALSE(o.done);
    auto p = read_all("line\r\n.\r");
    CHECK_FALSE(p.done);
}

TEST_CASE("bare LF before the dot does not end the data and is a fault") {
    const std::string wire = "a\n.\r\nMAIL FROM:<x@y.ch>\r\n.\r\n";
    for (const auto& o : {read_all(wire), read_bytewise(wire)}) {
        CHECK(o.done);
        CHECK(o.fault == DataFault::bare_lf);
        CHECK(o.consumed == wire.size());  // the smuggled command was swallowed as data
    }
}

TEST_CASE("bare LF after the dot does not end the data") {
    const std::string wire = "a\r\n.\nMAIL FROM:<x@y.ch>\r\n.\r\n";
    auto o = read_all(wire);
    CHECK(o.done);
    CHECK(o.fault == DataFault::bare_lf);
    CHECK(o.consumed == wire.size());
}

TEST_CASE("bare CR variants are faults") {
    for (std::string_view wire : {"a\r.\r\nb\r\n.\r\n", "a\r\n.\rb\r\n.\r\n", "a\rb\r\n.\r\n"}) {
        auto o = read_all(wire);
        CHECK(o.done);
        CHECK(o.fault == DataFault::bare_cr);
    }
}

TEST_CASE("line length limit counts octets including CRLF") {
    const std::string ok(998, 'x');
    CHECK(read_all(ok + "\r\n.\r\n").fault == DataFault::none);
    const std::string over(999, 'x');
    auto o = read_all(over + "\r\n.\r\n");
    CHECK(o.done);
    CHECK(o.fault == DataFault::line_too_long);
    CHECK(read_bytewise(over + "\r\n.\r\n").fault == DataFault::line_too_long);
}

TEST_CASE("size limit stops buffering but still finds the end") {
    DataReader r(1000, 10);
    const std::string wire = "0123456789abcdef\r\n.\r\nNEXT";
    const auto n = r.feed(wire);
    CHECK(r.done());
    CHECK(r.fault() == DataFault::too_big);
    CHECK(r.size() == 18);
    CHECK(r.message().size() <= 10);
    CHECK(wire.substr(n) == "NEXT");
}

TEST_CASE("smuggling faults take precedence over size") {
    DataReader r(1000, 4);
    r.feed("abcdefgh\n.\r\n.\r\n");
    CHECK(r.fault() == DataFault::bare_lf);
}

TEST_CASE("dot_stuff re-serialises with CRLF and doubled leading dots") {
    CHECK(dot_stuff("") == ".\r\n");
    CHECK(dot_stuff("a\r\n.b\r\n.\r\n") == "a\r\n..b\r\n..\r\n.\r\n");
    CHECK(dot_stuff("no final newline") == "no final newline\r\n.\r\n");
    CHECK(dot_stuff("bare\nlf\rcr\r\n") == "bare\r\nlf\r\ncr\r\n.\r\n");
}

TEST_CASE("unstuffing then stuffing gives back the wire form") {
    const std::string wire = "x\r\n..y\r\n\r\n...\r\n.\r\n";
    auto o = read_all(wire);
    REQUIRE(o.fault == DataFault::none);
    CHECK(dot_stuff(o.message) == wire);
}

TEST_CASE("a dot after a bare CR at the start of a line does not end the data (fuzz regression)") {
    // <CRLF><CR>.<CRLF>: some receivers would take this as the end of data; only
    // <CRLF>.<CRLF> may end it (SMTP smuggling), so reading goes on and the CR is a fault.
    const std::string wire = "Subject: x\r\n\r\nbody\r\n\r.\r\nMAIL FROM:<evil@example.org>\r\n";
    for (const auto& o : {read_all(wire), read_bytewise(wire)}) {
        CHECK_FALSE(o.done);
        CHECK(o.fault == DataFault::bare_cr);
        CHECK(o.consumed == wire.size());
    }
}

TEST_CASE("the reported fault does not depend on how the data was sliced (fuzz regression)") {
    // One 65-octet line over both the line limit (59) and the size limit (32): too_big wins.
    const std::string wire = std::string(63, 'x') + "\r\n.\r\n";
    DataReader whole(59, 32);
    whole.feed(wire);
    DataReader bytes(59, 32);
    for (char c : wire) {
        bytes.feed(std::string_view(&c, 1));
    }
    CHECK(whole.fault() == DataFault::too_big);
    CHECK(bytes.fault() == DataFault::too_big);
}

TEST_CASE("start() puts a prefix first that does not count towards the size") {
    DataReader r(1000, 10);
    r.start("Received: x\r\n", 8);
    r.feed("abcdefgh\r\n.\r\n");
    CHECK(r.done());
    CHECK(r.size() == 10);
    CHECK(r.fault() == DataFault::none);
    CHECK(r.message() == "Received: x\r\nabcdefgh\r\n");
}

TEST_CASE("a discarded message is read to its end and nothing is kept") {
    DataReader r(1000, 1 << 20);
    r.start("R\r\n", 0);
    r.feed("first line\r\n");
    r.discard();
    const std::string rest = "second\r\n.\r\nQUIT\r\n";
    const std::size_t used = r.feed(rest);
    CHECK(r.done());
    CHECK(r.discarded());
    CHECK(rest.substr(used) == "QUIT\r\n");
    CHECK(r.message().empty());
    CHECK(r.size() == 20);
}

TEST_CASE("a large message without a declared size is stored whole") {
    // Past the doubling limit the buffer is given room for max_size at once.
    const std::string line(998, 'x');
    std::string wire;
    while (wire.size() < (std::size_t{6} << 20)) {
        wire += line + "\r\n";
    }
    DataReader r(1000, std::uint64_t{8} << 20);
    r.start("", 0);
    CHECK(r.feed(wire + ".\r\n") == wire.size() + 3);
    CHECK(r.done());
    CHECK(r.message() == wire);
}

namespace {
/// With bare LF allowed (a trusted or authenticated client), whole and byte by byte.
std::vector<Outcome> read_lf_allowed(std::string_view wire) {
    std::vector<Outcome> out;
    for (const bool bytewise : {false, true}) {
        DataReader r(1000, 1 << 20, true);
        std::size_t n = 0;
        while (n < wire.size() && !r.done()) {
            n += r.feed(bytewise ? wire.substr(n, 1) : wire.substr(n));
        }
        out.push_back({r.message(), r.fault(), n, r.done()});
    }
    return out;
}
}  // namespace

TEST_CASE("a trusted client's bare LF lines are stored as CRLF lines") {
    const std::string wire = "Subject: x\n\n..leading\nline\r\nmixed\nend\r\n.\r\nQUIT\r\n";
    for (const auto& o : read_lf_allowed(wire)) {
        CHECK(o.done);
        CHECK(o.fault == DataFault::none);
        CHECK(o.message == "Subject: x\r\n\r\n.leading\r\nline\r\nmixed\r\nend\r\n");
        CHECK(wire.substr(o.consumed) == "QUIT\r\n");
    }
    DataReader r(1000, 1 << 20, true);
    r.feed(wire);
    CHECK(r.normalised_lf() == 4);
}

TEST_CASE("with bare LF allowed, only CRLF.CRLF ends the data; a dot line by a bare LF refuses") {
    // Each is an end of data to some server: never here, and the message is refused.
    for (const std::string wire :
         {"a\n.\r\nMAIL FROM:<x@y.ch>\r\n.\r\n", "a\r\n.\nMAIL FROM:<x@y.ch>\r\n.\r\n",
          "a\n.\nMAIL FROM:<x@y.ch>\r\n.\r\n"}) {
        for (const auto& o : read_lf_allowed(wire)) {
            CHECK(o.done);
            CHECK(o.fault == DataFault::bare_lf);
            CHECK(o.consumed == wire.size());  // the smuggled command stayed data
        }
    }
    // A bare CR stays a fault.
    for (const auto& o : read_lf_allowed("a\rb\r\n.\r\n")) {
        CHECK(o.fault == DataFault::bare_cr);
    }
}
