// SPDX-License-Identifier: Apache-2.0
// What one SIGHUP reload of a daemon found when it compared the new config with the running
// one: the settings it put in force and those that wait for a restart (listen addresses, the
// vault, key material), and the one log line that says so. Names are config keys or sections,
// never values, and the certificate appears only as its fingerprint: no secret reaches the log.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sealpost {

class ReloadReport {
  public:
    /// Notes `name` as changed and now in force, when `differs`.
    void applied(bool differs, std::string_view name);
    /// Notes `name` as changed but kept as it was until a restart, when `differs`.
    void needs_restart(bool differs, std::string_view name);
    /// The fingerprints of the TLS certificate in force before and after: `tls_cert` is
    /// changed when they differ, and the line names the new one.
    void certificate(std::string_view before, std::string_view after);

    /// "practice,tls_cert", or "none".
    [[nodiscard]] std::string changed() const;
    /// "portal.listen,vault", or "none".
    [[nodiscard]] std::string restart() const;

    /// Logs `event=EVENT result=ok changed=... [tls_sha256=...] needs_restart=...`.
    void log_ok(std::string_view event) const;
    /// Logs `event=EVENT result=failed detail=...`: the reload kept everything as it was.
    static void log_failed(std::string_view event, std::string_view detail);

  private:
    std::vector<std::string> changed_;
    std::vector<std::string> restart_;
    std::string fingerprint_;
};

/** Sorts the keys of one config section for a reload: each key named is compared, a
 * `reloaded` one with the value in force (`live`), a `restart` one with the value at start;
 * others() then notes `name` as needing a restart if any key not named changed. */
template <class Section>
class SectionReload {
  public:
    SectionReload(ReloadReport& report, const Section& started, const Section& live,
                  const Section& next)
        : report_(report), started_(started), live_(live), next_(next), rest_(started) {}

    template <class Field>
    SectionReload& reloaded(Field Section::*key, std::string_view name) {
        report_.applied(next_.*key != live_.*key, name);
        rest_.*key = next_.*key;
        return *this;
    }
    template <class Field>
    SectionReload& restart(Field Section::*key, std::string_view name) {
        report_.needs_restart(next_.*key != started_.*key, name);
        rest_.*key = next_.*key;
        return *this;
    }
    void others(std::string_view name) { report_.needs_restart(rest_ != next_, name); }

  private:
    ReloadReport& report_;
    const Section& started_;
    const Section& live_;
    const Section& next_;
    Section rest_;  ///< the section at start with every named key taken from next_
};

}  // namespace sealpost
