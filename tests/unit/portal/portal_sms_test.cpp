// SPDX-License-Identifier: Apache-2.0
// Tests for the SMS providers against a recording HTTP server on loopback: exact requests for the
// http and twilio providers, retries and timeouts, what is logged, the outbox file, and startup
// checks of the token and outbox files.
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "http_recorder.hpp"
#include "portal/portal_sms.hpp"
#include "test_tempdir.hpp"

using namespace std::chrono_literals;
using sealpost::BodyEncoding;
using sealpost::Errc;
using sealpost::HttpMethod;
using sealpost::SmsConfig;
using sealpost::SmsProvider;
using sealpost::portal::make_sms_sender;
using sealpost::portal::SmsSender;
using sealpost::test::HttpRecorder;
using sealpost::test::TempDir;

namespace {

constexpr std::string_view kTo = "+41791234567";

SmsConfig http_config(const HttpRecorder& rec, const std::string& path) {
    SmsConfig c;
    c.provider = SmsProvider::http;
    c.url = rec.base_url() + path;
    c.method = HttpMethod::post;
    c.body_template = R"({"to":"{to}","from":"{sender}","text":"{text}"})";
    c.body_encoding = BodyEncoding::json;
    c.sender = "Praxis";
    c.timeout = 5s;
    c.retries = 2;
    return c;
}

std::unique_ptr<SmsSender> make(const SmsConfig& c) {
    auto r = make_sms_sender(c);
    REQUIRE(r.ok());
    return std::move(r).value();
}

/// Sends every log line of its lifetime to a string instead of stderr.
class LogCapture {
  public:
    LogCapture() : old_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
        auto logger = std::make_shared<spdlog::logger>("test", std::move(sink));
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(std::move(logger));
    }
    ~LogCapture() { spdlog::set_default_logger(old_); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;
    std::string text() const { return out_.str(); }

  private:
    std::shared_ptr<spdlog::logger> old_;
    std::ostringstream out_;
};

std::size_t count_of(const std::string& hay, std::string_view needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) {
        ++n;
    }
    return n;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::filesystem::path& p, const std::string& text, mode_t mode) {
    std::ofstream(p, std::ios::binary) << text;
    REQUIRE(::chmod(p.c_str(), mode) == 0);
}

}  // namespace

TEST_CASE("http: JSON body escapes quotes, backslash, newline; umlauts stay UTF-8") {
    HttpRecorder rec;
    const auto sms = make(http_config(rec, "/v1/sms?to={to}&from={sender}"));
    // "{to}" inside the text must arrive as written, not replaced by the number.
    REQUIRE(sms->send(kTo, "Grüezi \"Anna\" \\ Code:\n482913 {to}\x01").ok());

    const auto reqs = rec.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].method == "POST");
    CHECK(reqs[0].target == "/v1/sms?to=%2B41791234567&from=Praxis");
    CHECK(
        reqs[0].body ==
        R"({"to":"+41791234567","from":"Praxis","text":"Grüezi \"Anna\" \\ Code:\n482913 {to}\u0001"})");
    CHECK(reqs[0].header("Content-Type") == "application/json");
    CHECK(reqs[0].count("Content-Type") == 1);
    CHECK(reqs[0].count("Expect") == 0);
}

TEST_CASE("http: form body is application/x-www-form-urlencoded") {
    HttpRecorder rec;
    auto cfg = http_config(rec, "/send");
    cfg.body_template = "to={to}&from={sender}&msg={text}";
    cfg.body_encoding = BodyEncoding::form;
    cfg.sender = "Praxis Nord";
    REQUIRE(make(cfg)->send(kTo, "Ihr Code: 482913 & ü=*-._~").ok());

    const auto reqs = rec.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].body ==
          "to=%2B41791234567&from=Praxis+Nord&msg=Ihr+Code%3A+482913+%26+%C3%BC%3D*-._%7E");
    CHECK(reqs[0].header("Content-Type") == "application/x-www-form-urlencoded");
}

