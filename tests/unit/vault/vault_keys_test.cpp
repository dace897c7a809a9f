// SPDX-License-Identifier: Apache-2.0
// Tests for the key files: keys_init's modes and refusal to overwrite, keys_load's permission,
// format and pairing checks, and loading only the keys asked for.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/core_hex.hpp"
#include "test_tempdir.hpp"
#include "vault/vault_keys.hpp"

using namespace sealpost;
using namespace sealpost::keys;
namespace fs = std::filesystem;
using sealpost::test::TempDir;

namespace {

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return static_cast<unsigned>(st.st_mode & 07777);
}

void set_mode(const fs::path& p, unsigned mode) {
    REQUIRE(::chmod(p.c_str(), mode) == 0);
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text(const fs::path& p, const std::string& text, unsigned mode) {
    {
        std::ofstream out(p, std::ios::binary | std::ios::trunc);
        out << text;
        REQUIRE(out.good());
    }
    set_mode(p, mode);
}

/// The base64url key fields (last word of the line) of the well-formed key files in `dir`.
std::vector<std::string> key_fields(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (!e.is_regular_file() || e.is_symlink()) {
            continue;
        }
        const std::string t = read_text(e.path());
        const auto sp = t.rfind(' ');
        if (sp != std::string::npos && t.size() > sp + 20) {
            out.push_back(t.substr(sp + 1, 20));
        }
    }
    return out;
}

/// keys_load must fail with key_error, name the file and show no key material.
void require_key_error(const fs::path& dir, unsigned needs, const std::string& file,
                       const std::string& also = {}) {
    auto r = keys_load(dir, needs);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::key_error);
    CHECK_THAT(r.error().detail, Catch::Contains(file));
    if (!also.empty()) {
        CHECK_THAT(r.error().detail, Catch::Contains(also));
    }
    for (const auto& secret : key_fields(dir)) {
        CHECK_THAT(r.error().detail, !Catch::Contains(secret));
    }
}

}  // namespace

TEST_CASE("keys_init creates a 0700 directory with four 0600 key files") {
    TempDir tmp;
    const fs::path dir = tmp.path() / "keys";
    REQUIRE(keys_init(dir).ok());
    CHECK(mode_of(dir) == 0700);
    for (const char* f : {"pepper", "escrow.pub", "escrow.key", "contacts.key"}) {
        INFO(f);
        CHECK(fs::is_regular_file(dir / f));
        CHECK(mode_of(dir / f) == 0600);
    }
    // No temporary files are left behind.
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 4);

    const std::string pepper_line = read_text(dir / "pepper");
    CHECK(pepper_line.rfind("sealpost-key v1 pepper ", 0) == 0);
    CHECK(pepper_line.size() == std::string("sealpost-key v1 pepper 01234567 ").size() + 43 + 1);
    CHECK(pepper_line.back() == '\n');
    CHECK(read_text(dir / "escrow.key").rfind("sealpost-key v1 escrow-private ", 0) == 0);
    CHECK(read_text(dir / "escrow.pub").rfind("sealpost-key v1 escrow-public ", 0) == 0);
    CHECK(read_text(dir / "contacts.key").rfind("sealpost-key v1 contacts ", 0) == 0);

    auto ring = keys_load(dir, kAllKeys);
    REQUIRE(ring.ok());
    CHECK(ring->loaded == kAllKeys);
    CHECK(ring->pepper.key.size() == 32);
    CHECK(ring->pepper.id == key_id(ring->pepper.key));
    CHECK(pepper_line.substr(23, 8) == ring->pepper.id);
    CHECK(ring->escrow_public.size() == 32);
    CHECK(ring->escrow_id == key_id(ring->escrow_public));
    REQUIRE(ring->escrow_pair.has_value());
    CHECK(ring->escrow_pair->public_key == ring->escrow_public);
    CHECK(crypto::x25519_public_of(ring->escrow_pair->private_key).value() == ring->escrow_public);
    REQUIRE(ring->contacts.has_value());
    CHECK(ring->contacts->key.size() == 32);
    CHECK(ring->contacts->key != ring->pepper.key);

    // The escrow pair works end to end.
    auto sealed = crypto::seal_to(ring->escrow_public, {}, crypto::as_bytes("dek"));
    REQUIRE(sealed.ok());
    CHECK(crypto::open_sealed(*ring->escrow_pair, {}, *sealed).ok());
}

