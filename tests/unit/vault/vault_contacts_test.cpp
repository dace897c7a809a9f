// SPDX-License-Identifier: Apache-2.0
// Contacts store: set/get/list/remove, case-insensitive lookup, the contacts key is required,
// and neither address nor phone appears in clear in the data file.
#include <algorithm>
#include <string>

#include "vault_test_fixture.hpp"

namespace sealpost::vault::test {
namespace {

TEST_CASE("contacts set, get, list and remove", "[vault][contacts]") {
    Fixture fx;
    auto v = fx.open();
    REQUIRE(v.contact_set("Hans.Muster@Example.CH", "+41791112233", "de"));
    REQUIRE(v.contact_set("marie@exemple.ch", "+41794445566", "fr"));

    auto hans = v.contact_get("hans.muster@example.ch");
    REQUIRE(hans);
    CHECK(hans->email == "hans.muster@example.ch");
    CHECK(hans->phone_e164 == "+41791112233");
    CHECK(hans->language == "de");
    auto upper = v.contact_get("HANS.MUSTER@EXAMPLE.CH");
    REQUIRE(upper);
    CHECK(upper->phone_e164 == "+41791112233");

    // Replace.
    REQUIRE(v.contact_set("hans.muster@example.ch", "+41790000001", "it"));
    CHECK(v.contact_get("Hans.Muster@example.ch").value().phone_e164 == "+41790000001");
    CHECK(v.contact_get("Hans.Muster@example.ch").value().language == "it");

    auto all = v.contact_list();
    REQUIRE(all);
    REQUIRE(all->size() == 2);
    std::vector<std::string> emails;
    for (const auto& c : *all) {
        emails.push_back(c.email);
    }
    std::sort(emails.begin(), emails.end());
    CHECK(emails == std::vector<std::string>{"hans.muster@example.ch", "marie@exemple.ch"});

    REQUIRE(v.contact_remove("MARIE@exemple.ch"));
    CHECK(v.contact_get("marie@exemple.ch").error().code == Errc::not_found);
    CHECK(v.contact_remove("marie@exemple.ch").error().code == Errc::not_found);
    CHECK(v.contact_list().value().size() == 1);
    CHECK(v.contact_set("", "+41790000001", "de").error().code == Errc::invalid_argument);
}

TEST_CASE("contact_add inserts only and never replaces a stored contact", "[vault][contacts]") {
    Fixture fx;
    auto v = fx.open();
    REQUIRE(v.contact_add("Hans.Muster@Example.CH", "+41791112233", "de"));
    CHECK(v.contact_get("hans.muster@example.ch").value().phone_e164 == "+41791112233");
    auto again = v.contact_add("HANS.MUSTER@example.ch", "+41790000001", "");
    REQUIRE_FALSE(again);
    CHECK(again.error().code == Errc::exists);
    const auto kept = v.contact_get("hans.muster@example.ch").value();
    CHECK(kept.phone_e164 == "+41791112233");
    CHECK(kept.language == "de");
    // contact_set (the CLI) still replaces.
    REQUIRE(v.contact_set("hans.muster@example.ch", "+41790000001", "it"));
    CHECK(v.contact_get("hans.muster@example.ch").value().phone_e164 == "+41790000001");
    CHECK(v.contact_add("", "+41790000001", "").error().code == Errc::invalid_argument);
}

TEST_CASE("contacts are stored encrypted", "[vault][contacts][lmdb]") {
    Fixture fx;
    {
        auto v = fx.open();
        REQUIRE(v.contact_set("Zora.Beispiel@patient-zeta.ch", "+41798887766", "en"));
    }
    const Bytes data = file_bytes(fx.opts.dir / "data.mdb");
    CHECK_FALSE(contains(data, "zora.beispiel"));
    CHECK_FALSE(contains(data, "Zora.Beispiel"));
    CHECK_FALSE(contains(data, "patient-zeta"));
    CHECK_FALSE(contains(data, "41798887766"));
    CHECK_FALSE(contains(data, fx.keys.contacts->key));
    // The record names its key id in clear (for rotation): the scan does see records.
    CHECK(contains(data, fx.keys.contacts->id));
}

TEST_CASE("contacts need contacts.key", "[vault][contacts]") {
    Fixture fx;
    auto portal_keys = keys::keys_load(fx.tmp.path() / "keys", keys::pepper | keys::escrow_public);
    REQUIRE(portal_keys);
    auto v = Vault::open(fx.opts, *portal_keys);
    REQUIRE(v);
    CHECK(v->contact_set("a@b.ch", "+41791234567", "de").error().code == Errc::key_error);
    CHECK(v->contact_get("a@b.ch").error().code == Errc::key_error);
    CHECK(v->contact_list().error().code == Errc::key_error);
    CHECK(v->contact_remove("a@b.ch").error().code == Errc::key_error);
}

}  // namespace
}  // namespace sealpost::vault::test
