// SPDX-License-Identifier: Apache-2.0
// sealpost's own mails (architecture.md section 5b: resend and download notices): one transaction
// through the [notify] upstream (or [upstream]), SMTP smarthost or maildir, in two steps so
// that the caller can commit to the vault once the upstream has accepted sender and recipient.
#pragma once

#include <memory>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/core_config.hpp"
#include "core/core_result.hpp"
#include "smtp/smtp_upstream.hpp"

namespace sealpost::notice {

namespace net = boost::asio;

/** The upstream settings of sealpost's own mails: the [notify] upstream (or [upstream]), with
 * the proxy's hostname, size limit and DATA timeout. Own mails never relay a client's AUTH,
 * so only the [notify]/[upstream] credentials count for the no-password-in-clear check.
 */
smtp::UpstreamOptions notify_options(const Config& cfg);

class NotifySender {
  public:
    /** Settings from `opts` (notify_options()): client TLS context, the password file (0600
     * or stricter), maildir folders. Only sealpost's own credentials are ever sent here.
     * Errors: Errc::invalid_argument with one line for the sysadmin (the same checks the proxy
     * makes at start).
     */
    static Result<NotifySender> make(net::any_io_executor ex, const smtp::UpstreamOptions& opts);

    /** Connects (TLS as configured, certificates checked), EHLO, AUTH with the configured
     * username (none without one), MAIL FROM:<from>, RCPT TO:<to>. Nothing is delivered yet.
     * Errors: those of smtp::Client (Errc::unavailable: cannot connect or timeout;
     * Errc::auth_failed: TLS or certificate), and Errc::unavailable with detail
     * `STEP refused: <reply>` when the upstream answers AUTH, MAIL or RCPT with an error.
     */
    net::awaitable<Status> begin(std::string_view from, std::string_view to);

    /** DATA with `message` (CRLF lines, not dot-stuffed) after begin(). Errors as begin(),
     * with `DATA refused: <reply>`.
     */
    net::awaitable<Status> finish(std::string_view message);

    /// QUIT (best effort) and close.
    net::awaitable<void> quit();

  private:
    explicit NotifySender(std::unique_ptr<smtp::Upstream> up) : up_(std::move(up)) {}
    std::unique_ptr<smtp::Upstream> up_;
};

}  // namespace sealpost::notice
