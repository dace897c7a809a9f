// SPDX-License-Identifier: Apache-2.0
// Internal to mime/mime_*: MIME shapes on which parsers may disagree (DESIGN section 3,
// "parser disagreement fails closed"). GMime's reading must never be the only thing between a
// document and a client that reads the bytes differently, so these checks read the raw bytes
// and the raw header lists themselves.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sealpost::mime::detail {

/// Every `boundary=` parameter value written anywhere in `raw` (quoted or token form,
/// RFC 2045 section 5.1), whatever header or part it is in: a superset of what any parser
/// uses. One linear scan.
void raw_boundaries(std::string_view raw, std::set<std::string>& out);

/// The offset of the first line that begins with `--` + one of `boundaries` but is neither
/// that delimiter nor its close delimiter (trailing space and tab ignored), nullopt if none.
/// RFC 2046 section 5.1.1 lets a reader take any line that merely *begins* with the boundary
/// as a delimiter; GMime does not, so such a line hides a part from one of the two readers.
std::optional<std::size_t> near_boundary_line(std::string_view raw,
                                              const std::set<std::string>& boundaries);

/// The content header (Content-Type, Content-Transfer-Encoding, Content-Disposition) that
/// occurs more than once among `header_names` (one entity's header names in order), nullopt
/// if none. Readers take the first or the last one: they see different parts.
std::optional<std::string_view> duplicate_content_header(
    const std::vector<std::string_view>& header_names);

}  // namespace sealpost::mime::detail
