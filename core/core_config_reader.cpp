// SPDX-License-Identifier: Apache-2.0
// Typed reading of one TOML table for the config schema: defaults, type and range checks, and
// one-line `FILE:LINE: KEY: what is wrong` errors.
#include "core/core_config_reader.hpp"

#include <algorithm>
#include <limits>

#include "core/core_units.hpp"

namespace sealpost::config_detail {
namespace {

// Make a message safe for one log/terminal line: no control characters.
std::string one_line(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7f) ? ' ' : c;
    }
    while (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    return out;
}

std::uint32_t line_of_node(const toml::node& n) {
    return static_cast<std::uint32_t>(n.source().begin.line);
}

std::string in_quotes(std::string_view s) {
    std::string out = "'";
    out += one_line(s.substr(0, 80));
    out += "'";
    return out;
}

}  // namespace

void FileContext::fail(std::uint32_t line, std::string_view key, std::string_view what) const {
    std::string msg = label_;
    if (line != 0) {
        msg += ':';
        msg += std::to_string(line);
    }
    msg += ": ";
    if (!key.empty()) {
        msg += key;
        msg += ": ";
    }
    msg += what;
    throw ConfigError(one_line(msg));
}

std::filesystem::path FileContext::resolve(std::string_view p) const {
    if (p.empty()) {
        return {};
    }
    std::filesystem::path path(p);
    if (path.is_absolute()) {
        return path.lexically_normal();
    }
    return (base_dir_ / path).lexically_normal();
}

