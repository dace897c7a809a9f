// SPDX-License-Identifier: Apache-2.0
// Contacts store: patient address -> mobile number and language, keyed by
// HMAC-SHA256(pepper, lower-cased address) and sealed under contacts.key (AAD: key id || key).
#include <string>
#include <utility>

#include "vault/vault_impl.hpp"

namespace sealpost::vault {
namespace {

constexpr std::size_t kMaxContactField = 1024;

/// ASCII lower-case, in a buffer that is wiped when freed (the address is personal data).
crypto::SecretString lowercase(std::string_view s) {
    crypto::SecretString out(s.begin(), s.end());
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c + 32);
        }
    }
    return out;
}

records::LookupId contact_lookup(const keys::SymmetricKey& pepper, std::string_view email) {
    const crypto::SecretString lower = lowercase(email);
    return crypto::hmac_sha256(pepper.key, crypto::as_bytes({lower.data(), lower.size()}));
}

crypto::Bytes contact_aad(const std::string& key_id, const records::LookupId& lookup) {
    crypto::Bytes aad(key_id.begin(), key_id.end());
    aad.insert(aad.end(), lookup.begin(), lookup.end());
    return aad;
}

Status need_key(const std::optional<keys::SymmetricKey>& k) {
    if (!k) {
        return make_error(Errc::key_error, "contacts need contacts.key");
    }
    return {};
}

Result<Contact> open_contact(const keys::SymmetricKey& key, crypto::ByteView lookup,
                             crypto::ByteView value) {
    SP_TRY(rec, records::decode_contact_record(value));
    if (rec.key_id != key.id) {
        return make_error(Errc::key_error, "contact sealed under key " + rec.key_id);
    }
    crypto::Bytes aad(rec.key_id.begin(), rec.key_id.end());
    aad.insert(aad.end(), lookup.begin(), lookup.end());
    SP_TRY(plain, crypto::aead_open(key.key, aad, rec.sealed));
    return records::decode_contact(plain);
}

}  // namespace

Status Vault::contact_set(std::string_view email, std::string_view phone_e164,
                          std::string_view language) {
    return contact_put(email, phone_e164, language, true);
}

Status Vault::contact_add(std::string_view email, std::string_view phone_e164,
                          std::string_view language) {
    return contact_put(email, phone_e164, language, false);
}

Status Vault::contact_put(std::string_view email, std::string_view phone_e164,
                          std::string_view language, bool replace) {
    Impl& im = *impl_;
    SP_CHECK(need_key(im.contacts));
    if (email.empty() || phone_e164.empty() || email.size() > kMaxContactField ||
        phone_e164.size() > kMaxContactField || language.size() > kMaxContactField) {
        return make_error(Errc::invalid_argument, "contact needs an address and a phone");
    }
    const crypto::SecretString lower = lowercase(email);
    Contact c{std::string(lower.begin(), lower.end()), std::string(phone_e164),
              std::string(language)};
    const records::LookupId lookup = contact_lookup(im.pepper, email);
    const crypto::SecretBytes plain = records::encode_contact(c);
    crypto::secure_wipe(c.email.data(), c.email.size());
    crypto::secure_wipe(c.phone_e164.data(), c.phone_e164.size());
    SP_TRY(sealed,
           crypto::aead_seal(im.contacts->key, contact_aad(im.contacts->id, lookup), plain));
    const crypto::Bytes value =
        records::encode_contact_record({im.contacts->id, std::move(sealed)});
    return im.write([&](kv::Txn& txn) -> Status {
        if (!replace) {
            SP_TRY(old, txn.get(im.db.contacts, lookup));
            if (old) {
                return make_error(Errc::exists, "contact already stored");
            }
        }
        return txn.put(im.db.contacts, lookup, value);
    });
}

Result<Contact> Vault::contact_get(std::string_view email) {
    Impl& im = *impl_;
    SP_CHECK(need_key(im.contacts));
    const records::LookupId lookup = contact_lookup(im.pepper, email);
    crypto::Bytes value;
    {
        SP_TRY(txn, im.read());
        SP_TRY(raw, txn.get(im.db.contacts, lookup));
        if (!raw) {
            return make_error(Errc::not_found, "no such contact");
        }
        value.assign(raw->begin(), raw->end());
    }
    return open_contact(*im.contacts, lookup, value);
}

Result<std::vector<Contact>> Vault::contact_list() {
    Impl& im = *impl_;
    SP_CHECK(need_key(im.contacts));
    struct Raw {
        crypto::Bytes key, value;
    };
    std::vector<Raw> raws;
    {
        SP_TRY(txn, im.read());
        SP_TRY(cur, kv::Cursor::open(txn, im.db.contacts));
        SP_TRY(e, cur.first());
        while (e) {
            raws.push_back({{e->key.begin(), e->key.end()}, {e->value.begin(), e->value.end()}});
            SP_TRY(n, cur.next());
            e = n;
        }
    }
    std::vector<Contact> out;
    out.reserve(raws.size());
    for (const Raw& r : raws) {
        SP_TRY(c, open_contact(*im.contacts, r.key, r.value));
        out.push_back(std::move(c));
    }
    return out;
}

Status Vault::contact_remove(std::string_view email) {
    Impl& im = *impl_;
    SP_CHECK(need_key(im.contacts));
    const records::LookupId lookup = contact_lookup(im.pepper, email);
    return im.write([&](kv::Txn& txn) -> Status {
        SP_TRY(gone, txn.del(im.db.contacts, lookup));
        if (!gone) {
            return make_error(Errc::not_found, "no such contact");
        }
        return {};
    });
}

}  // namespace sealpost::vault
