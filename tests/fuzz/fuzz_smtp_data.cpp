// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the DATA reader (dot-unstuffing, smuggling faults, line and size limits) and
// its inverse dot_stuff. Input: 4 header bytes (line limit, size limit, 16-bit slice seed), then
// the DATA stream, fed in slices whose sizes come from the seed.
// Invariants: slicing changes nothing; normalising bare LF never moves the end of data; a message
// without a fault has only CRLF line ends and lines within the limit; the data ends exactly at the
// first <CRLF>.<CRLF> and nothing after it is consumed; dot_stuff of any bytes reads back whole,
// fault-free, line ends made CRLF.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "smtp/smtp_data_reader.hpp"

using namespace sealpost::smtp;

namespace {

[[noreturn]] void fail(std::string_view what) {
    std::cerr << "fuzz_smtp_data: " << what << "\n";
    std::abort();
}

std::uint64_t splitmix(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31U);
}

struct Outcome {
    std::size_t consumed = 0;
    bool done = false;
    DataFault fault = DataFault::none;
    std::uint64_t size = 0;
    std::string message;
    bool operator==(const Outcome&) const = default;
};

Outcome read_whole(std::string_view wire, std::size_t max_line, std::uint64_t max_size) {
    DataReader r(max_line, max_size);
    const std::size_t n = r.feed(wire);
    return {n, r.done(), r.fault(), r.size(), r.message()};
}

/// Feeds `wire` in slices like a socket would, stopping at the end of data.
Outcome read_sliced(std::string_view wire, std::size_t max_line, std::uint64_t max_size,
                    std::uint64_t seed) {
    DataReader r(max_line, max_size);
    std::size_t pos = 0;
    while (pos < wire.size() && !r.done()) {
        const std::uint64_t rnd = splitmix(seed);
        const std::size_t want = (rnd & 7U) == 0 ? 1 + (rnd >> 8U) % 1024 : 1 + (rnd >> 8U) % 7;
        const std::string_view slice = wire.substr(pos, want);
        const std::size_t n = r.feed(slice);
        if (n > slice.size() || (n < slice.size() && !r.done())) {
            fail("feed() consumed a wrong count");
        }
        pos += n;
    }
    return {pos, r.done(), r.fault(), r.size(), r.message()};
}

/// True when every CR is followed by LF and every LF follows a CR.
bool crlf_only(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n')) {
            return false;
        }
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) {
            return false;
        }
    }
    return true;
}

/// Longest line in a CRLF-only message, CRLF included.
std::size_t longest_line(std::string_view s) {
    std::size_t longest = 0;
    std::size_t start = 0;
    while (start < s.size()) {
        const std::size_t eol = s.find("\r\n", start);
        const std::size_t end = eol == std::string_view::npos ? s.size() : eol + 2;
        longest = std::max(longest, end - start);
        start = end;
    }
    return longest;
}

/// `s` with CRLF, bare CR and bare LF each made CRLF, and a last line ended with CRLF.
std::string crlf_normalised(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' || s[i] == '\n') {
            if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
                ++i;
            }
            out += "\r\n";
        } else {
            out += s[i];
        }
    }
    if (!s.empty() && s.back() != '\r' && s.back() != '\n') {
        out += "\r\n";
    }
    return out;
}

