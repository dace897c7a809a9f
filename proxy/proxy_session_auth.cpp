// SPDX-License-Identifier: Apache-2.0
// AUTH for the client session (RFC 4954): passthrough relays the SASL exchange to the upstream
// (PLAIN, LOGIN, XOAUTH2); local checks PLAIN (RFC 4616) or LOGIN against the scrypt users
// file. Payloads are checked as base64, never logged, and wiped after use.
#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/core_log.hpp"
#include "proxy/proxy_session.hpp"
#include "smtp/smtp_sasl.hpp"

namespace sealpost::proxy {

namespace {
/// RFC 4954 4: a server should accept AUTH lines of at least 12288 octets (XOAUTH2 tokens).
constexpr std::size_t max_auth_line = 12288;

/// Runs on the auth pool. Parameters are by value: the coroutine frame owns them.
net::awaitable<bool> verify_password(std::shared_ptr<const UserDb> users, std::string user,
                                     crypto::Secret password) {
    co_return users->verify(user, password.view());
}

bool valid_response(std::string_view s) {
    // "=" is an empty initial response (RFC 4954 4); an empty line is an empty response.
    return s.empty() || s == "=" || smtp::base64_decode(s).ok();
}
}  // namespace

net::awaitable<std::optional<Line>> Session::read_auth_line() {
    auto line = co_await stream_->read_line(max_auth_line, cfg_.command_timeout);
    if (!line) {
        if (stream_->timed_out()) {
            co_await send(reply(R::timeout));
        }
        co_return std::nullopt;
    }
    co_return std::move(*line);
}

net::awaitable<Session::Next> Session::proceed_auth(std::string& args) {
    const auto sp = args.find(' ');
    std::string mech = args.substr(0, sp);
    std::transform(mech.begin(), mech.end(), mech.begin(), [](char c) {
        return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    });
    std::string initial = sp == std::string::npos ? std::string() : args.substr(sp + 1);
    crypto::wipe(args);
    // policy
    const auto mechs = auth_mechanisms();
    if (std::find(mechs.begin(), mechs.end(), mech) == mechs.end()) {
        crypto::wipe(initial);
        co_return co_await refuse(R::auth_mech);
    }
    if (!initial.empty() && !valid_response(initial)) {
        crypto::wipe(initial);
        co_return co_await refuse(R::bad_base64);
    }
    // the exchange
    enter_state(State::auth);
    Next next = cfg_.auth == AuthMode::passthrough ? co_await auth_passthrough(mech, initial)
                                                   : co_await auth_local(mech, initial);
    crypto::wipe(initial);
    if (state_ == State::auth) {
        enter_state(State::helo);
    }
    co_return next;
}

net::awaitable<Session::Next> Session::auth_passthrough(const std::string& mech,
                                                        std::string& initial) {
    std::string line = "AUTH " + mech;
    if (!initial.empty()) {
        line += ' ';
        line += initial;
    }
    auto r = co_await upstream_->auth_line(line);
    while (r && r->code == 334) {
        // The challenge is the upstream's (e.g. LOGIN prompts, XOAUTH2 error JSON): relay it.
        if (!co_await send(*r)) {
            co_return Next::close;
        }
        auto resp = co_await read_auth_line();
        if (!resp) {
            co_return Next::close;
        }
        if (resp->too_long || resp->text == "*" || !valid_response(resp->text)) {
            const R why = resp->too_long      ? R::auth_line_too_long
                          : resp->text == "*" ? R::auth_cancelled
                                              : R::bad_base64;
            crypto::wipe(resp->text);
            // Cancel the exchange upstream (RFC 4954 4) so both sides are back in step.
            std::string cancel = "*";
            auto c = co_await upstream_->auth_line(cancel);
            if (!c) {
                co_return co_await upstream_failed(c.error(), "auth");
            }
            log::info("smtp.auth").kv("sid", sid_).kv("mech", mech).kv("result", "aborted");
            co_return why == R::auth_cancelled ? co_await reply_next(reply(why))
                                               : co_await refuse(why);
        }
        r = co_await upstream_->auth_line(resp->text);  // wipes it
    }
    if (!r) {
        co_return co_await upstream_failed(r.error(), "auth");
    }
    const bool ok = r->code == 235;
    log::info("smtp.auth")
        .kv("sid", sid_)
        .kv("mech", mech)
        .kv("mode", "passthrough")
        .kv("code", r->code);
    if (ok) {
        authenticated_ = true;
        mark_authenticated();
        co_return co_await relay(std::move(*r));
    }
    ++bad_commands_;  // failed logins count as errors, which limits guessing per connection
    if (bad_commands_ >= cfg_.max_bad_commands) {
        co_await send(reply(R::too_many_errors));
        co_return Next::close;
    }
    co_return co_await relay(std::move(*r));
}

net::awaitable<Session::Next> Session::auth_local(const std::string& mech, std::string& initial) {
    // One SASL response: from the initial response, or read after a 334 challenge.
    struct Answer {
        bool closed = false;
        bool too_long = false;
        crypto::Secret text;
    };
    auto ask = [this](std::string_view challenge) -> net::awaitable<Answer> {
        smtp::Reply c;
        c.code = 334;
        c.lines.emplace_back(challenge);
        Answer a;
        if (!co_await send(c)) {
            a.closed = true;
            co_return a;
        }
        auto resp = co_await read_auth_line();
        if (!resp) {
            a.closed = true;
            co_return a;
        }
        a.too_long = resp->too_long;
        a.text = crypto::Secret(std::move(resp->text));
        co_return a;
    };
    std::optional<R> failure;
    auto decode = [&failure](const Answer& a) -> std::optional<crypto::Secret> {
        if (a.too_long) {
            failure = R::auth_line_too_long;
        } else if (a.text.view() == "*") {
            failure = R::auth_cancelled;
        } else if (a.text.view() == "=") {
            return crypto::Secret();
        } else if (auto d = smtp::base64_decode(a.text.view())) {
            return std::move(*d);
        } else {
            failure = R::bad_base64;
        }
        return std::nullopt;
    };
    std::string user;
    crypto::Secret password;
    bool closed = false;
    Answer first;
    if (initial.empty()) {
        first = co_await ask(mech == "PLAIN" ? "" : "VXNlcm5hbWU6");  // LOGIN: "Username:"
    } else {
        first.text = crypto::Secret(std::move(initial));
    }
    closed = first.closed;
    if (!closed && mech == "PLAIN") {
        if (auto dec = decode(first)) {
            auto creds = smtp::parse_plain(dec->view());
            // RFC 4616 2: an authzid other than the authcid would be acting as someone else.
            if (!creds || (!creds->authzid.empty() && creds->authzid != creds->authcid)) {
                failure = R::auth_failed;
            } else {
                user = creds->authcid;
                password = std::move(creds->password);
            }
        }
    } else if (!closed) {  // LOGIN (draft-murchison-sasl-login)
        if (auto dec = decode(first)) {
            user = std::string(dec->view());
            Answer second = co_await ask("UGFzc3dvcmQ6");  // "Password:"
            closed = second.closed;
            if (!closed) {
                if (auto pd = decode(second)) {
                    password = std::move(*pd);
                }
            }
        }
    }
    if (closed) {
        co_return Next::close;
    }
    if (!failure) {
        // scrypt runs on the auth pool; the session resumes on its own executor afterwards.
        // (A named awaitable and no lambda: GCC 12 mishandles captures of a lambda created
        // inside a co_await expression.)
        auto task = verify_password(shared_->users, user, std::move(password));
        const bool ok = co_await net::co_spawn(shared_->auth_pool->get_executor(), std::move(task),
                                               net::use_awaitable);
        if (!ok) {
            failure = R::auth_failed;
        }
    }
    // (the password was moved into the verifier, or is wiped with `password` at scope end)
    log::info("smtp.auth")
        .kv("sid", sid_)
        .kv("mech", mech)
        .kv("mode", "local")
        .kv("user", log::mask_address(user))
        .kv("result", failure ? "failed" : "ok");
    if (failure) {
        if (*failure == R::auth_cancelled) {
            co_return co_await reply_next(reply(*failure));
        }
        co_return co_await refuse(*failure);
    }
    authenticated_ = true;
    mark_authenticated();
    auth_user_ = user;
    co_return co_await reply_next(reply(R::auth_ok));
}

}  // namespace sealpost::proxy