TEST_CASE("keys_init never overwrites keys") {
    TempDir tmp;
    const fs::path dir = tmp.path() / "keys";
    REQUIRE(keys_init(dir).ok());
    const std::string before = read_text(dir / "pepper");
    auto again = keys_init(dir);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == Errc::exists);
    CHECK(read_text(dir / "pepper") == before);

    SECTION("a single existing key file is enough to refuse, and nothing is written") {
        const fs::path dir2 = tmp.path() / "keys2";
        fs::create_directory(dir2);
        write_text(dir2 / "contacts.key", "x\n", 0600);
        auto r = keys_init(dir2);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == Errc::exists);
        CHECK_THAT(r.error().detail, Catch::Contains("contacts.key"));
        CHECK(std::distance(fs::directory_iterator(dir2), fs::directory_iterator()) == 1);
    }
    SECTION("a dangling symlink in place of a key file also refuses") {
        const fs::path dir3 = tmp.path() / "keys3";
        fs::create_directory(dir3);
        fs::create_symlink(tmp.path() / "nowhere", dir3 / "pepper");
        CHECK(keys_init(dir3).error().code == Errc::exists);
        CHECK_FALSE(fs::exists(tmp.path() / "nowhere"));
    }
}

TEST_CASE("keys_init into an existing directory keeps its mode; a missing parent is an io error") {
    TempDir tmp;
    set_mode(tmp.path(), 0750);
    REQUIRE(keys_init(tmp.path()).ok());
    CHECK(mode_of(tmp.path()) == 0750);
    CHECK(mode_of(tmp.path() / "escrow.key") == 0600);

    CHECK(keys_init(tmp.path() / "no" / "such").error().code == Errc::io);
    write_text(tmp.path() / "afile", "", 0600);
    CHECK(keys_init(tmp.path() / "afile").error().code == Errc::io);
}

TEST_CASE("keys_load refuses unsafe permissions") {
    TempDir tmp;
    const fs::path dir = tmp.path();
    REQUIRE(keys_init(dir).ok());

    SECTION("pepper and escrow.pub may be 0640") {
        set_mode(dir / "pepper", 0640);
        set_mode(dir / "escrow.pub", 0640);
        CHECK(keys_load(dir, pepper | escrow_public).ok());
        set_mode(dir / "pepper", 0400);
        CHECK(keys_load(dir, pepper).ok());
    }
    SECTION("a world-readable pepper is refused, naming file and mode") {
        set_mode(dir / "pepper", 0644);
        require_key_error(dir, pepper, "pepper", "0644");
    }
    SECTION("world-writable escrow.pub is refused") {
        set_mode(dir / "escrow.pub", 0602);
        require_key_error(dir, escrow_public, "escrow.pub", "0602");
    }
    SECTION("a group-readable escrow.key is refused") {
        set_mode(dir / "escrow.key", 0640);
        require_key_error(dir, escrow_private, "escrow.key", "0640");
        // ...but a process that does not ask for it is not affected.
        CHECK(keys_load(dir, pepper | escrow_public | contacts).ok());
    }
    SECTION("a group-writable contacts.key is refused") {
        set_mode(dir / "contacts.key", 0620);
        require_key_error(dir, contacts, "contacts.key", "0620");
    }
    SECTION("a symlink is refused even to a good key file") {
        fs::rename(dir / "pepper", dir / "real-pepper");
        fs::create_symlink(dir / "real-pepper", dir / "pepper");
        require_key_error(dir, pepper, "pepper", "symlink");
    }
    SECTION("a directory or FIFO in place of a key file is refused") {
        fs::remove(dir / "contacts.key");
        fs::create_directory(dir / "contacts.key");
        set_mode(dir / "contacts.key", 0700);
        require_key_error(dir, contacts, "contacts.key", "regular");
        fs::remove(dir / "pepper");
        REQUIRE(::mkfifo((dir / "pepper").c_str(), 0600) == 0);
        require_key_error(dir, pepper, "pepper", "regular");
    }
}

