// SPDX-License-Identifier: Apache-2.0
// The embedded default upstream `maildir:PATH`: delivers each accepted message into a local
// Maildir (tmp/ then new/, fsync, unique names per the Maildir convention), so sealpost-proxy
// runs with nothing else installed (demo, tests).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/core_result.hpp"

namespace sealpost::smtp {

/// Creates PATH/{tmp,new,cur} (mode 0700) if missing. Throws at startup when it cannot.
void maildir_prepare(const std::filesystem::path& dir);

/// Delivers `message` (CRLF lines) with a leading `Return-Path:`; lines are stored with LF as
/// Maildir readers expect. Written to tmp/, fsynced, renamed into new/, and new/ fsynced, so
/// a crash leaves either the whole message in new/ or nothing there. Returns the file name.
Result<std::string> maildir_deliver(const std::filesystem::path& dir, std::string_view sender,
                                    std::string_view message);

}  // namespace sealpost::smtp
