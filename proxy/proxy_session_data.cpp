// SPDX-License-Identifier: Apache-2.0
// The DATA phase of the client session: reading the message with the smuggling rules, the
// Received header and loop check (RFC 5321 4.4, 6.3), the delivery hook, and the lockstep
// hand-over to the upstream whose final reply is the client's (DESIGN 3).
#include <sys/resource.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <ctime>
#include <functional>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/core_log.hpp"
#include "proxy/proxy_session.hpp"
#include "smtp/smtp_data_reader.hpp"

namespace sealpost::proxy {

namespace {

/// Number of `Received:` fields in the header section (up to the first empty line).
std::size_t count_received(std::string_view msg) {
    std::size_t n = 0;
    std::size_t pos = 0;
    while (pos < msg.size()) {
        const auto eol = msg.find("\r\n", pos);
        const auto line =
            msg.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
        if (line.empty()) {
            break;
        }
        if (line.size() >= 9) {
            std::string head(line.substr(0, 9));
            for (auto& c : head) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            if (head == "received:") {
                ++n;
            }
        }
        if (eol == std::string_view::npos) {
            break;
        }
        pos = eol + 2;
    }
    return n;
}

/// How far a lease grows past the bytes received (a resize per read would cost an atomic
/// operation per TCP segment).
constexpr std::uint64_t kLeaseStep = std::uint64_t{256} << 10;

/// Nice value of the sealing pool's threads (see below).
constexpr int kSealPoolNice = 10;

/// Sealing-pool threads give way to the event loop, which serves every session: a parse or an
/// encryption may wait a little, a session's next read and write should not (bench/relay's
/// pass-through rows show the difference; sealed rows do not change). Linux applies setpriority()
/// to one thread only; lowering it needs no privilege, and a failure just leaves the default.
void lower_pool_thread_priority() {
    thread_local const bool lowered = [] {
        return ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kSealPoolNice) == 0;
    }();
    (void)lowered;
}

/// The delivery plan as a task for the sealing pool (optional: co_spawn needs a default value).
net::awaitable<std::optional<Result<DeliveryPlan>>> run_delivery(DeliveryFn fn, Submission sub,
                                                                 std::string message) {
    lower_pool_thread_priority();
    co_return fn(sub, std::move(message));
}

/// A group's settle as a task for the sealing pool.
net::awaitable<void> run_settle(std::function<void(SendOutcome)> fn, SendOutcome o) {
    lower_pool_thread_priority();
    fn(o);
    co_return;
}

/// Runs a group's settle (vault writes: mark sent, discard, learn a contact) on the rewrite
/// pool when there is one, so a vault commit never stalls the event loop; empty: nothing to do.
net::awaitable<void> settle_group(std::shared_ptr<net::thread_pool> pool,
                                  std::function<void(SendOutcome)> fn, SendOutcome o) {
    if (!fn) {
        co_return;
    }
    if (!pool) {
        fn(o);
        co_return;
    }
    auto task = run_settle(std::move(fn), o);
    co_await net::co_spawn(pool->get_executor(), std::move(task), net::use_awaitable);
}

/// The /metrics reason of a refusal at the end of DATA.
Refusal refusal_of(R id) {
    switch (id) {
        case R::bare_line_ending:
            return Refusal::smuggling;
        case R::data_line_too_long:
            return Refusal::line_too_long;
        case R::too_big:
            return Refusal::too_big;
        case R::loop:
            return Refusal::loop;
        case R::storage_full:
            return Refusal::vault_full;
        case R::unsealable:
            return Refusal::unsealable;
        case R::inflight_full:
            return Refusal::inflight;
        default:
            return Refusal::internal;
    }
}

/// Observes the time from its construction (the end of DATA) to the end of the coroutine
/// that holds it, i.e. once the final reply has been written.
class LatencyTimer {
  public:
    explicit LatencyTimer(metrics::Histogram& h) : h_(h) {}
    LatencyTimer(const LatencyTimer&) = delete;
    LatencyTimer& operator=(const LatencyTimer&) = delete;
    ~LatencyTimer() { h_.observe(std::chrono::steady_clock::now() - start_); }