void check_reader(std::string_view wire, std::size_t max_line, std::uint64_t max_size,
                  std::uint64_t seed) {
    const Outcome whole = read_whole(wire, max_line, max_size);
    Outcome sliced = read_sliced(wire, max_line, max_size, seed);
    if (whole.size > max_size) {
        // Past max_size the buffer stops at a point that depends on the slicing (a run that
        // crosses the limit is dropped whole); both must still be prefixes of one message.
        const std::string& shorter =
            sliced.message.size() < whole.message.size() ? sliced.message : whole.message;
        const std::string& longer =
            sliced.message.size() < whole.message.size() ? whole.message : sliced.message;
        if (longer.compare(0, shorter.size(), shorter) != 0) {
            fail("feeding in slices gives a different message prefix than one feed");
        }
        sliced.message = whole.message;
    }
    if (!(sliced == whole)) {
        fail("feeding in slices gives a different outcome than one feed");
    }
    if (whole.consumed > wire.size() || (!whole.done && whole.consumed != wire.size())) {
        fail("consumed count out of range");
    }
    // The data ends exactly at the first <CRLF>.<CRLF> (the DATA command's CRLF counts as the
    // first one), never earlier (smuggling) and never later (the session would lose step).
    const std::string framed = "\r\n" + std::string(wire);
    const std::size_t eod = framed.find("\r\n.\r\n");
    if (eod == std::string::npos ? whole.done : (!whole.done || whole.consumed != eod + 3)) {
        fail("data did not end exactly at the first <CRLF>.<CRLF>");
    }
    // Past max_size the buffer stops growing (the fault is too_big, or a smuggling fault
    // that takes precedence); below it, it holds every octet counted.
    if (whole.size > max_size) {
        if (whole.fault == DataFault::none || whole.message.size() > max_size) {
            fail("over max_size without a fault, or the buffer kept growing");
        }
    } else if (whole.size != whole.message.size() || whole.fault == DataFault::too_big) {
        fail("size() differs from the message length");
    }
    // Reading a trusted client's bare LF as a line end never moves the end of data; what it
    // passes has only CRLF line ends; data without bare LF reads exactly as the strict way.
    DataReader lenient(max_line, max_size, true);
    const std::size_t lenient_used = lenient.feed(wire);
    if (lenient_used != whole.consumed || lenient.done() != whole.done) {
        fail("normalising bare LF moved the end of data");
    }
    if (lenient.fault() == DataFault::none && lenient.size() <= max_size &&
        !crlf_only(lenient.message())) {
        fail("a message with bare LF normalised still holds a bare CR or LF");
    }
    if (whole.fault == DataFault::none &&
        (lenient.fault() != DataFault::none || lenient.message() != whole.message)) {
        fail("normalising changed a message that had no bare LF");
    }
    if (whole.fault == DataFault::none) {
        if (!crlf_only(whole.message)) {
            fail("fault-free message holds a bare CR or LF");
        }
        if (longest_line(whole.message) > max_line) {
            fail("fault-free message has a line over max_line");
        }
        if (whole.done && !whole.message.empty() &&
            whole.message.substr(whole.message.size() - 2) != "\r\n") {
            fail("complete message does not end with CRLF");
        }
    }
    // Only a smuggling fault explains a bare CR or LF (a truncated buffer may end in a CR).
    if (whole.fault != DataFault::bare_cr && whole.fault != DataFault::bare_lf &&
        whole.size <= max_size && !crlf_only(whole.message)) {
        fail("bare CR or LF in the message without a smuggling fault");
    }
}

void check_stuffing(std::string_view body) {
    const std::string wire = dot_stuff(body);
    const Outcome back = read_whole(wire, wire.size() + 2, wire.size() + 2);
    if (!back.done || back.consumed != wire.size()) {
        fail("dot_stuff output does not end exactly at its terminator");
    }
    if (back.fault != DataFault::none) {
        fail("dot_stuff output reads back with a fault");
    }
    if (back.message != crlf_normalised(body)) {
        fail("dot_stuff output reads back as a different message");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) {
        return 0;
    }
    // Mostly the production limits; with the high bit set, small ones so the limits are hit.
    const std::size_t max_line = data[0] < 128 ? 1000 : 3 + (data[0] - 128U);
    const std::uint64_t max_size = data[1] < 128 ? (1U << 20) : (data[1] - 128U) * 8U;
    const std::uint64_t seed = (std::uint64_t{data[2]} << 8U) | data[3];
    const std::string_view wire(reinterpret_cast<const char*>(data + 4), size - 4);

    check_reader(wire, max_line, max_size, seed);
    check_stuffing(wire);
    return 0;
}
