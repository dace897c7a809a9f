# SPDX-License-Identifier: Apache-2.0
# test_portal_sms: the SMS and voice providers against an in-process recording HTTP server
# (http_recorder.hpp), the escaping and outbox formats, and the startup file checks.
# Included from tests/unit/portal/CMakeLists.txt.
sealpost_unit_test(test_portal_sms
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/portal_sms_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/portal_sms_format_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/portal_voice_test.cpp
  LIBS sealpost_portal_sms Threads::Threads)
