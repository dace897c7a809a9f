// SPDX-License-Identifier: Apache-2.0
// Streamed ZIP archives (PKWARE APPNOTE.TXT 6.3.10) and the caps on concurrent ones. The writer
// is hand-made because the archive must leave a piece at a time: libzip builds in memory or in
// a file, and a file would put plaintext on disk. CRC-32 is zlib's (a pure function: no state to
// wrap).
#include "portal/portal_zip.hpp"

#include <zlib.h>

#include <limits>
#include <utility>

#include "core/core_time.hpp"

namespace sealpost::portal {

namespace {

constexpr std::uint32_t kLocalSig = 0x04034b50;
constexpr std::uint32_t kDescriptorSig = 0x08074b50;
constexpr std::uint32_t kCentralSig = 0x02014b50;
constexpr std::uint32_t kZip64EndSig = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::uint32_t kEndSig = 0x06054b50;
constexpr std::uint16_t kZip64ExtraId = 0x0001;
// Bit 3: CRC and sizes follow the data in a descriptor (APPNOTE 4.4.4); bit 11: UTF-8 names.
constexpr std::uint16_t kFlags = 0x0808;
constexpr std::uint16_t kStored = 0;
constexpr std::uint16_t kVersion = 20;       // 2.0: data descriptors
constexpr std::uint16_t kVersionZip64 = 45;  // 4.5: ZIP64 (APPNOTE 4.4.3.2)
constexpr std::uint16_t kMadeByUnix = 3 << 8;
constexpr std::uint32_t kFileMode = 0100644U << 16;  // regular file, rw-r--r--
constexpr std::uint32_t kMax32 = 0xffffffffU;
constexpr std::uint16_t kMax16 = 0xffffU;

constexpr std::uint64_t kLocalFixed = 30;
constexpr std::uint64_t kLocalZip64Extra = 20;  // id, size, uncompressed 0, compressed 0
constexpr std::uint64_t kDescriptor = 16;
constexpr std::uint64_t kDescriptorZip64 = 24;
constexpr std::uint64_t kCentralFixed = 46;
constexpr std::uint64_t kCentralZip64Extra = 28;  // id, size, uncompressed, compressed, offset
constexpr std::uint64_t kZip64End = 56;
constexpr std::uint64_t kZip64Locator = 20;
constexpr std::uint64_t kEnd = 22;

/// Little-endian appends (APPNOTE 4.4.1.1: all values are little-endian).
struct Out {
    crypto::SecretBytes b;
    void u16(std::uint16_t v) {
        b.push_back(static_cast<std::uint8_t>(v));
        b.push_back(static_cast<std::uint8_t>(v >> 8));
    }
    void u32(std::uint32_t v) {
        u16(static_cast<std::uint16_t>(v));
        u16(static_cast<std::uint16_t>(v >> 16));
    }
    void u64(std::uint64_t v) {
        u32(static_cast<std::uint32_t>(v));
        u32(static_cast<std::uint32_t>(v >> 32));
    }
    void text(const std::string& s) { b.insert(b.end(), s.begin(), s.end()); }
};

std::uint32_t clamp32(std::uint64_t v, bool zip64) {
    return zip64 ? kMax32 : static_cast<std::uint32_t>(v);
}

}  // namespace

std::string unique_name(const std::string& name, std::unordered_set<std::string>& taken) {
    std::string candidate = name;
    const std::size_t dot = name.rfind('.');
    const bool has_ext = dot != std::string::npos && dot > 0;
    const std::string stem = has_ext ? name.substr(0, dot) : name;
    const std::string ext = has_ext ? name.substr(dot) : std::string{};
    // A set, not a vector: an envelope may hold 1000 documents of one name.
    for (int n = 2; taken.contains(candidate); ++n) {
        candidate = stem;
        candidate += " (";
        candidate += std::to_string(n);
        candidate += ")";
        candidate += ext;
    }
    taken.insert(candidate);
    return candidate;
}

Result<ZipStream> ZipStream::make(std::vector<ZipEntry> entries, std::int64_t mtime,
                                  bool force_zip64) {
    if (entries.empty()) {
        return make_error(Errc::invalid_argument, "no documents selected");
    }
    ZipStream z;
    // MS-DOS date and time in local time (APPNOTE 4.4.6), as unzip shows them: Swiss time, the
    // patient's; 1980-01-01 00:00 at least.
    ZurichTime tm{.year = 1980, .month = 1, .day = 1};
    if (const auto local = zurich_time(mtime); local && local->year >= 1980) {
        tm = *local;
    }
    z.dos_time_ =
        static_cast<std::uint16_t>((tm.hour << 11U) | (tm.minute << 5U) | (tm.second / 2));
    z.dos_date_ = static_cast<std::uint16_t>((static_cast<unsigned>(tm.year - 1980) << 9U) |
                                             (tm.month << 5U) | tm.day);

    std::unordered_set<std::string> taken;
    taken.reserve(entries.size());
    std::uint64_t offset = 0;
    std::uint64_t directory = 0;
    z.items_.reserve(entries.size());
    for (ZipEntry& e : entries) {
        Item it;
        it.entry = std::move(e);
        it.entry.name = unique_name(it.entry.name, taken);
        it.offset = offset;
        it.zip64 = force_zip64 || it.entry.size >= kMax32 || offset >= kMax32;
        offset += kLocalFixed + it.entry.name.size() + (it.zip64 ? kLocalZip64Extra : 0) +
                  it.entry.size + (it.zip64 ? kDescriptorZip64 : kDescriptor);
        directory += kCentralFixed + it.entry.name.size() + (it.zip64 ? kCentralZip64Extra : 0);
        z.items_.push_back(std::move(it));
    }
    z.directory_offset_ = offset;
    z.zip64_end_ =
        force_zip64 || z.items_.size() >= kMax16 || offset >= kMax32 || directory >= kMax32;
    z.length_ = offset + directory + (z.zip64_end_ ? kZip64End + kZip64Locator : 0) + kEnd;
    return z;
}

crypto::SecretBytes ZipStream::local_header(const Item& it) const {
    Out o;
    o.u32(kLocalSig);
    o.u16(it.zip64 ? kVersionZip64 : kVersion);
    o.u16(kFlags);
    o.u16(kStored);
    o.u16(dos_time_);
    o.u16(dos_date_);
    o.u32(0);  // CRC-32: in the descriptor
    // Sizes: in the descriptor; 0 here, or the ZIP64 marker with zeros in the extra field
    // (APPNOTE 4.3.9.1, 4.5.3: a local ZIP64 extra holds both sizes).
    o.u32(clamp32(0, it.zip64));
    o.u32(clamp32(0, it.zip64));
    o.u16(static_cast<std::uint16_t>(it.entry.name.size()));
    o.u16(static_cast<std::uint16_t>(it.zip64 ? kLocalZip64Extra : 0));
    o.text(it.entry.name);
    if (it.zip64) {
        o.u16(kZip64ExtraId);
        o.u16(16);
        o.u64(0);
        o.u64(0);
    }
    return std::move(o.b);
}

crypto::SecretBytes ZipStream::descriptor(const Item& it, std::uint64_t size) {
    Out o;
    o.u32(kDescriptorSig);  // optional but customary (APPNOTE 4.3.9.3)
    o.u32(it.crc);
    if (it.zip64) {
        o.u64(size);  // compressed = uncompressed: stored
        o.u64(size);
    } else {
        o.u32(static_cast<std::uint32_t>(size));
        o.u32(static_cast<std::uint32_t>(size));
    }
    return std::move(o.b);
}

crypto::SecretBytes ZipStream::directory() const {
    Out o;
    for (const Item& it : items_) {
        const std::uint16_t version = it.zip64 ? kVersionZip64 : kVersion;
        o.u32(kCentralSig);
        o.u16(kMadeByUnix | version);
        o.u16(version);
        o.u16(kFlags);
        o.u16(kStored);
        o.u16(dos_time_);
        o.u16(dos_date_);
        o.u32(it.crc);
        o.u32(clamp32(it.entry.size, it.zip64));
        o.u32(clamp32(it.entry.size, it.zip64));
        o.u16(static_cast<std::uint16_t>(it.entry.name.size()));
        o.u16(static_cast<std::uint16_t>(it.zip64 ? kCentralZip64Extra : 0));
        o.u16(0);  // comment
        o.u16(0);  // disk
        o.u16(0);  // internal attributes
        o.u32(kFileMode);
        o.u32(clamp32(it.offset, it.zip64));
        o.text(it.entry.name);
        if (it.zip64) {
            // Every field marked 0xFFFFFFFF above, in APPNOTE 4.5.3's order.
            o.u16(kZip64ExtraId);
            o.u16(24);
            o.u64(it.entry.size);
            o.u64(it.entry.size);
            o.u64(it.offset);
        }
    }
    const std::uint64_t size = o.b.size();
    const std::uint64_t count = items_.size();
    if (zip64_end_) {
        o.u32(kZip64EndSig);
        o.u64(kZip64End - 12);  // the record's size after this field (APPNOTE 4.3.14.1)
        o.u16(kMadeByUnix | kVersionZip64);
        o.u16(kVersionZip64);
        o.u32(0);  // this disk
        o.u32(0);  // the directory's disk
        o.u64(count);
        o.u64(count);
        o.u64(size);
        o.u64(directory_offset_);
        o.u32(kZip64LocatorSig);
        o.u32(0);
        o.u64(directory_offset_ + size);
        o.u32(1);  // disks in all
    }
    o.u32(kEndSig);
    o.u16(0);
    o.u16(0);
    o.u16(zip64_end_ ? kMax16 : static_cast<std::uint16_t>(count));
    o.u16(zip64_end_ ? kMax16 : static_cast<std::uint16_t>(count));
    o.u32(clamp32(size, zip64_end_));
    o.u32(clamp32(directory_offset_, zip64_end_));
    o.u16(0);  // comment
    return std::move(o.b);
}

Result<std::optional<crypto::SecretBytes>> ZipStream::next() {
    for (;;) {
        switch (phase_) {
            case Phase::header:
                if (current_ == items_.size()) {
                    phase_ = Phase::directory;
                    continue;
                }
                phase_ = Phase::data;
                read_ = 0;
                return std::optional{local_header(items_[current_])};
            case Phase::data: {
                Item& it = items_[current_];
                auto chunk = it.entry.data();
                if (!chunk) {
                    phase_ = Phase::done;
                    return chunk.error();
                }
                if (!*chunk) {
                    if (read_ != it.entry.size) {
                        phase_ = Phase::done;
                        return make_error(Errc::corrupt, "document shorter than its size");
                    }
                    it.entry.data = nullptr;  // the reader (and its copy of the key) goes now
                    phase_ = Phase::descriptor;
                    continue;
                }
                const crypto::SecretBytes& bytes = **chunk;
                if (bytes.size() > it.entry.size - read_) {
                    phase_ = Phase::done;
                    return make_error(Errc::corrupt, "document longer than its size");
                }
                if (bytes.empty()) {
                    continue;
                }
                it.crc = static_cast<std::uint32_t>(crc32_z(it.crc, bytes.data(), bytes.size()));
                read_ += bytes.size();
                return chunk;
            }
            case Phase::descriptor: {
                const Item& it = items_[current_];
                ++current_;
                phase_ = Phase::header;
                return std::optional{descriptor(it, read_)};
            }
            case Phase::directory:
                phase_ = Phase::done;
                return std::optional{directory()};
            case Phase::done:
                return std::optional<crypto::SecretBytes>{};
        }
    }
}

struct ZipGate::Ticket::State {
    std::mutex m;
    std::unordered_map<std::string, unsigned> per_session;
    unsigned open = 0;
};

ZipGate::ZipGate(unsigned per_session, unsigned total)
    : per_session_(per_session), total_(total), state_(std::make_shared<Ticket::State>()) {}

ZipGate::Ticket ZipGate::try_enter(const std::string& session) {
    Ticket t;
    const std::scoped_lock lock(state_->m);
    if (state_->open >= total_) {
        return t;
    }
    unsigned& mine = state_->per_session[session];
    if (mine >= per_session_) {
        return t;
    }
    ++mine;
    ++state_->open;
    t.state_ = state_;
    t.session_ = session;
    return t;
}

ZipGate::Ticket::~Ticket() {
    if (!state_) {
        return;
    }
    const std::scoped_lock lock(state_->m);
    --state_->open;
    auto it = state_->per_session.find(session_);
    if (it != state_->per_session.end() && --it->second == 0) {
        state_->per_session.erase(it);
    }
}

}  // namespace sealpost::portal
