// SPDX-License-Identifier: Apache-2.0
// DATA reader with dot-unstuffing and SMTP smuggling defence, and dot-stuffing for sending.
#include "smtp/smtp_data_reader.hpp"

#include <algorithm>
#include <cstring>

namespace sealpost::smtp {

namespace {
/// Position of the first CR or LF at or after `from` (or s.size()). Two memchr scans (the
/// second bounded by the first hit) are much faster than find_first_of on large messages.
std::size_t find_eol(std::string_view s, std::size_t from) {
    if (from >= s.size()) {
        return s.size();
    }
    const char* base = s.data();
    const auto* lf = static_cast<const char*>(std::memchr(base + from, '\n', s.size() - from));
    const std::size_t lf_pos = lf ? static_cast<std::size_t>(lf - base) : s.size();
    const auto* cr = static_cast<const char*>(std::memchr(base + from, '\r', lf_pos - from));
    return cr ? static_cast<std::size_t>(cr - base) : lf_pos;
}
}  // namespace

DataReader::DataReader(std::size_t max_line, std::uint64_t max_size, bool normalise_bare_lf)
    : max_line_(max_line), max_size_(max_size), normalise_bare_lf_(normalise_bare_lf) {}

void DataReader::start(std::string_view prefix, std::uint64_t expected) {
    prefix_ = prefix.size();
    msg_.reserve(prefix.size() + static_cast<std::size_t>(std::min(expected, max_size_)));
    msg_.assign(prefix);
}

void DataReader::discard() {
    discarded_ = true;
    std::string().swap(msg_);
}

namespace {
/// Up to this size the buffer doubles as usual; past it, it is given room for the largest
/// message at once (address space only: the kernel backs pages when they are written). A
/// doubling of a large buffer holds the old and the new copy at once, twice the message.
constexpr std::size_t kDoublingLimit = std::size_t{4} << 20;
}  // namespace

void DataReader::grow(std::size_t more) {
    const std::size_t need = msg_.size() + more;
    if (need <= msg_.capacity()) {
        return;
    }
    const std::size_t cap_max = prefix_ + static_cast<std::size_t>(max_size_);
    if (need > kDoublingLimit && need <= cap_max) {
        msg_.reserve(cap_max);
    } else {
        msg_.reserve(std::max(need, std::min(msg_.capacity() * 2, std::max(cap_max, need))));
    }
}

namespace {
// Which fault a refused message reports, independent of how TCP sliced the data: smuggling
// first (it is why the message is refused even when it is also too big), then size, then
// line length. Between bare LF and bare CR the first one seen stays.
int fault_rank(DataFault f) noexcept {
    switch (f) {
        case DataFault::none:
            return 0;
        case DataFault::line_too_long:
            return 1;
        case DataFault::too_big:
            return 2;
        case DataFault::bare_lf:
        case DataFault::bare_cr:
            return 3;
    }
    return 0;
}
}  // namespace

void DataReader::add_fault(DataFault f) noexcept {
    if (fault_rank(f) > fault_rank(fault_)) {
        fault_ = f;
    }
}

void DataReader::put(char c) {
    ++size_;
    if (size_ > max_size_) {
        add_fault(DataFault::too_big);
        return;  // stop growing the buffer; keep scanning for the end of data
    }
    if (storing()) {
        grow(1);
        msg_ += c;
    }
}

void DataReader::put_run(std::string_view run) {
    dot_only_ = false;
    line_len_ += run.size();
    if (line_len_ > max_line_) {
        add_fault(DataFault::line_too_long);
    }
    size_ += run.size();
    if (size_ > max_size_) {
        add_fault(DataFault::too_big);
        return;
    }
    if (storing()) {
        grow(run.size());
        msg_.append(run);
    }
}

void DataReader::end_line(std::size_t eol_octets, bool bare_lf) {
    line_len_ += eol_octets;
    if (line_len_ > max_line_) {
        add_fault(DataFault::line_too_long);
    }
    put('\r');
    put('\n');
    line_start_ = true;
    line_len_ = 0;
    dot_only_ = false;
    lf_line_ = bare_lf;
}

std::size_t DataReader::feed(std::string_view in) {
    std::size_t i = 0;
    while (i < in.size() && !done_) {
        if (!saw_cr_ && !line_start_) {
            // Fast path: the bytes up to the next CR or LF are ordinary text of this line.
            const std::size_t stop = find_eol(in, i);
            if (stop > i) {
                put_run(in.substr(i, stop - i));
                i = stop;
                continue;
            }
        }
        const char c = in[i++];
        if (saw_cr_) {
            saw_cr_ = false;
            if (c == '\n') {
                if (dot_only_ && !lf_line_) {
                    done_ = true;  // <CRLF>.<CRLF>: the CRLF before the dot ended the last line
                    break;
                }
                if (dot_only_) {
                    add_fault(DataFault::bare_lf);  // <LF>.<CRLF>: an end elsewhere, refused
                }
                end_line(2, false);
                continue;
            }
            add_fault(DataFault::bare_cr);
            put('\r');
            ++line_len_;
            dot_only_ = false;
            // The bare CR is text, so a '.' after it is not a leading dot: otherwise
            // <CRLF><CR>.<CRLF> would end the data (found by fuzz_smtp_data).
            line_start_ = false;
            // fall through: handle c as an ordinary byte of the same line
        }
        if (c == '\r') {
            saw_cr_ = true;
            continue;
        }
        if (line_start_) {
            line_start_ = false;
            if (c == '.') {
                // RFC 5321 4.5.2: drop the leading dot; a line of only "." ends the data.
                dot_only_ = true;
                ++line_len_;
                continue;
            }
        }
        if (c == '\n' && normalise_bare_lf_) {
            // A trusted client's bare LF ends its line, stored as CRLF. A line of a single dot
            // on either side of it is an end of data to some servers: refused, never passed.
            if (dot_only_) {
                add_fault(DataFault::bare_lf);
            }
            ++normalised_lf_;
            end_line(1, true);
            continue;
        }
        dot_only_ = false;
        if (c == '\n') {
            // A bare LF does not end a line: "\n.\r\n" is not an end of data here, unlike in
            // servers that accept LF as a line ending (the smuggling gap, CVE-2023-51766 class).
            add_fault(DataFault::bare_lf);
        }
        ++line_len_;
        if (line_len_ > max_line_) {
            add_fault(DataFault::line_too_long);
        }
        put(c);
    }
    return i;
}

std::string dot_stuff(std::string_view message) {
    std::string out;
    out.reserve(message.size() + message.size() / 64 + 8);
    std::size_t i = 0;
    while (i < message.size()) {
        // At the start of a line: stuff a leading dot (RFC 5321 4.5.2).
        if (message[i] == '.') {
            out += '.';
        }
        const std::size_t eol = find_eol(message, i);
        if (eol == message.size()) {
            out.append(message.substr(i));
            out += "\r\n";
            break;
        }
        out.append(message.substr(i, eol - i));
        out += "\r\n";
        i = eol + ((message[eol] == '\r' && eol + 1 < message.size() && message[eol + 1] == '\n')
                       ? 2
                       : 1);
    }
    out += ".\r\n";
    return out;
}

}  // namespace sealpost::smtp
