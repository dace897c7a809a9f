// SPDX-License-Identifier: Apache-2.0
// Pages::load: reads the templates, catalogs and stylesheet once at start and refuses a set in
// which a language lacks a key, a template names an unknown key, or a text uses a placeholder
// its page does not supply, so a broken translation stops the start instead of a page.
#include <fstream>
#include <iterator>
#include <map>

#include "portal/portal_pages_impl.hpp"

namespace sealpost::portal {
namespace {

constexpr std::size_t kMaxFile = std::size_t{256} * 1024;

Result<std::string> read_file(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) {
        return make_error(Errc::io, "cannot read " + p.string());
    }
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (s.size() > kMaxFile) {
        return make_error(Errc::invalid_argument, p.string() + ": larger than 256 KiB");
    }
    return s;
}

std::string catalog_file(std::size_t lang) {
    return "strings." + std::string(kLanguages[lang]) + ".txt";
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        out += (out.empty() ? "{" : " {") + n + "}";
    }
    return out.empty() ? "none" : out;
}

/// Who uses a key and which placeholders that user supplies.
struct Use {
    std::string who;
    std::string_view placeholders;
};

/// Same keys, and the same placeholders per key, in every language as in the first (de).
Status check_languages(const std::filesystem::path& dir,
                       const std::array<Catalog, std::size(kLanguages)>& cats) {
    const Catalog& ref = cats[0];
    const std::string ref_file = catalog_file(0);
    for (std::size_t i = 1; i < cats.size(); ++i) {
        const std::string file = catalog_file(i);
        for (const auto& [key, text] : ref.entries()) {
            const std::string* mine = cats[i].find(key);
            if (mine == nullptr) {
                return make_error(Errc::invalid_argument,
                                  concat({(dir / file).string(), ": missing key '", key, "' (",
                                          ref_file, " has it)"}));
            }
            if (placeholders(*mine) != placeholders(text)) {
                return make_error(Errc::invalid_argument,
                                  concat({(dir / file).string(), ": key '", key, "' uses ",
                                          joined(placeholders(*mine)), " but ", ref_file, " uses ",
                                          joined(placeholders(text))}));
            }
        }
        for (const auto& [key, text] : cats[i].entries()) {
            if (ref.find(key) == nullptr) {
                return make_error(Errc::invalid_argument,
                                  concat({(dir / ref_file).string(), ": missing key '", key, "' (",
                                          file, " has it)"}));
            }
        }
    }
    return {};
}

/// Every key is used somewhere, and uses only placeholders that each of its users supplies.
Status check_uses(const std::filesystem::path& dir,
                  const std::array<Catalog, std::size(kLanguages)>& cats,
                  const std::multimap<std::string, Use, std::less<>>& uses) {
    for (std::size_t i = 0; i < cats.size(); ++i) {
        const std::string file = (dir / catalog_file(i)).string();
        for (const auto& [key, text] : cats[i].entries()) {
            const auto [first, last] = uses.equal_range(key);
            if (first == last) {
                return make_error(Errc::invalid_argument,
                                  concat({file, ": key '", key, "' is not used by any page"}));
            }
            for (auto u = first; u != last; ++u) {
                for (const auto& name : placeholders(text)) {
                    if (!has_word(u->second.placeholders, name)) {
                        return make_error(Errc::invalid_argument,
                                          concat({file, ": key '", key, "' uses {", name,
                                                  "}, which ", u->second.who, " does not supply"}));
                    }
                }
            }
        }
    }
    return {};
}

}  // namespace

Pages::Pages(std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Pages::~Pages() = default;

Result<std::shared_ptr<const Pages>> Pages::load(const std::filesystem::path& dir) {
    auto impl = std::make_unique<Impl>();
    for (std::size_t i = 0; i < impl->catalogs.size(); ++i) {
        const auto path = dir / catalog_file(i);
        SP_TRY(text, read_file(path));
        SP_TRY(catalog, Catalog::parse(text, path.string()));
        impl->catalogs[i] = std::move(catalog);
    }
    SP_CHECK(check_languages(dir, impl->catalogs));

    // Keys are the same in every language now, so one catalog answers "is this key known".
    const Catalog& any = impl->catalogs[0];
    std::multimap<std::string, Use, std::less<>> uses;
    for (std::size_t t = 0; t < kTemplateSpecs.size(); ++t) {
        const TemplateSpec& spec = kTemplateSpecs[t];
        const auto path = dir / spec.file;
        SP_TRY(text, read_file(path));
        auto parsed = Template::parse(text, {spec.vars, spec.raws});
        if (!parsed) {
            return make_error(Errc::invalid_argument, path.string() + ": " + parsed.error().detail);
        }
        for (const auto& piece : parsed->pieces()) {
            if (piece.kind != Template::Piece::Kind::key) {
                continue;
            }
            if (any.find(piece.text) == nullptr) {
                return make_error(Errc::invalid_argument, path.string() + ": line " +
                                                              std::to_string(piece.line) +
                                                              ": unknown key '" + piece.text + "'");
            }
            uses.emplace(piece.text, Use{std::string(spec.file), spec.vars});
        }
        impl->templates[t] = std::move(parsed).value();
    }
    for (auto& ck : code_keys()) {
        if (any.find(ck.key) == nullptr) {
            return make_error(Errc::invalid_argument, (dir / catalog_file(0)).string() +
                                                          ": missing key '" + ck.key +
                                                          "' (used by the page code)");
        }
        uses.emplace(std::move(ck.key), Use{"the page code", ck.placeholders});
    }
    SP_CHECK(check_uses(dir, impl->catalogs, uses));

    SP_TRY(css, read_file(dir / "portal.css"));
    impl->css = std::move(css);
    return std::make_shared<const Pages>(std::move(impl));
}

const std::string& Pages::css() const {
    return impl_->css;
}

}  // namespace sealpost::portal
