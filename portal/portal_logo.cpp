// SPDX-License-Identifier: Apache-2.0
// Loads the practice's logo at startup and turns a bad file into an error value, which main
// prints as one line before it exits (on SIGHUP, the reload logs it and keeps the old logo);
// requests never read the file.
#include "portal/portal_logo.hpp"

#include <fstream>

namespace sealpost::portal {

namespace {

/// A logo, not a scan: the whole file is held in memory for every page that shows it.
constexpr std::size_t kMaxLogo = 1U << 20;

std::string type_of(const std::filesystem::path& p) {
    const std::string ext = p.extension().string();
    if (ext == ".svg") {
        return "image/svg+xml";
    }
    if (ext == ".jpg" || ext == ".jpeg") {
        return "image/jpeg";
    }
    return "image/png";
}

}  // namespace

Result<Logo> load_logo(const std::filesystem::path& path) {
    Logo logo;
    if (path.empty()) {
        return logo;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return make_error(Errc::io, "cannot read " + path.string());
    }
    // One byte more than allowed tells a file at the cap from a larger one, without reading
    // the rest of a large file.
    logo.bytes.resize(kMaxLogo + 1);
    in.read(logo.bytes.data(), static_cast<std::streamsize>(logo.bytes.size()));
    logo.bytes.resize(static_cast<std::size_t>(in.gcount()));
    if (logo.bytes.size() > kMaxLogo) {
        return make_error(Errc::io, path.string() + " is larger than 1 MiB");
    }
    logo.type = type_of(path);
    return logo;
}

}  // namespace sealpost::portal
