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

}  // namespace sealpost
