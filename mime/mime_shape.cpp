// SPDX-License-Identifier: Apache-2.0
// Raw-byte checks for ambiguous MIME: near-boundary lines (RFC 2046 5.1.1) and duplicated
// content headers (RFC 2045 section 3 allows each once). Linear in the message size.
#include "mime/mime_shape.hpp"

#include <array>
#include <cctype>

#include "core/core_ascii.hpp"

namespace sealpost::mime::detail {
void raw_boundaries(std::string_view raw, std::set<std::string>& out) {
    constexpr std::string_view key = "boundary";
    for (std::size_t i = 0; i + key.size() < raw.size(); ++i) {
        if (ascii_lower(raw[i]) != 'b' || !ascii_iequals(raw.substr(i, key.size()), key)) {
            continue;
        }
        std::size_t p = i + key.size();
        // RFC 2231 section 3 continuations (`boundary*0=`) are read by some clients too.
        while (p < raw.size() &&
               (raw[p] == '*' || std::isdigit(static_cast<unsigned char>(raw[p])) != 0)) {
            ++p;
        }
        while (p < raw.size() && (raw[p] == ' ' || raw[p] == '\t')) {
            ++p;
        }
        if (p >= raw.size() || raw[p] != '=') {
            continue;
        }
        ++p;
        while (p < raw.size() && (raw[p] == ' ' || raw[p] == '\t')) {
            ++p;
        }
        std::string value;
        if (p < raw.size() && raw[p] == '"') {
            ++p;
            while (p < raw.size() && raw[p] != '"' && raw[p] != '\r' && raw[p] != '\n' &&
                   value.size() < 200) {
                if (raw[p] == '\\' && p + 1 < raw.size()) {
                    ++p;
                }
                value.push_back(raw[p++]);
            }
        } else {
            while (p < raw.size() && raw[p] != ';' && raw[p] != '\r' && raw[p] != '\n' &&
                   raw[p] != ' ' && raw[p] != '\t' && value.size() < 200) {
                value.push_back(raw[p++]);
            }
        }
        if (!value.empty()) {
            out.insert(std::move(value));
        }
        i = p > i ? p - 1 : i;
    }
}

std::optional<std::size_t> near_boundary_line(std::string_view raw,
                                              const std::set<std::string>& boundaries) {
    std::size_t pos = 0;
    while (pos < raw.size()) {
        std::size_t end = raw.find('\n', pos);
        if (end == std::string_view::npos) {
            end = raw.size();
        }
        std::string_view line = raw.substr(pos, end - pos);
        const std::size_t at = pos;
        pos = end + 1;
        if (line.size() < 2 || line[0] != '-' || line[1] != '-') {
            continue;
        }
        while (!line.empty() &&
               (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
            line.remove_suffix(1);
        }
        const std::string_view rest = line.substr(2);
        for (const auto& b : boundaries) {
            if (rest.substr(0, b.size()) != b) {
                continue;
            }
            const std::string_view tail = rest.substr(b.size());
            if (!tail.empty() && tail != "--") {
                return at;
            }
        }
    }
    return std::nullopt;
}

std::optional<std::string_view> duplicate_content_header(
    const std::vector<std::string_view>& header_names) {
    static constexpr std::array<std::string_view, 3> kNames = {
        "Content-Type", "Content-Transfer-Encoding", "Content-Disposition"};
    std::array<int, 3> counts{};
    for (const auto name : header_names) {
        for (std::size_t k = 0; k < kNames.size(); ++k) {
            if (ascii_iequals(name, kNames[k]) && ++counts[k] > 1) {
                return kNames[k];
            }
        }
    }
    return std::nullopt;
}

}  // namespace sealpost::mime::detail
