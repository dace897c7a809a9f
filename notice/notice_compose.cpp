// SPDX-License-Identifier: Apache-2.0
// compose_notice_mail: a fresh message around the notice body that the sealing rewrite also
// uses (detail::make_notice_body), checked by parsing it again like every rewritten message.
#include "notice/notice_compose.hpp"

#include "core/core_hex.hpp"
#include "crypto/crypto_random.hpp"
#include "mime/mime_message.hpp"
#include "mime/mime_text.hpp"
#include "mime/mime_tree.hpp"
#include "smtp/smtp_command.hpp"

namespace sealpost::mime {
namespace {

bool has_line_break(std::string_view s) {
    return s.find_first_of("\r\n") != std::string_view::npos;
}

std::string domain_of(std::string_view address) {
    const auto at = address.rfind('@');
    return std::string(address.substr(at + 1));
}

}  // namespace

Result<std::string> compose_notice_mail(const NoticeMail& mail) {
    // RFC 5321 mailboxes only: a comment, a group or a second address in either field would
    // send the notice somewhere else.
    if (!smtp::valid_mailbox(mail.from, true) || !smtp::valid_mailbox(mail.to, true)) {
        return make_error(Errc::invalid_argument, "notice mail: bad address");
    }
    if (has_line_break(mail.from_name) || has_line_break(mail.subject)) {
        return make_error(Errc::invalid_argument, "notice mail: line break in a header");
    }
    gobj::ensure_init();
    auto msg = gobj::Ref<GMimeMessage>::adopt(g_mime_message_new(TRUE));
    g_mime_message_add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_FROM, mail.from_name.c_str(),
                               mail.from.c_str());
    g_mime_message_add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_TO, nullptr, mail.to.c_str());
    g_mime_message_set_subject(msg.get(), mail.subject.c_str(), "utf-8");
    const std::string date = gobj::date_header(mail.date);
    if (date.empty()) {
        return make_error(Errc::invalid_argument, "notice mail: date out of range");
    }
    g_mime_object_set_header(gobj::object(msg.get()), "Date", date.c_str(), nullptr);
    // RFC 5322 section 3.6.4: unique; random rather than GMime's time.pid.counter form, which
    // would tell the patient's provider about the host.
    SP_TRY(random, crypto::random_bytes(16));
    const std::string id = hex::encode(random) + "@" + domain_of(mail.from);
    g_mime_message_set_message_id(msg.get(), id.c_str());
    auto body = detail::make_notice_body(mail.notice.text, mail.notice.html);
    g_mime_message_set_mime_part(msg.get(), gobj::object(body.get()));
    g_mime_object_set_header(gobj::object(msg.get()), "MIME-Version", "1.0", nullptr);
    SP_TRY(out, detail::serialise(msg.get()));

    auto check = MimeMessage::parse(out);
    if (!check || check->text_parts() != 2 || !check->attachments().empty()) {
        return make_error(Errc::internal, "notice mail: composed message does not parse back");
    }
    return out;
}

}  // namespace sealpost::mime