TEST_CASE("http: GET puts URL-encoded placeholders in the query and sends no body") {
    HttpRecorder rec;
    auto cfg = http_config(rec, "/api/{sender}/send?to={to}&text={text}");
    cfg.method = HttpMethod::get;
    cfg.body_template.clear();
    REQUIRE(make(cfg)->send(kTo, "Code 482913 ä/+&#").ok());

    const auto reqs = rec.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].method == "GET");
    CHECK(reqs[0].target ==
          "/api/Praxis/send?to=%2B41791234567&text=Code%20482913%20%C3%A4%2F%2B%26%23");
    CHECK(reqs[0].body.empty());
    CHECK(reqs[0].count("Content-Type") == 0);
}

TEST_CASE("http: configured headers are sent and a configured Content-Type wins") {
    HttpRecorder rec;
    auto cfg = http_config(rec, "/sms");
    cfg.method = HttpMethod::put;
    cfg.headers = {{"Authorization", "Bearer secret-api-key"},
                   {"X-Tenant", "praxis-7"},
                   {"content-type", "application/vnd.gateway+json; charset=utf-8"}};
    REQUIRE(make(cfg)->send(kTo, "Code 482913").ok());

    const auto reqs = rec.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].method == "PUT");
    CHECK(reqs[0].header("Authorization") == "Bearer secret-api-key");
    CHECK(reqs[0].header("X-Tenant") == "praxis-7");
    CHECK(reqs[0].count("Content-Type") == 1);
    CHECK(reqs[0].header("Content-Type") == "application/vnd.gateway+json; charset=utf-8");
    CHECK(reqs[0].body == R"({"to":"+41791234567","from":"Praxis","text":"Code 482913"})");
}

TEST_CASE("http: secret_file's value is {secret} in headers, body and URL, escaped per place") {
    HttpRecorder rec;
    const TempDir dir;
    write_file(dir.path() / "sms.secret", "k\"ey&1\n", 0600);
    auto cfg = http_config(rec, "/sms?key={secret}");
    cfg.secret_file = dir.path() / "sms.secret";
    cfg.headers = {{"Authorization", "Basic {secret}"}};
    cfg.body_template = R"({"Password":"{secret}","To":"{to}"})";
    REQUIRE(make(cfg)->send(kTo, "Code 482913").ok());

    const auto reqs = rec.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].target == "/sms?key=k%22ey%261");
    CHECK(reqs[0].header("Authorization") == "Basic k\"ey&1");
    CHECK(reqs[0].body == R"({"Password":"k\"ey&1","To":"+41791234567"})");
}

TEST_CASE("http: a secret_file others can read is refused at startup") {
    const TempDir dir;
    SmsConfig cfg;
    cfg.provider = SmsProvider::http;
    cfg.url = "https://sms.example.ch/send";
    cfg.body_template = "{text}";
    cfg.secret_file = dir.path() / "sms.secret";
    write_file(cfg.secret_file, "api-key\n", 0644);
    const auto r = make_sms_sender(cfg);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == "sms.secret_file " + cfg.secret_file.string() +
                                  ": mode 0644 gives access to others; refused (chmod 600 it)");
}

TEST_CASE("twilio: Messages.json path, form body and basic auth from the token file") {
    HttpRecorder rec(std::vector<int>{201});
    const TempDir dir;
    write_file(dir.path() / "twilio.token", "secret-token\n", 0600);
    SmsConfig cfg;
    cfg.provider = SmsProvider::twilio;
    cfg.url = rec.base_url() + "/";
    cfg.account_sid = "AC123";
    cfg.auth_token_file = dir.path() / "twilio.token";
    cfg.sender = "Praxis";
    cfg.timeout = 5s;
    REQUIRE(make(cfg)->send(kTo, "Ihr Code: 482913").ok());

    const auto reqs = rec.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].method == "POST");
    CHECK(reqs[0].target == "/2010-04-01/Accounts/AC123/Messages.json");
    CHECK(reqs[0].body == "To=%2B41791234567&From=Praxis&Body=Ihr+Code%3A+482913");
    // base64("AC123:secret-token"), RFC 7617
    CHECK(reqs[0].header("Authorization") == "Basic QUMxMjM6c2VjcmV0LXRva2Vu");
    CHECK(reqs[0].header("Content-Type") == "application/x-www-form-urlencoded");
}

