// SPDX-License-Identifier: Apache-2.0
// The sealing policy's entry points (DESIGN.md section 5): load a policy file, and decide
// seal / pass / reject for one recipient of one message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "core/core_result.hpp"
#include "policy/policy_types.hpp"

namespace sealpost::policy {

/// Largest policy file read, and most rules in one file.
inline constexpr std::uint64_t kMaxPolicyFile = 1ULL << 20;
inline constexpr std::size_t kMaxRules = 1000;
/// Most entries in one list-valued key (`from = [...]`).
inline constexpr std::size_t kMaxListEntries = 1000;

/// Reads and checks a policy file. Errors: Errc::invalid_argument (any problem in the file;
/// detail is one line `FILE:LINE: KEY: what is wrong`), Errc::io (cannot read it). For SIGHUP:
/// on error keep the old policy and log the detail.
Result<Policy> policy_load(const std::filesystem::path& path);

/// Parses policy text as if it were the file `label` (tests, `sealpost policy check`).
Result<Policy> policy_parse(std::string_view toml_text, std::string_view label);

/// Startup variant: throws ConfigError (core/core_config.hpp) with the same one-line text.
Policy policy_load_or_throw(const std::filesystem::path& path);

/// The decision for one recipient: the first rule whose keys all match decides; no rule gives
/// `no_match`. A `seal` of a signed or encrypted message becomes the policy's `signed` or
/// `encrypted` setting (pass unchanged, or reject), because sealing would break it. A `seal`
/// that selects no attachment becomes `pass` (source nothing_to_seal); otherwise a seal's
/// Decision::selection lists the attachments to seal.
Decision policy_decide(const Policy& p, const MessageFacts& msg, const RecipientFacts& rcpt);

/// The decision for a recipient of a message nobody can read for sure (the parser refused
/// it): the first rule whose address and recipient keys match decides, but only when it has no
/// key that reads the message's content (attachment keys, `subject_tag`, `sensitivity`) and
/// its action is `pass` or `reject`; a `seal`, or a content key met first, means the
/// decision would depend on what the message carries: nullopt. No rule: `no_match`.
std::optional<Decision> policy_decide_without_content(const Policy& p, std::string_view sender,
                                                      const RecipientFacts& rcpt);

/// The attachments a seal moves into the vault: all, or those that look like invoices;
/// inline images (AttachmentFacts::inline_image) only when keep_inline_images is false.
std::vector<std::size_t> select_attachments(AttachmentSelector sel, bool keep_inline_images,
                                            const MessageFacts& msg);

/// True when every key of `rule` matches (exposed for `sealpost policy check` and tests).
bool rule_matches(const Rule& rule, const MessageFacts& msg, const RecipientFacts& rcpt);

/// Makes a reject text safe for an SMTP reply line (RFC 5321 4.2: printable US-ASCII):
/// common accented letters are transliterated (ä -> ae, é -> e), other bytes become '?',
/// runs of whitespace become one space, and the result is cut to kMaxRejectMessage.
std::string sanitize_reply_text(std::string_view text);

}  // namespace sealpost::policy
