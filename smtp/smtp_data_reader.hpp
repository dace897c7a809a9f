// SPDX-License-Identifier: Apache-2.0
// The DATA phase reader (RFC 5321 4.1.1.4, 4.5.2): finds the end of data, removes dot-stuffing,
// and applies the SMTP smuggling rules: only <CRLF>.<CRLF> ends the data; a bare CR anywhere
// is a fault that refuses the whole message, and so is a bare LF unless the caller allows it
// (a trusted or authenticated client: then it is read as CRLF, as Postfix's
// `smtpd_forbid_bare_newline = normalize`). Also the inverse (dot-stuffing).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sealpost::smtp {

/// What made a message unacceptable; the reader still consumes up to the end of data so the
/// session stays in sync with the client.
enum class DataFault {
    none,
    bare_lf,        ///< LF not preceded by CR (smuggling, RFC 5321 2.3.8)
    bare_cr,        ///< CR not followed by LF
    line_too_long,  ///< a text line over max_line octets including CRLF (RFC 5321 4.5.3.1.6)
    too_big,        ///< more than max_size octets of message (RFC 1870)
};

class DataReader {
  public:
    /// `normalise_bare_lf`: a bare LF ends a line and is stored as CRLF, except next to a
    /// line of a single '.', which still refuses the message (`\n.\r\n` and `\r\n.\n` end
    /// the data in some servers: never an end here, never passed on either).
    DataReader(std::size_t max_line, std::uint64_t max_size, bool normalise_bare_lf = false);

    /// Before the first feed: the message buffer starts with `prefix` (a Received header, not
    /// counted in size()) and has room for `expected` message octets (RFC 1870 SIZE=), so a
    /// message of the declared size is stored with one allocation and never copied to grow.
    void start(std::string_view prefix, std::uint64_t expected);
    /// Stops storing (frees what was stored) but keeps reading to the end of data, so the
    /// session stays in sync: for a message the proxy has no room for.
    void discard();
    [[nodiscard]] bool discarded() const noexcept { return discarded_; }

    /// Consumes bytes of the DATA stream. Returns how many bytes of `in` belong to the message
    /// (including the terminating <CRLF>.<CRLF>); after done() the rest is the next command.
    std::size_t feed(std::string_view in);

    [[nodiscard]] bool done() const noexcept { return done_; }
    /// The fault that refuses the message: bare LF/CR, else too big, else line too long
    /// (the same whatever way the data was sliced).
    [[nodiscard]] DataFault fault() const noexcept { return fault_; }
    /// Message octets received so far (unstuffed), counted even once too big.
    [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
    /// Bare LFs stored as CRLF (only with normalise_bare_lf).
    [[nodiscard]] std::uint64_t normalised_lf() const noexcept { return normalised_lf_; }
    /// The prefix and the unstuffed message, lines ending in CRLF. Truncated once
    /// fault() == too_big; empty once discarded.
    std::string& message() noexcept { return msg_; }

  private:
    void add_fault(DataFault f) noexcept;
    void put(char c);
    void put_run(std::string_view run);  ///< bytes with no CR or LF, inside a line
    /// Ends the current line, sent with `eol_octets` (CRLF, or a bare LF read as one); stored
    /// as CRLF either way.
    void end_line(std::size_t eol_octets, bool bare_lf);
    [[nodiscard]] bool storing() const noexcept {
        return !discarded_ && fault_ != DataFault::too_big;
    }
    void grow(std::size_t more);  ///< room for `more` octets, see the .cpp

    std::size_t max_line_;
    std::uint64_t max_size_;
    std::string msg_;
    std::uint64_t size_ = 0;
    std::size_t line_len_ = 0;  ///< octets of the current line as sent (stuffing included)
    bool line_start_ = true;    ///< just after a CRLF (or at the start of the data)
    bool dot_only_ = false;     ///< the current line so far is a single '.'
    bool saw_cr_ = false;
    bool normalise_bare_lf_ = false;
    bool lf_line_ = false;  ///< the current line began after a bare LF
    std::uint64_t normalised_lf_ = 0;
    bool done_ = false;
    bool discarded_ = false;
    std::size_t prefix_ = 0;
    DataFault fault_ = DataFault::none;
};

/// Serialises a message for the DATA phase: every line ending (CRLF, bare LF, bare CR) becomes
/// CRLF, a line starting with '.' gets a second '.', and the terminator `.\r\n` is appended.
std::string dot_stuff(std::string_view message);

}  // namespace sealpost::smtp
