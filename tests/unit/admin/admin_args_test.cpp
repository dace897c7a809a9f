// SPDX-License-Identifier: Apache-2.0
// Unit tests for the admin CLI's argument parser and help texts.
#include <catch2/catch.hpp>

#include "admin/admin_args.hpp"

namespace sealpost::admin {
namespace {

Result<Args> parse(std::initializer_list<std::string_view> a) {
    return parse_args({a});
}

std::string usage_error(std::initializer_list<std::string_view> a) {
    auto r = parse(a);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::invalid_argument);
    return r.error().detail;
}

TEST_CASE("args: verbs and their operands", "[admin][args]") {
    auto r = parse(
        {"--config", "/tmp/x.toml", "contacts", "set", "a@b.ch", "079 123 45 67", "--lang=fr"});
    REQUIRE(r.ok());
    CHECK(r->action == Args::Action::run);
    CHECK(r->verb == Verb::contacts_set);
    CHECK(r->config == "/tmp/x.toml");
    CHECK(r->operands == std::vector<std::string>{"a@b.ch", "079 123 45 67"});
    CHECK(r->lang == "fr");

    auto l = parse({"list", "--expired", "--config=c.toml"});
    REQUIRE(l.ok());
    CHECK(l->verb == Verb::list);
    CHECK(l->filter == ListFilter::expired);
    CHECK(l->config == "c.toml");

    CHECK(parse({"keys", "init"})->verb == Verb::keys_init);
    CHECK(parse({"show", "abc"})->operands == std::vector<std::string>{"abc"});
    CHECK(parse({"revoke", "--", "-id"})->operands == std::vector<std::string>{"-id"});
    CHECK(parse({"contacts", "import", "x.csv"})->verb == Verb::contacts_import);
    CHECK(parse({"contacts", "rm", "a@b.ch"})->verb == Verb::contacts_rm);
    CHECK(parse({"contacts", "list"})->verb == Verb::contacts_list);
    CHECK(parse({"purge"})->verb == Verb::purge);
    CHECK(parse({"stats"})->verb == Verb::stats);
}

TEST_CASE("args: help and version", "[admin][args]") {
    CHECK(parse({"--help"})->action == Args::Action::help);
    CHECK(parse({"-h"})->verb == Verb::none);
    CHECK(parse({"--version"})->action == Args::Action::version);
    auto h = parse({"show", "--help"});  // operand missing: help still wins
    CHECK(h->action == Args::Action::help);
    CHECK(h->verb == Verb::show);
    CHECK(parse({"contacts", "set", "-h"})->verb == Verb::contacts_set);
    CHECK(parse({"contacts", "--help"})->verb == Verb::none);
    CHECK(version_text() == "sealpost 0.1.0\n");
    const std::string top = help_text(Verb::none);
    CHECK(top.rfind("usage: sealpost [--config PATH] COMMAND [ARGS]\n", 0) == 0);
    for (const char* verb :
         {"keys init", "list [--active|--expired]", "show ID", "resend ID [--print]", "revoke ID",
          "purge", "stats", "contacts import FILE.csv|FILE.vcf", "contacts set EMAIL PHONE",
          "contacts list", "contacts rm EMAIL", "policy check FILE.eml --from A --to B"}) {
        INFO(verb);
        CHECK(top.find(std::string("  ") + verb) != std::string::npos);
    }
    CHECK(help_text(Verb::show).rfind("usage: sealpost [--config PATH] show ID\n\nShow ", 0) == 0);
}

TEST_CASE("args: resend and --print", "[admin][args]") {
    auto r = parse({"resend", "0123abcd"});
    REQUIRE(r.ok());
    CHECK(r->verb == Verb::resend);
    CHECK(r->operands == std::vector<std::string>{"0123abcd"});
    CHECK_FALSE(r->print);
    auto p = parse({"--print", "resend", "0123abcd"});
    REQUIRE(p.ok());
    CHECK(p->print);
    CHECK(usage_error({"resend"}) == "resend: missing envelope ID");
    CHECK(usage_error({"resend", "a", "b"}) == "resend: unexpected argument 'b'");
    CHECK(usage_error({"show", "0123abcd", "--print"}) == "show: unknown option '--print'");
    CHECK(usage_error({"resend", "0123abcd", "--active"}) == "resend: unknown option '--active'");
    CHECK(help_text(Verb::resend)
              .rfind("usage: sealpost [--config PATH] resend ID [--print]\n\nGive the patient a "
                     "new link",
                     0) == 0);
}

TEST_CASE("args: policy check", "[admin][args]") {
    auto r = parse({"policy", "check", "m.eml", "--from", "a@praxis.ch", "--to=p@x.ch", "--to",
                    "q@x.ch", "--out", "dir", "--policy", "p.toml"});
    REQUIRE(r.ok());
    CHECK(r->verb == Verb::policy_check);
    CHECK(r->operands == std::vector<std::string>{"m.eml"});
    CHECK(r->from == "a@praxis.ch");
    CHECK(r->to == std::vector<std::string>{"p@x.ch", "q@x.ch"});
    CHECK(r->out_dir == "dir");
    CHECK(r->policy == "p.toml");
    CHECK(usage_error({"policy"}) == "policy: missing subcommand (check)");
    CHECK(usage_error({"policy", "check", "--from", "a@b.ch", "--to", "c@d.ch"}) ==
          "policy check: missing message file");
    CHECK(usage_error({"policy", "check", "m.eml", "--to", "c@d.ch"}) ==
          "policy check: missing --from ADDRESS");
    CHECK(usage_error({"policy", "check", "m.eml", "--from", "a@b.ch"}) ==
          "policy check: missing --to ADDRESS");
    CHECK(usage_error({"policy", "check", "m.eml", "--from"}) == "option --from needs a value");
    CHECK(usage_error({"list", "--to", "c@d.ch"}) == "list: unknown option '--to'");
    CHECK(usage_error({"policy", "check", "m.eml", "--from", "a@b.ch", "--to", "c@d.ch", "--lang",
                       "fr"}) == "policy check: unknown option '--lang'");
}

TEST_CASE("args: usage errors name the problem in one line", "[admin][args]") {
    CHECK(usage_error({}) == "missing command");
    CHECK(usage_error({"frobnicate"}) == "unknown command 'frobnicate'");
    CHECK(usage_error({"\x1b[2J"}) == "unknown command '\\x1b[2J'");
    CHECK(usage_error({"keys"}) == "keys: missing subcommand (init)");
    CHECK(usage_error({"keys", "rotate"}) == "unknown command 'keys rotate'");
    CHECK(usage_error({"contacts"}) == "contacts: missing subcommand (import, set, list, rm)");
    CHECK(usage_error({"show"}) == "show: missing envelope ID");
    CHECK(usage_error({"show", "a", "b"}) == "show: unexpected argument 'b'");
    CHECK(usage_error({"contacts", "set"}) == "contacts set: missing EMAIL and PHONE");
    CHECK(usage_error({"contacts", "set", "a@b.ch"}) == "contacts set: missing PHONE");
    CHECK(usage_error({"contacts", "set", "a@b.ch", "079", "--lang", "es"}) ==
          "contacts set: --lang must be de, fr, it or en");
    CHECK(usage_error({"contacts", "list", "--lang", "de"}) ==
          "contacts list: unknown option '--lang'");
    CHECK(usage_error({"list", "--active", "--expired"}) ==
          "list: --active and --expired exclude each other");
    CHECK(usage_error({"stats", "--active"}) == "stats: unknown option '--active'");
    CHECK(usage_error({"purge", "--force"}) == "purge: unknown option '--force'");
    CHECK(usage_error({"--config"}) == "option --config needs a value");
    CHECK(usage_error({"--bogus"}) == "unknown option '--bogus'");
    CHECK(usage_error({"contacts", "import"}) == "contacts import: missing file name");
}

}  // namespace
}  // namespace sealpost::admin
