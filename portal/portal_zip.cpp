// In-memory ZIP archives with libzip: RAII for zip_t and zip_source_t lives here only.
#include "portal/portal_zip.hpp"

#include <zip.h>

#include <memory>

namespace sealpost::portal {

namespace {

struct SourceFree {
    void operator()(zip_source_t* s) const noexcept { zip_source_free(s); }
};
using SourcePtr = std::unique_ptr<zip_source_t, SourceFree>;

struct ArchiveDiscard {
    void operator()(zip_t* z) const noexcept { zip_discard(z); }
};
using ArchivePtr = std::unique_ptr<zip_t, ArchiveDiscard>;

/// Owns a zip_error_t and frees it.
struct ZipError {
    zip_error_t e{};
    ZipError() { zip_error_init(&e); }
    ~ZipError() { zip_error_fini(&e); }
    ZipError(const ZipError&) = delete;
    ZipError& operator=(const ZipError&) = delete;
    Error error(std::string_view what) {
        return make_error(Errc::internal, std::string(what) + ": " + zip_error_strerror(&e));
    }
};

Error archive_error(zip_t* z, std::string_view what) {
    return make_error(Errc::internal, std::string(what) + ": " + zip_strerror(z));
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

Result<crypto::SecretBytes> zip_build(const std::vector<ZipEntry>& entries) {
    if (entries.empty()) {
        return make_error(Errc::invalid_argument, "no documents selected");
    }
    ZipError err;
    SourcePtr out(zip_source_buffer_create(nullptr, 0, 0, &err.e));
    if (!out) {
        return err.error("zip buffer");
    }
    ArchivePtr archive(zip_open_from_source(out.get(), ZIP_TRUNCATE, &err.e));
    if (!archive) {
        return err.error("zip open");  // not taken over: `out` frees it
    }
    // The archive owns one reference now; `out` keeps its own, so the buffer outlives
    // zip_close and the archive can be read back from it.
    zip_source_keep(out.get());
    std::unordered_set<std::string> taken;
    taken.reserve(entries.size());
    for (const ZipEntry& entry : entries) {
        const std::string name = unique_name(entry.name, taken);
        // The source borrows entry.data, which outlives zip_close below.
        SourcePtr data(zip_source_buffer(archive.get(), entry.data.data(), entry.data.size(), 0));
        if (!data) {
            return archive_error(archive.get(), "zip source");
        }
        const zip_int64_t index =
            zip_file_add(archive.get(), name.c_str(), data.get(), ZIP_FL_ENC_UTF_8);
        if (index < 0) {
            return archive_error(archive.get(), "zip add");
        }
        (void)data.release();  // the archive owns it now
        if (zip_set_file_compression(archive.get(), static_cast<zip_uint64_t>(index), ZIP_CM_STORE,
                                     0) != 0) {
            return archive_error(archive.get(), "zip store");
        }
    }
    if (zip_close(archive.get()) != 0) {
        return archive_error(archive.get(), "zip close");
    }
    (void)archive.release();  // zip_close freed it
    if (zip_source_open(out.get()) != 0) {
        return make_error(Errc::internal, "zip reopen");
    }
    zip_source_seek(out.get(), 0, SEEK_END);
    const zip_int64_t size = zip_source_tell(out.get());
    zip_source_seek(out.get(), 0, SEEK_SET);
    if (size <= 0) {
        zip_source_close(out.get());
        return make_error(Errc::internal, "zip empty");
    }
    crypto::SecretBytes bytes(static_cast<std::size_t>(size));
    const zip_int64_t got = zip_source_read(out.get(), bytes.data(), bytes.size());
    zip_source_close(out.get());
    if (got != size) {
        return make_error(Errc::internal, "zip read");
    }
    return bytes;
}

}  // namespace sealpost::portal
