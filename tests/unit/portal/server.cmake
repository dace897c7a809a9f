# SPDX-License-Identifier: Apache-2.0
# test_portal: the portal's HTTP helpers, sessions, CSRF, limits and streamed ZIP (no network;
# libzip reads the archives back).
sealpost_unit_test(test_portal
  SOURCES portal_http_test.cpp portal_request_test.cpp portal_zip_test.cpp
  LIBS sealpost_portal_lib PkgConfig::LIBZIP)