TEST_CASE("retries: 503, 503, 200 is three requests and a success; logs hold no secrets") {
    HttpRecorder rec({503, 503, 200});
    auto cfg = http_config(rec, "/sms?to={to}");
    cfg.headers = {{"X-Api-Key", "secret-api-key"}};
    const auto sms = make(cfg);
    const LogCapture logs;
    REQUIRE(sms->send(kTo, "Ihr Code: 482913").ok());
    CHECK(rec.requests().size() == 3);

    const std::string text = logs.text();
    CHECK(count_of(text, "sms.attempt") == 3);
    CHECK(count_of(text, "status=503") == 2);
    CHECK(count_of(text, "result=retry") == 2);
    CHECK(count_of(text, "attempt=3 status=200") == 1);
    CHECK(count_of(text, "result=sent") == 1);
    CHECK(count_of(text, "to=\u2022\u202267") == 3);
    CHECK(text.find("791234567") == std::string::npos);
    CHECK(text.find("482913") == std::string::npos);
    CHECK(text.find("secret-api-key") == std::string::npos);
    CHECK(text.find("/sms") == std::string::npos);
}

TEST_CASE("retries: 503 three times with retries = 2 gives unavailable after 3 requests") {
    HttpRecorder rec({}, 503);
    const auto r = make(http_config(rec, "/sms"))->send(kTo, "Ihr Code: 482913");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::unavailable);
    CHECK(r.error().detail == "sms http: HTTP 503 after 3 attempts");
    CHECK(rec.requests().size() == 3);
}

TEST_CASE("no retry after a 4xx or a redirect, which is not followed") {
    const int status = GENERATE(400, 401, 429, 302);
    HttpRecorder rec({}, status);
    const auto r = make(http_config(rec, "/sms"))->send(kTo, "Ihr Code: 482913");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::unavailable);
    CHECK(r.error().detail == "sms http: HTTP " + std::to_string(status) + " after 1 attempt");
    CHECK(rec.requests().size() == 1);
}

TEST_CASE("a gateway that never answers times out: unavailable") {
    HttpRecorder rec({}, 200, HttpRecorder::Mode::hang);
    auto cfg = http_config(rec, "/sms");
    cfg.timeout = 1s;
    cfg.retries = 0;
    const auto r = make(cfg)->send(kTo, "Ihr Code: 482913");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::unavailable);
    CHECK(r.error().detail == "sms http: curl operation_timedout after 1 attempt");
    CHECK(rec.requests().size() == 1);
}

TEST_CASE("connection refused is unavailable, after the retries") {
    // A bound socket that does not listen: connecting to it is refused, and the port stays ours.
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    auto* sa = reinterpret_cast<sockaddr*>(&addr);  // NOLINT: the sockets API
    REQUIRE(::bind(fd, sa, sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, sa, &len) == 0);

    SmsConfig cfg;
    cfg.provider = SmsProvider::http;
    cfg.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/sms";
    cfg.body_template = "{text}";
    cfg.timeout = 2s;
    cfg.retries = 1;
    const auto r = make(cfg)->send(kTo, "Ihr Code: 482913");
    ::close(fd);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::unavailable);
    CHECK(r.error().detail == "sms http: curl couldnt_connect after 2 attempts");
}

TEST_CASE("a long response body is cut at 16 KiB and the 2xx still counts") {
    HttpRecorder rec({}, 200, HttpRecorder::Mode::answer, std::string(1U << 20U, 'x'));
    REQUIRE(make(http_config(rec, "/sms"))->send(kTo, "Ihr Code: 482913").ok());
    CHECK(rec.requests().size() == 1);
}

TEST_CASE("a malformed number or text is refused before anything is sent") {
    HttpRecorder rec;
    const auto sms = make(http_config(rec, "/sms"));
    CHECK(sms->send("0791234567", "Code 482913").error().code == Errc::invalid_argument);
    CHECK(sms->send("+41 79 123 45 67", "Code").error().code == Errc::invalid_argument);
    CHECK(sms->send(kTo, "").error().code == Errc::invalid_argument);
    CHECK(sms->send(kTo, "bad \xC3").error().code == Errc::invalid_argument);
    CHECK(sms->send(kTo, std::string("nul \0 inside", 12)).error().code == Errc::invalid_argument);
    CHECK(sms->send(kTo, std::string(1601, 'a')).error().code == Errc::invalid_argument);
    CHECK(rec.requests().empty());
}

