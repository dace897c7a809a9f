// SPDX-License-Identifier: Apache-2.0
// The proxy's download-notice loop: the retry schedule of a notice that failed.
#include <catch2/catch.hpp>

#include "proxy/proxy_notices.hpp"

namespace sealpost::proxy {
namespace {

TEST_CASE("failed notices wait 1 min, 5 min, 30 min, then hourly", "[notice]") {
    CHECK(notice_backoff(1) == 60);
    CHECK(notice_backoff(2) == 300);
    CHECK(notice_backoff(3) == 1800);
    CHECK(notice_backoff(4) == 3600);
    CHECK(notice_backoff(70) == 3600);
    CHECK(kNoticeGiveUp == 3LL * 86400);
}

}  // namespace
}  // namespace sealpost::proxy
