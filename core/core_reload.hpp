// What one SIGHUP reload of a daemon found when it compared the new config with the running
// one: the settings it put in force and those that wait for a restart (listen addresses, the
// vault, key material). Each daemon logs both lists in the one line of its reload; names are
// config keys or sections, never values, so no secret reaches the log.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sealpost {

class ReloadReport {
  public:
    /// Notes `name` as changed and now in force, when `differs`.
    void applied(bool differs, std::string_view name) { add(changed_, differs, name); }
    /// Notes `name` as changed but kept as it was until a restart, when `differs`.
    void needs_restart(bool differs, std::string_view name) { add(restart_, differs, name); }

    /// "practice,tls_cert", or "none".
    [[nodiscard]] std::string changed() const { return join(changed_); }
    /// "portal.listen,vault", or "none".
    [[nodiscard]] std::string restart() const { return join(restart_); }
    [[nodiscard]] bool restart_needed() const noexcept { return !restart_.empty(); }

  private:
    static void add(std::vector<std::string>& list, bool differs, std::string_view name) {
        if (differs) {
            list.emplace_back(name);
        }
    }
    static std::string join(const std::vector<std::string>& list) {
        if (list.empty()) {
            return "none";
        }
        std::string out;
        for (const auto& n : list) {
            out += out.empty() ? "" : ",";
            out += n;
        }
        return out;
    }

    std::vector<std::string> changed_;
    std::vector<std::string> restart_;
};

}  // namespace sealpost
