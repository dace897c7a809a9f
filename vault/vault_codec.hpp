// SPDX-License-Identifier: Apache-2.0
// The vault's record codec: a big-endian writer and a bounds-checked reader, so a damaged or
// hostile record yields Errc::corrupt, never UB. Shared by every record kind (vault_records,
// the portal's code guards, the download notices).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/core_result.hpp"
#include "vault/vault_records.hpp"

namespace sealpost::vault::records {

/// Appends big-endian fields to a Bytes or SecretBytes buffer.
template <class Buf>
class Writer {
  public:
    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v) {
        u8(static_cast<std::uint8_t>(v >> 8));
        u8(static_cast<std::uint8_t>(v & 0xff));
    }
    void u32(std::uint32_t v) {
        std::uint8_t b[4];
        put_u32(b, v);
        raw(ByteView(b, 4));
    }
    void u64(std::uint64_t v) {
        std::uint8_t b[8];
        put_u64(b, v);
        raw(ByteView(b, 8));
    }
    void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
    void raw(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }
    void blob(ByteView v) {
        u32(static_cast<std::uint32_t>(v.size()));
        raw(v);
    }
    void str(std::string_view s) { blob(crypto::as_bytes(s)); }
    Buf take() { return std::move(out_); }

  private:
    Buf out_;
};

/// Reads what Writer wrote. A read past the end returns zeros and marks the reader failed;
/// finish() then reports Errc::corrupt, so callers check once at the end.
class Reader {
  public:
    explicit Reader(ByteView in) : in_(in) {}

    std::uint8_t u8() {
        if (!need(1)) {
            return 0;
        }
        return in_[pos_++];
    }
    std::uint16_t u16() {
        if (!need(2)) {
            return 0;
        }
        const auto v = static_cast<std::uint16_t>((in_[pos_] << 8) | in_[pos_ + 1]);
        pos_ += 2;
        return v;
    }
    std::uint32_t u32() {
        if (!need(4)) {
            return 0;
        }
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            v = (v << 8) | in_[pos_++];
        }
        return v;
    }
    std::uint64_t u64() {
        if (!need(8)) {
            return 0;
        }
        const std::uint64_t v = get_u64(in_.data() + pos_);
        pos_ += 8;
        return v;
    }
    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
    ByteView raw(std::size_t n) {
        if (!need(n)) {
            return {};
        }
        ByteView v = in_.subspan(pos_, n);
        pos_ += n;
        return v;
    }
    template <std::size_t N>
    void fixed(std::array<std::uint8_t, N>& out) {
        ByteView v = raw(N);
        if (v.size() == N) {
            std::copy(v.begin(), v.end(), out.begin());
        }
    }
    ByteView blob() { return raw(u32()); }
    /// Everything not read yet (the trailing field of a record).
    ByteView rest() { return raw(in_.size() - pos_); }
    std::string str() {
        ByteView v = blob();
        return {reinterpret_cast<const char*>(v.data()), v.size()};  // NOLINT
    }
    [[nodiscard]] bool failed() const noexcept { return failed_; }
    void fail() noexcept { failed_ = true; }
    /// Corrupt if any read ran past the end or bytes are left over.
    Status finish(std::string_view what) const {
        if (failed_ || pos_ != in_.size()) {
            return make_error(Errc::corrupt, std::string("malformed ") + std::string(what));
        }
        return {};
    }

  private:
    bool need(std::size_t n) {
        if (failed_ || in_.size() - pos_ < n) {
            failed_ = true;
            return false;
        }
        return true;
    }
    ByteView in_;
    std::size_t pos_ = 0;
    bool failed_ = false;
};

}  // namespace sealpost::vault::records
