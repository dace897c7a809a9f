// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the vCard contacts importer (2.1/3.0/4.0, folding, parameters, TYPE/PREF).
// Invariants (fuzz_import_check.hpp): only invalid_argument errors; canonical, unique contacts;
// issues are printable lines of the file.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "admin/admin_import_vcard.hpp"
#include "fuzz_import_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto result = sealpost::admin::import_vcard(text);
    sealpost::fuzz::check_import("fuzz_import_vcard", text, result);
    return 0;
}
