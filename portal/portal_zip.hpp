// "Download selected": the chosen documents as one ZIP archive, built in memory with libzip
// (the caller bounds the total size by portal.max_zip_size).
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "core/core_result.hpp"
#include "vault/vault_crypto.hpp"

namespace sealpost::portal {

struct ZipEntry {
    std::string name;          ///< UTF-8 file name, already sanitised; made unique here
    crypto::SecretBytes data;  ///< plaintext; wiped when the entry is destroyed
};

/** The archive of `entries` in order, stored without compression (invoices are PDFs, which
 * are compressed already; storing keeps the CPU cost at a copy). Names are flagged UTF-8
 * (APPNOTE 4.4.4 bit 11); a repeated name gets " (2)", " (3)" … before its extension.
 * Errors: Errc::invalid_argument (no entries), Errc::internal (libzip failed; detail has its
 * message). libzip's own buffers are freed but not wiped. */
Result<crypto::SecretBytes> zip_build(const std::vector<ZipEntry>& entries);

/// `name` made unique against `taken` (which it is then added to): "a.pdf", "a (2).pdf", ...
std::string unique_name(const std::string& name, std::unordered_set<std::string>& taken);

}  // namespace sealpost::portal