TEST_CASE("outbox: one escaped line per SMS, file created 0600") {
    const TempDir dir;
    SmsConfig cfg;
    cfg.provider = SmsProvider::outbox;
    cfg.outbox_path = dir.path() / "outbox.log";
    const mode_t old_mask = ::umask(0);  // the mode must not depend on the caller's umask
    auto made = make_sms_sender(cfg);
    ::umask(old_mask);
    REQUIRE(made.ok());

    struct stat st {};
    REQUIRE(::stat(cfg.outbox_path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777U) == 0600U);
    REQUIRE(made.value()->send(kTo, "Ihr Code: 482913").ok());
    REQUIRE(made.value()->send("+41781112233", "a\\b\nZeile 2").ok());

    const std::string all = read_file(cfg.outbox_path);
    const std::regex line(
        R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ to=\+41791234567 text=Ihr Code: 482913\n)"
        R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ to=\+41781112233 text=a\\\\b\\nZeile 2\n)");
    CHECK(std::regex_match(all, line));
}

TEST_CASE("outbox: two threads appending 200 lines each give 400 whole lines") {
    const TempDir dir;
    SmsConfig cfg;
    cfg.provider = SmsProvider::outbox;
    cfg.outbox_path = dir.path() / "outbox.log";
    const auto sms = make(cfg);
    const LogCapture quiet;  // 400 log lines are not worth reading
    auto writer = [&sms](int t) {
        for (int i = 0; i < 200; ++i) {
            const std::string text =
                "Code " + std::to_string(t) + "-" + std::to_string(i) + " " + std::string(300, 'z');
            if (!sms->send(kTo, text).ok()) {
                return;
            }
        }
    };
    std::thread a(writer, 0);
    std::thread b(writer, 1);
    a.join();
    b.join();

    std::istringstream in(read_file(cfg.outbox_path));
    const std::regex shape(R"(\S+Z to=\+41791234567 text=Code ([01]-\d+) z{300})");
    std::set<std::string> seen;
    std::size_t lines = 0;
    for (std::string l; std::getline(in, l);) {
        ++lines;
        std::smatch m;
        REQUIRE(std::regex_match(l, m, shape));
        seen.insert(m[1].str());
    }
    CHECK(lines == 400);
    CHECK(seen.size() == 400);
}

TEST_CASE("outbox: a file that others can read is refused at startup") {
    const TempDir dir;
    SmsConfig cfg;
    cfg.provider = SmsProvider::outbox;
    cfg.outbox_path = dir.path() / "outbox.log";
    write_file(cfg.outbox_path, "", 0644);
    const auto r = make_sms_sender(cfg);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::io);
    CHECK(r.error().detail ==
          "sms.outbox_path " + cfg.outbox_path.string() + ": readable by others; chmod 600 it");

    cfg.outbox_path = dir.path() / "missing-dir" / "outbox.log";
    CHECK(make_sms_sender(cfg).error().code == Errc::io);
}

TEST_CASE("twilio: the token file must exist, be no symlink and not be readable by others") {
    const TempDir dir;
    const auto token = dir.path() / "twilio.token";
    SmsConfig cfg;
    cfg.provider = SmsProvider::twilio;
    cfg.url = "https://api.twilio.com";
    cfg.account_sid = "AC123";
    cfg.auth_token_file = token;

    auto fails = [&cfg](Errc code, const std::string& detail_end) {
        const auto r = make_sms_sender(cfg);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == code);
        CHECK(r.error().detail ==
              "sms.auth_token_file " + cfg.auth_token_file.string() + ": " + detail_end);
        CHECK(r.error().detail.find("secret-token") == std::string::npos);
    };
    fails(Errc::key_error, "missing");
    write_file(token, "secret-token\n", 0644);
    fails(Errc::key_error, "mode 0644 gives access to others; refused (chmod 600 it)");
    write_file(token, "\n", 0600);
    fails(Errc::key_error, "empty");
    write_file(token, "secret-token\n", 0600);
    std::filesystem::create_symlink(token, dir.path() / "link");
    cfg.auth_token_file = dir.path() / "link";
    fails(Errc::key_error, "is a symlink; refused");

    cfg.auth_token_file = token;
    CHECK(make_sms_sender(cfg).ok());
}