  private:
    metrics::Histogram& h_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

std::string rfc5322_date() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    const std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return std::string(buf, n);
}

}  // namespace

const SenderRules* Session::bound_senders() const {
    if (cfg_.auth != AuthMode::local || !authenticated_ || !shared_->users) {
        return nullptr;
    }
    static const SenderRules kNone;
    const SenderRules* rules = shared_->users->senders(auth_user_);
    return rules != nullptr ? rules : &kNone;
}

std::string Session::received_header(std::size_t n) const {
    // RFC 5321 4.4 trace field; the protocol name per RFC 3848 (ESMTP, ESMTPS, ESMTPSA).
    std::string proto = esmtp_ ? "ESMTP" : "SMTP";
    if (esmtp_ && stream_->tls()) {
        proto += "S";
    }
    if (esmtp_ && authenticated_) {
        proto += "A";
    }
    // TCP-info is an address literal: [192.0.2.1] or [IPv6:2001:db8::1] (RFC 5321 4.1.3).
    const bool v6 = client_ip_.find(':') != std::string::npos;
    std::string h;
    h.reserve(200);
    h += "Received: from ";
    h += helo_name_;
    h += v6 ? " ([IPv6:" : " ([";
    h += client_ip_;
    h += "])\r\n\tby ";
    h += shared_->hostname;
    h += " (sealpost) with ";
    h += proto;
    h += " id ";
    h += sid_;
    h += '.';
    h += std::to_string(n);
    h += ";\r\n\t";
    h += rfc5322_date();
    h += "\r\n";
    return h;
}

net::awaitable<Session::Next> Session::proceed_data(std::string& /*args*/) {
    // The in-flight budget (proxy_inflight.hpp): the declared size, or a first slice that
    // grows as the data arrives. Refused before 354, so the client sends nothing in vain.
    const std::uint64_t limit = size_limit();
    const std::uint64_t declared =
        tx_->mail.size ? std::min<std::uint64_t>(*tx_->mail.size, limit) : 0;
    // (No temporaries of Lease inside co_await expressions: GCC 12 destroys some of them
    // twice, which returned a lease's bytes twice.)
    InflightBudget::Lease lease;
    if (shared_->inflight) {
        auto got = shared_->inflight->try_reserve(
            std::max<std::uint64_t>(declared, InflightBudget::kInitialReserve));
        if (!got) {
            shared_->metrics->refuse(Refusal::inflight);
            log::warn("smtp.inflight_full")
                .kv("sid", sid_)
                .kv("in_use", shared_->inflight->in_use())
                .kv("limit", shared_->inflight->limit());
            co_return co_await reply_next(reply(R::inflight_full));
        }
        lease = std::move(*got);
    }
    // The message is buffered here and only sent upstream once complete and clean.
    enter_state(State::body);
    if (!co_await send(reply(R::data_go))) {
        co_return Next::close;
    }
    // Bare LF line ends only from trusted networks and authenticated clients (billing
    // software on the practice LAN writes them), as Postfix allows them only from
    // $mynetworks (smtpd_forbid_bare_newline_exclusions); everyone else keeps the refusal.
    smtp::DataReader reader(cfg_.max_text_line, limit, trusted_ || authenticated_);
    // The Received header (RFC 5321 4.4) goes first into the buffer: no copy to prepend it.
    reader.start(received_header(messages_ + 1), declared);
    for (;;) {
        auto& buf = stream_->buffer();
        const std::size_t used = reader.feed(buf);
        buf.erase(0, used);
        if (shared_->inflight && !reader.discarded() && reader.size() > lease.bytes() &&
            !lease.resize(std::min(limit, reader.size() + kLeaseStep))) {
            // No room left in the budget: read to the end, keep nothing, answer 452.
            reader.discard();
        }
        if (reader.done()) {
            break;
        }
        auto st = co_await stream_->read_more(cfg_.data_timeout);
        if (!st) {
            if (stream_->timed_out()) {
                log::info("smtp.timeout").kv("sid", sid_).kv("state", "body");
                co_await send(reply(R::timeout));
            }
            log::info("smtp.data_aborted").kv("sid", sid_).kv("bytes", reader.size());
            co_return Next::close;  // run() abandons the upstream transaction
        }
    }
    if (reader.normalised_lf() != 0) {
        log::info("smtp.bare_lf_normalised").kv("sid", sid_).kv("lines", reader.normalised_lf());
    }
    std::optional<R> refusal;
    switch (reader.fault()) {
        case smtp::DataFault::none:
            break;
        case smtp::DataFault::bare_lf:
        case smtp::DataFault::bare_cr:
            refusal = R::bare_line_ending;
            break;
        case smtp::DataFault::line_too_long:
            refusal = R::data_line_too_long;
            break;
        case smtp::DataFault::too_big:
            refusal = R::too_big;
            break;
    }
    if (!refusal && reader.discarded()) {
        refusal = R::inflight_full;
    }
    // RFC 5321 6.3; the count includes our own header.
    if (!refusal && count_received(reader.message()) > 100) {
        refusal = R::loop;
    }
    if (refusal) {
        shared_->metrics->refuse(refusal_of(*refusal));
        log::info("smtp.data_refused")
            .kv("sid", sid_)
            .kv("bytes", reader.size())
            .kv("code", reply(*refusal).code);
        reset_transaction();
        auto r = co_await upstream_->rset();
        if (!r) {
            co_return co_await upstream_failed(r.error(), "rset");
        }
        co_return co_await reply_next(reply(*refusal));
    }
    if (shared_->inflight) {
        (void)lease.resize(reader.size());  // what it holds now: shrinking always succeeds
    }
    co_return co_await finish_message(std::move(reader.message()), std::move(lease));
}