TEST_CASE("keys_load refuses malformed key files") {
    TempDir tmp;
    const fs::path dir = tmp.path();
    REQUIRE(keys_init(dir).ok());
    const std::string good = read_text(dir / "pepper");

    SECTION("missing") {
        fs::remove(dir / "pepper");
        require_key_error(dir, pepper, "pepper", "missing");
    }
    SECTION("truncated in the key") {
        write_text(dir / "pepper", good.substr(0, good.size() - 10) + "\n", 0600);
        require_key_error(dir, pepper, "pepper");
    }
    SECTION("truncated: newline lost") {
        write_text(dir / "pepper", good.substr(0, good.size() - 1), 0600);
        require_key_error(dir, pepper, "pepper", "truncated");
    }
    SECTION("empty") {
        write_text(dir / "pepper", "", 0600);
        require_key_error(dir, pepper, "pepper");
    }
    SECTION("two lines") {
        write_text(dir / "pepper", good + good, 0600);
        require_key_error(dir, pepper, "pepper");
    }
    SECTION("wrong kind: pepper copied over contacts.key") {
        write_text(dir / "contacts.key", good, 0600);
        require_key_error(dir, contacts, "contacts.key", "kind");
    }
    SECTION("wrong version") {
        std::string t = good;
        t.replace(13, 2, "v2");
        write_text(dir / "pepper", t, 0600);
        require_key_error(dir, pepper, "pepper", "v1");
    }
    SECTION("id that does not match the key") {
        std::string t = good;
        t[23] = t[23] == '0' ? '1' : '0';
        write_text(dir / "pepper", t, 0600);
        require_key_error(dir, pepper, "pepper", "id");
    }
    SECTION("a flipped key character is caught by the id") {
        std::string t = good;
        char& c = t[t.size() - 5];
        c = c == 'A' ? 'B' : 'A';
        write_text(dir / "pepper", t, 0600);
        require_key_error(dir, pepper, "pepper");
    }
    SECTION("too large") {
        write_text(dir / "pepper", std::string(4096, 'a') + "\n", 0600);
        require_key_error(dir, pepper, "pepper", "large");
    }
}

TEST_CASE("keys_load refuses an escrow key that does not match escrow.pub") {
    TempDir a;
    TempDir b;
    REQUIRE(keys_init(a.path()).ok());
    REQUIRE(keys_init(b.path()).ok());
    fs::copy_file(b.path() / "escrow.key", a.path() / "escrow.key",
                  fs::copy_options::overwrite_existing);
    set_mode(a.path() / "escrow.key", 0600);
    require_key_error(a.path(), escrow_private, "escrow.key", "escrow.pub");
    // The public half alone still loads.
    CHECK(keys_load(a.path(), escrow_public).ok());
}

TEST_CASE("keys_load opens only the files asked for") {
    TempDir tmp;
    const fs::path dir = tmp.path();
    REQUIRE(keys_init(dir).ok());
    auto all = keys_load(dir, kAllKeys);
    REQUIRE(all.ok());

    fs::remove(dir / "escrow.key");
    SECTION("the portal's set") {
        auto r = keys_load(dir, pepper | escrow_public);
        REQUIRE(r.ok());
        CHECK(r->loaded == (pepper | escrow_public));
        CHECK(r->pepper.key == all->pepper.key);
        CHECK(r->pepper.id == all->pepper.id);
        CHECK(r->escrow_public == all->escrow_public);
        CHECK_FALSE(r->escrow_pair.has_value());
        CHECK_FALSE(r->contacts.has_value());
    }
    SECTION("the proxy's set") {
        auto r = keys_load(dir, pepper | escrow_public | contacts);
        REQUIRE(r.ok());
        REQUIRE(r->contacts.has_value());
        CHECK(r->contacts->key == all->contacts->key);
        CHECK(r->contacts->id == all->contacts->id);
        CHECK_FALSE(r->escrow_pair.has_value());
    }
    SECTION("contacts only: pepper and escrow files not needed") {
        fs::remove(dir / "pepper");
        fs::remove(dir / "escrow.pub");
        auto r = keys_load(dir, contacts);
        REQUIRE(r.ok());
        CHECK(r->loaded == contacts);
        CHECK(r->pepper.key.empty());
        CHECK(r->escrow_public.empty());
    }
    SECTION("asking for the deleted escrow.key fails") {
        require_key_error(dir, escrow_private, "escrow.key", "missing");
    }
    SECTION("nothing asked, nothing loaded; unknown bits refused") {
        auto r = keys_load(dir, 0);
        REQUIRE(r.ok());
        CHECK(r->loaded == 0);
        CHECK(keys_load(dir, 16).error().code == Errc::invalid_argument);
    }
}

TEST_CASE("key_id is 8 hex characters derived from the key") {
    const crypto::Bytes k1(32, 1);
    const crypto::Bytes k2(32, 2);
    CHECK(key_id(k1).size() == 8);
    CHECK(key_id(k1) == key_id(k1));
    CHECK(key_id(k1) != key_id(k2));
    // First 4 bytes of HMAC-SHA256(k1, "sealpost-key-id v1").
    const auto mac = crypto::hmac_sha256(k1, crypto::as_bytes("sealpost-key-id v1"));
    CHECK(key_id(k1) == hex::encode(crypto::ByteView(mac.data(), 4)));
}