std::string_view type_name(const toml::node& n) {
    switch (n.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a floating-point number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

Section::Section(const FileContext& file, const toml::table* table, std::string prefix,
                 std::uint32_t header_line)
    : file_(file), table_(table), prefix_(std::move(prefix)), header_line_(header_line) {}

bool Section::has(std::string_view key) const {
    return table_ != nullptr && table_->get(key) != nullptr;
}

std::uint32_t Section::line_of(std::string_view key) const {
    if (table_ != nullptr) {
        if (const toml::node* n = table_->get(key)) {
            return line_of_node(*n);
        }
    }
    return header_line_;
}

std::string Section::dotted(std::string_view key) const {
    std::string d = prefix_;
    d += '.';
    d += key;
    return d;
}

void Section::fail(std::string_view key, std::string_view what, std::string_view line_key) const {
    const std::uint32_t line =
        (!line_key.empty() && has(line_key)) ? line_of(line_key) : line_of(key);
    file_.fail(line, dotted(key), what);
}

const toml::node* Section::node(std::string_view key) {
    consumed_.emplace(key);
    return table_ == nullptr ? nullptr : table_->get(key);
}

const std::string* Section::string_node(std::string_view key) {
    const toml::node* n = node(key);
    if (n == nullptr) {
        return nullptr;
    }
    const auto* s = n->as_string();
    if (s == nullptr) {
        fail(key, std::string("expected a string, got ") + std::string(type_name(*n)));
    }
    if (s->get().find('\0') != std::string::npos) {
        fail(key, "contains a NUL character");
    }
    return &s->get();
}

std::string Section::string(std::string_view key, const std::string& def) {
    const std::string* s = string_node(key);
    return s == nullptr ? def : *s;
}

bool Section::boolean(std::string_view key, bool def) {
    const toml::node* n = node(key);
    if (n == nullptr) {
        return def;
    }
    const auto* b = n->as_boolean();
    if (b == nullptr) {
        fail(key, std::string("expected true or false, got ") + std::string(type_name(*n)));
    }
    return b->get();
}

std::int64_t Section::integer(std::string_view key, std::int64_t def, std::int64_t lo,
                              std::int64_t hi) {
    const toml::node* n = node(key);
    if (n == nullptr) {
        return def;
    }
    const auto* i = n->as_integer();
    if (i == nullptr) {
        fail(key, std::string("expected an integer, got ") + std::string(type_name(*n)));
    }
    const std::int64_t v = i->get();
    if (v < lo || v > hi) {
        fail(key, std::to_string(v) + " is out of range (" + std::to_string(lo) + ".." +
                      std::to_string(hi) + ")");
    }
    return v;
}

std::chrono::seconds Section::duration(std::string_view key, std::chrono::seconds def,
                                       std::chrono::seconds lo, std::chrono::seconds hi) {
    const toml::node* n = node(key);
    if (n == nullptr) {
        return def;
    }
    const auto* s = n->as_string();
    if (s == nullptr) {
        fail(key, std::string("expected a duration string such as \"30s\", \"10m\", \"1h\", "
                              "\"30d\", got ") +
                      std::string(type_name(*n)));
    }
    auto d = parse_duration(s->get());
    if (!d) {
        fail(key, in_quotes(s->get()) + " is not a duration (units: s, m, h, d, w)");
    }
    if (*d < lo || *d > hi) {
        fail(key, one_line(s->get()) + " is out of range (" + format_duration(lo) + ".." +
                      format_duration(hi) + ")");
    }
    return *d;
}

std::uint64_t Section::size(std::string_view key, std::uint64_t def, std::uint64_t lo,
                            std::uint64_t hi) {
    const toml::node* n = node(key);
    if (n == nullptr) {
        return def;
    }
    std::uint64_t v = 0;
    std::string written;
    if (const auto* i = n->as_integer()) {
        // A bare integer is a byte count, like the string "512".
        if (i->get() < 0) {
            fail(key, std::to_string(i->get()) + " is out of range (" + format_size(lo) + ".." +
                          format_size(hi) + ")");
        }
        v = static_cast<std::uint64_t>(i->get());
        written = std::to_string(v);
    } else if (const auto* s = n->as_string()) {
        auto parsed = parse_size(s->get());
        if (!parsed) {
            fail(key, in_quotes(s->get()) + " is not a size (units: B, KiB, MiB, GiB, TiB)");
        }
        v = *parsed;
        written = one_line(s->get());
    } else {
        fail(key, std::string("expected a size string such as \"25MiB\", got ") +
                      std::string(type_name(*n)));
    }
    if (v < lo || v > hi) {
        fail(key, written + " is out of range (" + format_size(lo) + ".." + format_size(hi) + ")");
    }
    return v;
}

std::filesystem::path Section::path(std::string_view key, const std::filesystem::path& def) {
    const std::string* s = string_node(key);
    if (s == nullptr) {
        return def;
    }
    return file_.resolve(*s);
}

std::vector<std::string> Section::strings(std::string_view key, std::vector<std::string> def) {
    const toml::node* n = node(key);
    if (n == nullptr) {
        return def;
    }
    const auto* arr = n->as_array();
    if (arr == nullptr) {
        fail(key, std::string("expected an array of strings, got ") + std::string(type_name(*n)));
    }
    std::vector<std::string> out;
    out.reserve(arr->size());
    for (const toml::node& el : *arr) {
        const auto* s = el.as_string();
        if (s == nullptr) {
            file_.fail(
                line_of_node(el), dotted(key),
                std::string("expected an array of strings, found ") + std::string(type_name(el)));
        }
        if (s->get().find('\0') != std::string::npos) {
            file_.fail(line_of_node(el), dotted(key), "contains a NUL character");
        }
        out.push_back(s->get());
    }
    return out;
}

void Section::fail_element(std::string_view key, std::size_t index, std::string_view what) const {
    std::uint32_t line = line_of(key);
    if (table_ != nullptr) {
        if (const auto* arr = table_->get_as<toml::array>(key);
            arr != nullptr && index < arr->size()) {
            line = line_of_node(*arr->get(index));
        }
    }
    file_.fail(line, dotted(key) + "[" + std::to_string(index) + "]", what);
}

std::size_t Section::choice(std::string_view key, std::size_t def,
                            const std::vector<std::string_view>& names) {
    const std::string* s = string_node(key);
    if (s == nullptr) {
        return def;
    }
    const auto it = std::find(names.begin(), names.end(), *s);
    if (it == names.end()) {
        std::string list;
        for (std::size_t i = 0; i < names.size(); ++i) {
            list += (i == 0) ? "" : (i + 1 == names.size() ? " or " : ", ");
            list += names[i];
        }
        fail(key, in_quotes(*s) + " is not one of " + list);
    }
    return static_cast<std::size_t>(it - names.begin());
}

const toml::array* Section::table_array(std::string_view key) {
    const toml::node* n = node(key);
    if (n == nullptr) {
        return nullptr;
    }
    const auto* arr = n->as_array();
    if (arr == nullptr || !arr->is_array_of_tables()) {
        // An empty array `listener = []` is an array but not "of tables": say what is meant.
        if (arr != nullptr && arr->empty()) {
            fail(key, "must not be empty");
        }
        fail(key, std::string("expected an array of tables ([[") + dotted(key) + "]]), got " +
                      std::string(type_name(*n)));
    }
    return arr;
}

void Section::finish() const {
    if (table_ == nullptr) {
        return;
    }
    // Report the unknown key that comes first in the file (the table itself is sorted by name).
    const toml::key* first = nullptr;
    for (auto&& [k, v] : *table_) {
        if (consumed_.find(k.str()) == consumed_.end() &&
            (first == nullptr || k.source().begin.line < first->source().begin.line)) {
            first = &k;
        }
    }
    if (first != nullptr) {
        const bool section = table_->get(first->str())->is_table();
        file_.fail(static_cast<std::uint32_t>(first->source().begin.line), dotted(first->str()),
                   section ? "unknown section" : "unknown key");
    }
}

}  // namespace sealpost::config_detail