net::awaitable<Session::Next> Session::finish_message(std::string message,
                                                      InflightBudget::Lease lease) {
    const LatencyTimer timer(shared_->metrics->latency);
    ProxyMetrics& counts = *shared_->metrics;
    (void)lease;  // the message's bytes in flight, held until its final reply is written
    ++messages_;
    if (const SenderRules* rules = bound_senders()) {
        // The message's originator fields are bound like MAIL FROM: a reader sees From:, and
        // the envelope alone would let a login write any From: it likes.
        if (const auto field = foreign_originator(*rules, message)) {
            log::info("smtp.data_refused")
                .kv("sid", sid_)
                .kv("reason", "originator_not_allowed")
                .kv("field", *field)
                .kv("user", log::mask_address(auth_user_));
            counts.refuse(Refusal::policy);
            reset_transaction();
            auto r = co_await upstream_->rset();
            if (!r) {
                co_return co_await upstream_failed(r.error(), "rset");
            }
            co_return co_await reply_next(reply_originator_refused(*field, shared_->language));
        }
    }
    Submission sub{sid_, client_ip_, auth_user_, tx_->mail, tx_->rcpts};
    // A large message waits for a sealing permit (proxy_seal_gate.hpp), holding only itself.
    SealGate::Permit permit;
    if (shared_->seal_gate && message.size() >= SealGate::kLarge) {
        auto got = co_await shared_->seal_gate->acquire();
        permit = std::move(got);
    }
    std::optional<Result<DeliveryPlan>> done;
    if (shared_->seal_pool) {
        // (A named awaitable and no lambda: GCC 12 mishandles captures of a lambda created
        // inside a co_await expression.)
        auto task = run_delivery(shared_->deliver, sub, std::move(message));
        done = co_await net::co_spawn(shared_->seal_pool->get_executor(), std::move(task),
                                      net::use_awaitable);
    } else {
        done = shared_->deliver(sub, std::move(message));
    }
    permit = SealGate::Permit();  // the decoded copies and the vault's are gone
    auto& rewritten = *done;
    if (!rewritten || rewritten->refusal || rewritten->shape_refusal) {
        std::optional<smtp::Reply> refusal;
        if (rewritten && rewritten->shape_refusal) {
            refusal = reply_shape_refused(*rewritten->shape_refusal, shared_->language);
            counts.refuse(Refusal::unsealable);
        } else if (!rewritten) {
            log::error("proxy.rewrite_failed")
                .kv("sid", sid_)
                .kv("err", errc_name(rewritten.error().code))
                .kv("detail", rewritten.error().detail);
            refusal = reply(reply_id_for(rewritten.error()), shared_->language);
            counts.refuse(refusal_of(reply_id_for(rewritten.error())));
        } else {
            refusal = reply_refused(*rewritten->refusal, shared_->language);
            counts.refuse(Refusal::policy);
        }
        reset_transaction();
        auto r = co_await upstream_->rset();
        if (!r) {
            co_return co_await upstream_failed(r.error(), "rset");
        }
        co_return co_await reply_next(*refusal);
    }
    auto& groups = rewritten->groups;
    bool single = groups.size() == 1 && groups[0].rcpts.size() == sub.rcpts.size();
    for (std::size_t i = 0; single && i < sub.rcpts.size(); ++i) {
        single = groups[0].rcpts[i] == i;
    }
    const auto outcome = [](const Result<smtp::Reply>& r, bool handed_over) {
        if (!handed_over) {
            return SendOutcome::refused;  // MAIL or RCPT refused: the message never left
        }
        if (!r) {
            return SendOutcome::unknown;  // sent, but the reply was lost
        }
        return r->klass() == 2 ? SendOutcome::accepted : SendOutcome::refused;
    };
    Result<smtp::Reply> final_reply = smtp::make_reply(250, "2.0.0", "OK");
    if (single) {
        final_reply = co_await upstream_->data(groups[0].message);
        const SendOutcome o = outcome(final_reply, true);
        if (o == SendOutcome::accepted && groups[0].settle) {
            ++counts.sealed;
        }
        co_await settle_group(shared_->seal_pool, std::move(groups[0].settle), o);
    } else {
        // The plan split the recipients: abort the open transaction and make one upstream
        // transaction per group. The client gets 250 only if every group was accepted.
        // Known duplicate: when group 1 was accepted and group 2 is refused, the client gets
        // group 2's refusal and may send the whole message again; group 1's recipient then
        // gets a second mail with a second link (a second envelope). Lockstep SMTP cannot
        // take back an accepted transaction; a duplicate is safe, a silent loss is not.
        auto r = co_await upstream_->rset();
        std::size_t g = 0;
        for (; r && r->code == 250 && g < groups.size(); ++g) {
            auto& group = groups[g];
            r = co_await upstream_->mail(sub.mail);
            for (std::size_t k = 0; r && r->code == 250 && k < group.rcpts.size(); ++k) {
                r = co_await upstream_->rcpt(sub.rcpts.at(group.rcpts[k]));
            }
            bool handed_over = false;
            if (r && r->code == 250) {
                handed_over = true;
                r = co_await upstream_->data(group.message);
            }
            const SendOutcome o = outcome(r, handed_over);
            if (o == SendOutcome::accepted && group.settle) {
                ++counts.sealed;
            }
            co_await settle_group(shared_->seal_pool, std::move(group.settle), o);
        }
        for (; g < groups.size(); ++g) {
            co_await settle_group(shared_->seal_pool, std::move(groups[g].settle),
                                  SendOutcome::refused);  // never sent
        }
        final_reply = std::move(r);
    }
    reset_transaction();
    if (!final_reply) {
        co_return co_await upstream_failed(final_reply.error(), "data");
    }
    if (final_reply->klass() == 2) {
        ++counts.relayed;
    } else {
        counts.refuse(Refusal::upstream);
        // A refused DATA (or a refused MAIL/RCPT of a split group) can leave the upstream's
        // transaction open; RSET puts both sides back in step for the client's next MAIL.
        auto r = co_await upstream_->rset();
        if (!r) {
            log::warn("upstream.failed")
                .kv("sid", sid_)
                .kv("step", "rset")
                .kv("err", errc_name(r.error().code));
            drop_upstream();
        }
    }
    log::info("smtp.message")
        .kv("sid", sid_)
        .kv("rcpts", static_cast<std::uint64_t>(sub.rcpts.size()))
        .kv("code", final_reply->code);
    co_return co_await relay(std::move(*final_reply));
}

}  // namespace sealpost::proxy
