// SPDX-License-Identifier: Apache-2.0
// sealpost-proxy's client session: greeting, command loop, the command table with each
// command's check, and the proceeds of EHLO/STARTTLS/MAIL/RCPT/RSET, in lockstep with the
// upstream (RFC 5321, 3207, 1870, 2920, 3463). AUTH's proceed is in proxy_session_auth.cpp,
// DATA's in proxy_session_data.cpp.
#include "proxy/proxy_session.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>

#include <boost/asio/use_awaitable.hpp>

#include "core/core_hex.hpp"
#include "core/core_log.hpp"
#include "crypto/crypto_random.hpp"
#include "smtp/smtp_data_reader.hpp"
#include "smtp/smtp_sasl.hpp"

namespace sealpost::proxy {

namespace {

/// The reply to MAIL or RCPT arguments that do not parse; only a bad address differs.
R arg_refusal(const smtp::ArgFailure& f, R bad_address) {
    switch (f.kind) {
        case smtp::ArgError::unknown_param:
            return R::unknown_param;
        case smtp::ArgError::bad_address:
            return bad_address;
        case smtp::ArgError::need_utf8:
            return R::need_utf8;
        default:
            return R::syntax;
    }
}

std::string_view kind_name(ListenerKind k) {
    return to_string(k);
}

/// EHLO/HELO argument: a domain or an address literal (RFC 5321 4.1.1.1), printable only.
bool valid_helo(std::string_view s) {
    if (s.empty() || s.size() > 255) {
        return false;
    }
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '[' ||
                        c == ']' || c == ':';
        if (!ok || u > 0x7f) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::string new_session_id() {
    std::array<std::uint8_t, 8> b{};
    if (!crypto::random_fill(b)) {
        // Ids only need to be unique per process for logs; never fail a session over one.
        static std::uint64_t fallback = 0;
        std::string id = "s";
        id += std::to_string(++fallback);
        return id;
    }
    return hex::encode(b);
}

Session::Session(std::shared_ptr<const SessionShared> shared, ListenerKind kind,
                 bool loopback_listener, net::ip::tcp::socket socket,
                 std::shared_ptr<net::ssl::context> tls)
    : shared_(std::move(shared)),
      cfg_(*shared_->cfg),
      kind_(kind),
      loopback_listener_(loopback_listener),
      tls_ctx_(std::move(tls)),
      stream_(std::make_shared<Stream>(std::move(socket))),
      sid_(new_session_id()) {
    client_ip_ = stream_->remote_ip();
    trusted_ = cfg_.is_trusted(client_ip_);
    if (!trusted_ && shared_->load) {
        unprivileged_ = true;
        ++shared_->load->unprivileged;
    }
}

Session::~Session() {
    mark_authenticated();  // leaves the unprivileged count, if still in it
}

void Session::mark_authenticated() {
    if (unprivileged_ && shared_->load) {
        --shared_->load->unprivileged;
    }
    unprivileged_ = false;
}

std::chrono::steady_clock::duration Session::command_wait() const {
    std::chrono::steady_clock::duration wait = cfg_.command_timeout;
    if (unprivileged_) {
        // Before AUTH an untrusted client has shown nothing: it gets little time to say
        // something and a bounded time to authenticate (issue: resource bounds; the idea of
        // Postfix's postscreen and smtpd_timeout). Never authenticated means never privileged.
        const auto left = started_ + cfg_.preauth_time_limit - std::chrono::steady_clock::now();
        wait = std::min<std::chrono::steady_clock::duration>(
            {wait, cfg_.preauth_timeout, std::max(left, std::chrono::steady_clock::duration(1))});
    }
    if (!trusted_ && shared_->load && shared_->load->stressed(cfg_)) {
        wait = std::min<std::chrono::steady_clock::duration>(wait, cfg_.stress_timeout);
    }
    return wait;
}

std::string_view Session::state_name(State s) {
    switch (s) {
#define SEALPOST_SMTP_STATE_NAME(name) \
    case State::name:                  \
        return #name;
        SEALPOST_SMTP_SESSION_STATES(SEALPOST_SMTP_STATE_NAME)
#undef SEALPOST_SMTP_STATE_NAME
    }
    return "?";  // not reached: every state has its case
}

void Session::enter_state(State s) {
    log::debug("smtp.state").kv("sid", sid_).kv("from", state_name(state_)).kv("to", state_name(s));
    state_ = s;
}

void Session::request_shutdown() {
    shutdown_requested_ = true;
    if (waiting_for_command_ && !tx_) {
        stream_->cancel();
    }
}

void Session::force_close() {
    stream_->close();
    if (upstream_) {
        upstream_->close();
    }
}

net::awaitable<bool> Session::send(const smtp::Reply& r) {
    auto st = co_await stream_->write(r.serialize(), cfg_.command_timeout);
    co_return st.ok();
}

net::awaitable<Session::Next> Session::reply_next(const smtp::Reply& r) {
    co_return (co_await send(r)) ? Next::cont : Next::close;
}

net::awaitable<Session::Next> Session::refuse(R id) {
    ++bad_commands_;
    if (bad_commands_ >= cfg_.max_bad_commands) {
        log::warn("smtp.too_many_errors")
            .kv("sid", sid_)
            .kv("count", static_cast<std::uint64_t>(bad_commands_));
        co_await send(reply(R::too_many_errors));
        co_return Next::close;
    }
    co_return co_await reply_next(reply(id));
}

net::awaitable<Session::Next> Session::relay(smtp::Reply r) {
    smtp::ensure_enhanced(r);
    co_return co_await reply_next(r);
}

net::awaitable<Session::Next> Session::upstream_failed(const Error& e, std::string_view step) {
    ++shared_->metrics->upstream_errors;
    log::warn("upstream.failed")
        .kv("sid", sid_)
        .kv("step", step)
        .kv("err", errc_name(e.code))
        .kv("detail", e.detail);
    // RFC 3463 section 3.5: X.4.1 "no answer from host" while the upstream is being reached;
    // X.4.2 "bad connection" when a session it had greeted breaks (reset, timeout, closed,
    // found closed at MAIL).
    R id = reply_id_for(e);
    if (id == R::upstream_unavailable && upstream_greeted_) {
        id = R::upstream_broken;
    }
    drop_upstream();
    co_return co_await reply_next(reply(id));
}

void Session::drop_upstream() {
    if (upstream_) {
        upstream_->close();
    }
    tx_.reset();
    upstream_greeted_ = false;
    upstream_own_auth_done_ = false;
    if (cfg_.auth == AuthMode::passthrough) {
        authenticated_ = false;  // the upstream session that held the login is gone
    }
    enter_state(State::connected);  // a new EHLO opens a new upstream session
}

bool Session::may_auth() const {
    // RFC 4954 4 / DESIGN 3: AUTH only over TLS, unless on a plain listener bound to loopback
    // (no TLS there at all). A submission listener offers STARTTLS, so it requires it even on
    // loopback: a client that would send a password in clear there is misconfigured.
    return cfg_.auth != AuthMode::none &&
           (stream_->tls() || (kind_ == ListenerKind::plain && loopback_listener_));
}

std::vector<std::string> Session::auth_mechanisms() const {
    std::vector<std::string> out;
    if (!may_auth()) {
        return out;
    }
    if (cfg_.auth == AuthMode::local) {
        return {"PLAIN", "LOGIN"};
    }
    if (upstream_ && upstream_->is_open()) {
        for (const char* m : {"PLAIN", "LOGIN", "XOAUTH2"}) {
            if (upstream_->caps().has_auth(m)) {
                out.emplace_back(m);
            }
        }
    }
    return out;
}

std::uint64_t Session::size_limit() const {
    std::uint64_t limit = cfg_.max_message_size;
    if (upstream_ && upstream_->is_open() && upstream_->caps().size > 0) {
        limit = std::min(limit, upstream_->caps().size);
    }
    return limit;
}

smtp::ParamPolicy Session::param_policy() const {
    smtp::ParamPolicy p;
    const bool up = upstream_ && upstream_->is_open();
    p.size = esmtp_;
    p.eightbitmime = esmtp_ && up && upstream_->caps().eightbitmime;
    p.smtputf8 = esmtp_ && up && upstream_->caps().smtputf8;
    p.dsn = esmtp_ && up && upstream_->caps().dsn;
    return p;
}

smtp::Reply Session::ehlo_reply() const {
    smtp::Reply r;
    r.code = 250;
    r.lines.push_back(shared_->hostname);
    const auto p = param_policy();
    // PIPELINING and ENHANCEDSTATUSCODES are per hop: the proxy itself reads pipelined
    // commands and relays to the upstream one at a time, and it adds enhanced codes to any
    // upstream reply without one. SIZE, 8BITMIME, SMTPUTF8 and DSN mirror the upstream.
    r.lines.emplace_back("PIPELINING");
    r.lines.push_back("SIZE " + std::to_string(size_limit()));
    if (p.eightbitmime) {
        r.lines.emplace_back("8BITMIME");
    }
    r.lines.emplace_back("ENHANCEDSTATUSCODES");
    if (p.smtputf8) {
        r.lines.emplace_back("SMTPUTF8");
    }
    if (p.dsn) {
        r.lines.emplace_back("DSN");
    }
    if (kind_ == ListenerKind::submission && !stream_->tls() && tls_ctx_) {
        r.lines.emplace_back("STARTTLS");
    }
    const auto mechs = auth_mechanisms();
    if (!mechs.empty() && !authenticated_) {
        std::string line = "AUTH";
        for (const auto& m : mechs) {
            line += ' ';
            line += m;
        }
        r.lines.push_back(std::move(line));
    }
    // Never CHUNKING (DESIGN 9): BDAT would bypass the DATA smuggling checks.
    return r;
}

void Session::reset_transaction() {
    tx_.reset();
    if (state_ == State::body) {
        enter_state(State::helo);
    }
}

net::awaitable<void> Session::run() {
    auto self = shared_from_this();
    log::info("smtp.connect")
        .kv("sid", sid_)
        .kv("ip", client_ip_)
        .kv("listener", kind_name(kind_))
        .kv("trusted", trusted_);
    if (kind_ == ListenerKind::submissions) {
        enter_state(State::tls);
        auto hs = co_await stream_->handshake_server(*tls_ctx_, command_wait());
        if (!hs) {
            log::info("smtp.tls_failed").kv("sid", sid_).kv("detail", hs.error().detail);
            stream_->close();
            co_return;
        }
        log::info("smtp.tls").kv("sid", sid_).kv("cipher", stream_->tls_description());
    }
    enter_state(State::connected);
    bool open = co_await send(smtp::make_reply(220, "", shared_->hostname + " ESMTP sealpost"));
    while (open) {
        if (shutdown_requested_ && !tx_) {
            co_await send(reply(R::shutting_down));
            break;
        }
        waiting_for_command_ = true;
        auto line = co_await stream_->read_line(cfg_.max_command_line, command_wait());
        waiting_for_command_ = false;
        if (!line) {
            if (stream_->timed_out()) {
                log::info("smtp.timeout").kv("sid", sid_).kv("state", state_name(state_));
                co_await send(reply(R::timeout));
            } else if (shutdown_requested_) {
                co_await send(reply(R::shutting_down));
            }
            break;
        }
        if (line->too_long) {
            open = (co_await refuse(R::line_too_long)) == Next::cont;
            continue;
        }
        open = (co_await dispatch(line->text)) == Next::cont;
        crypto::wipe(line->text);  // may have held an AUTH initial response
    }
    enter_state(State::quit);
    if (upstream_) {
        if (tx_) {
            upstream_->close();  // abandon: never complete a half-received transaction
        } else {
            co_await upstream_->quit();
        }
    }
    stream_->close();
    log::info("smtp.disconnect")
        .kv("sid", sid_)
        .kv("messages", static_cast<std::uint64_t>(messages_));
}

const Session::Command* Session::command_for(smtp::Verb verb) {
    // OpenSMTPD's commands[]. Not offered: EXPN (it would list a mailbox's members) and BDAT
    // (CHUNKING is never advertised: it would bypass the DATA smuggling checks, architecture
    // §9); they get 502, an unknown verb 500.
    static constexpr Command kCommands[] = {
        {smtp::Verb::helo, &Session::check_helo, &Session::proceed_helo},
        {smtp::Verb::ehlo, &Session::check_helo, &Session::proceed_ehlo},
        {smtp::Verb::starttls, &Session::check_starttls, &Session::proceed_starttls},
        {smtp::Verb::auth, &Session::check_auth, &Session::proceed_auth},
        {smtp::Verb::mail, &Session::check_mail, &Session::proceed_mail},
        {smtp::Verb::rcpt, &Session::check_rcpt, &Session::proceed_rcpt},
        {smtp::Verb::data, &Session::check_data, &Session::proceed_data},
        {smtp::Verb::rset, nullptr, &Session::proceed_rset},
        {smtp::Verb::quit, nullptr, &Session::proceed_quit},
        {smtp::Verb::noop, nullptr, &Session::proceed_noop},
        {smtp::Verb::vrfy, nullptr, &Session::proceed_vrfy},
        {smtp::Verb::help, nullptr, &Session::proceed_help},
    };
    for (const Command& c : kCommands) {
        if (c.verb == verb) {
            return &c;
        }
    }
    return nullptr;
}

net::awaitable<Session::Next> Session::dispatch(std::string& line) {
    auto parsed = smtp::parse_command(line);
    if (!parsed) {
        co_return co_await refuse(R::syntax);
    }
    auto& cmd = *parsed;
    if (cmd.verb != smtp::Verb::auth) {
        log::debug("smtp.command").kv("sid", sid_).kv("verb", smtp::verb_name(cmd.verb));
    }
    Next next = Next::cont;
    const Command* command = command_for(cmd.verb);
    std::optional<Refused> refused;
    if (command == nullptr) {
        refused =
            Refused{cmd.verb == smtp::Verb::unknown ? R::unknown_command : R::not_implemented};
    } else if (command->check != nullptr) {
        refused = (this->*command->check)(cmd.args);
    }
    if (!refused) {
        next = co_await (this->*command->proceed)(cmd.args);
    } else if (refused->counts) {
        next = co_await refuse(refused->reply);
    } else {
        next = co_await reply_next(reply(refused->reply));
    }
    crypto::wipe(cmd.args);
    co_return next;
}

std::optional<Session::Refused> Session::check_helo(const std::string& args) const {
    if (!valid_helo(args)) {
        return Refused{R::syntax};
    }
    return std::nullopt;
}

std::optional<Session::Refused> Session::check_starttls(const std::string& args) const {
    if (kind_ != ListenerKind::submission || !tls_ctx_) {
        return Refused{R::not_implemented};
    }
    if (stream_->tls() || tx_) {
        return Refused{R::bad_sequence};
    }
    if (!args.empty()) {
        return Refused{R::syntax};
    }
    return std::nullopt;
}

std::optional<Session::Refused> Session::check_auth(const std::string& /*args*/) const {
    if (state_ != State::helo || !esmtp_) {
        return Refused{state_ == State::connected ? R::need_hello : R::bad_sequence};
    }
    if (authenticated_) {
        return Refused{R::already_auth};
    }
    if (tx_) {
        return Refused{R::bad_sequence};
    }
    if (cfg_.auth == AuthMode::none) {
        return Refused{R::not_implemented};
    }
    if (!may_auth()) {
        log::info("smtp.auth_refused").kv("sid", sid_).kv("reason", "no_tls");
        return Refused{R::encryption_required};
    }
    return std::nullopt;
}

std::optional<Session::Refused> Session::check_mail(const std::string& /*args*/) const {
    if (state_ != State::helo) {
        return Refused{state_ == State::connected ? R::need_hello : R::bad_sequence};
    }
    if (tx_) {
        return Refused{R::bad_sequence};
    }
    return std::nullopt;
}

std::optional<Session::Refused> Session::check_rcpt(const std::string& /*args*/) const {
    if (!tx_) {
        return Refused{R::bad_sequence};
    }
    return std::nullopt;
}

std::optional<Session::Refused> Session::check_data(const std::string& args) const {
    if (!args.empty()) {
        return Refused{R::syntax};
    }
    if (!tx_) {
        return Refused{R::bad_sequence};
    }
    if (tx_->rcpts.empty()) {
        return Refused{R::no_recipients, false};  // RFC 2920 3.1; not the client's error
    }
    return std::nullopt;
}

net::awaitable<Session::Next> Session::proceed_helo(std::string& args) {
    co_return co_await hello(args, false);
}

net::awaitable<Session::Next> Session::proceed_ehlo(std::string& args) {
    co_return co_await hello(args, true);
}

net::awaitable<Session::Next> Session::hello(const std::string& args, bool esmtp) {
    // EHLO resets any transaction (RFC 5321 4.1.4)
    tx_.reset();
    // Before TLS on a submission listener, an untrusted client can do nothing but STARTTLS,
    // so the upstream is not contacted until it could be needed.
    const bool need_upstream = stream_->tls() || kind_ != ListenerKind::submission || trusted_;
    if (need_upstream) {
        if (!upstream_) {
            if (shared_->upstream->cfg.kind == UpstreamKind::maildir) {
                upstream_ = smtp::make_maildir_upstream(shared_->upstream);
            } else {
                upstream_ =
                    smtp::make_smtp_upstream(stream_->socket().get_executor(), shared_->upstream);
            }
        }
        auto r = co_await upstream_->hello();
        if (!r) {
            co_return co_await upstream_failed(r.error(), "ehlo");
        }
        if (r->code != 250) {
            co_return co_await relay(std::move(*r));
        }
        upstream_greeted_ = true;
    }
    helo_name_ = args;
    esmtp_ = esmtp;
    enter_state(State::helo);
    log::info("smtp.helo").kv("sid", sid_).kv("esmtp", esmtp).kv("tls", stream_->tls());
    if (!esmtp) {
        co_return co_await reply_next(smtp::make_reply(250, "", shared_->hostname));
    }
    co_return co_await reply_next(ehlo_reply());
}

net::awaitable<Session::Next> Session::proceed_starttls(std::string& /*args*/) {
    // policy: anything pipelined after STARTTLS would be read as if it came over TLS
    // (CVE-2011-0411): drop the connection without a reply.
    if (!stream_->buffer().empty()) {
        log::warn("smtp.starttls_injection")
            .kv("sid", sid_)
            .kv("bytes", static_cast<std::uint64_t>(stream_->buffer().size()));
        co_return Next::close;
    }
    if (!co_await send(reply(R::tls_go))) {
        co_return Next::close;
    }
    enter_state(State::tls);
    auto hs = co_await stream_->handshake_server(*tls_ctx_, cfg_.command_timeout);
    if (!hs) {
        log::info("smtp.tls_failed").kv("sid", sid_).kv("detail", hs.error().detail);
        co_return Next::close;
    }
    log::info("smtp.tls").kv("sid", sid_).kv("cipher", stream_->tls_description());
    // RFC 3207 4.2: discard all knowledge from before TLS; a new EHLO is required. An upstream
    // opened for a trusted client before TLS is closed so it starts afresh too.
    helo_name_.clear();
    esmtp_ = false;
    authenticated_ = false;
    auth_user_.clear();
    if (upstream_) {
        co_await upstream_->quit();
        upstream_.reset();
    }
    upstream_own_auth_done_ = false;
    enter_state(State::connected);
    co_return Next::cont;
}

net::awaitable<Session::Next> Session::proceed_mail(std::string& args) {
    // The arguments, parsed for what is forwarded: refusals count as errors.
    auto parsed = smtp::parse_mail(args, param_policy());
    if (auto* f = std::get_if<smtp::ArgFailure>(&parsed)) {
        co_return co_await refuse(arg_refusal(*f, R::bad_sender));
    }
    auto& mail = std::get<smtp::MailArgs>(parsed);
    // policy: never an open relay (DESIGN 3)
    if (!authenticated_ && !trusted_) {
        log::info("smtp.mail_refused").kv("sid", sid_).kv("reason", "auth_required");
        co_return co_await refuse(R::auth_required);
    }
    if (const SenderRules* rules = bound_senders()) {
        // auth = local: the login's own addresses only (RFC 6409 6.1 lets a submission server
        // refuse a sender the user is not entitled to). <> is not one: a practice's mail
        // client never sends bounces, and a message without a sender could not be bound.
        if (mail.reverse_path.empty() || !rules->allows(mail.reverse_path)) {
            log::info("smtp.mail_refused")
                .kv("sid", sid_)
                .kv("reason", "sender_not_allowed")
                .kv("user", log::mask_address(auth_user_))
                .kv("from", log::mask_address(mail.reverse_path));
            co_return co_await reply_next(
                reply(mail.reverse_path.empty() ? R::null_sender : R::sender_not_allowed,
                      shared_->language));
        }
    }
    if (mail.size && *mail.size > size_limit()) {
        co_return co_await reply_next(reply(R::too_big));
    }
    // relay, in lockstep
    if (!upstream_ || !upstream_->is_open()) {
        co_return co_await upstream_failed(make_error(Errc::unavailable, "no upstream session"),
                                           "mail");
    }
    if (cfg_.auth != AuthMode::passthrough && !upstream_own_auth_done_) {
        auto a = co_await upstream_->auth_own();
        if (!a) {
            co_return co_await upstream_failed(a.error(), "auth_own");
        }
        if (a->code != 235) {
            // Our own credentials were refused: the operator's problem, not the client's.
            log::error("upstream.auth_refused").kv("sid", sid_).kv("code", a->code);
            co_return co_await reply_next(reply(R::internal));
        }
        upstream_own_auth_done_ = true;
    }
    auto r = co_await upstream_->mail(mail);
    if (!r) {
        co_return co_await upstream_failed(r.error(), "mail");
    }
    log::info("smtp.mail")
        .kv("sid", sid_)
        .kv("from", log::mask_address(mail.reverse_path))
        .kv("code", r->code);
    if (r->code == 250) {
        tx_ = Transaction{std::move(mail), {}};
    }
    co_return co_await relay(std::move(*r));
}

net::awaitable<Session::Next> Session::proceed_rcpt(std::string& args) {
    // The arguments, parsed for what is forwarded: refusals count as errors.
    auto parsed = smtp::parse_rcpt(args, param_policy(), tx_->mail.smtputf8);
    if (auto* f = std::get_if<smtp::ArgFailure>(&parsed)) {
        co_return co_await refuse(arg_refusal(*f, R::bad_recipient));
    }
    auto& rcpt = std::get<smtp::RcptArgs>(parsed);
    // policy: RFC 5321 4.5.3.1.8 allows 452 for too many recipients
    if (tx_->rcpts.size() >= cfg_.max_recipients) {
        co_return co_await reply_next(reply(R::too_many_recipients));
    }
    // relay, in lockstep
    auto r = co_await upstream_->rcpt(rcpt);
    if (!r) {
        co_return co_await upstream_failed(r.error(), "rcpt");
    }
    log::info("smtp.rcpt")
        .kv("sid", sid_)
        .kv("to", log::mask_address(rcpt.forward_path))
        .kv("code", r->code);
    if (r->code == 250 || r->code == 251) {
        tx_->rcpts.push_back(std::move(rcpt));
    }
    co_return co_await relay(std::move(*r));
}

net::awaitable<Session::Next> Session::proceed_rset(std::string& /*args*/) {
    reset_transaction();
    if (upstream_ && upstream_->is_open()) {
        auto r = co_await upstream_->rset();
        if (!r) {
            co_return co_await upstream_failed(r.error(), "rset");
        }
        co_return co_await relay(std::move(*r));
    }
    co_return co_await reply_next(reply(R::ok));
}

net::awaitable<Session::Next> Session::proceed_quit(std::string& /*args*/) {
    co_await send(reply(R::bye));
    co_return Next::close;
}

net::awaitable<Session::Next> Session::proceed_noop(std::string& /*args*/) {
    co_return co_await reply_next(reply(R::ok));
}

net::awaitable<Session::Next> Session::proceed_vrfy(std::string& /*args*/) {
    co_return co_await reply_next(reply(R::vrfy));
}

net::awaitable<Session::Next> Session::proceed_help(std::string& /*args*/) {
    co_return co_await reply_next(reply(R::help));
}

}  // namespace sealpost::proxy
