# SPDX-License-Identifier: Apache-2.0
# sealpost_portal_sms: the portal's code providers (http gateway, Twilio, outbox file) for SMS and
# voice calls, and the one libcurl wrapper. Included from portal/CMakeLists.txt.
add_library(sealpost_portal_sms STATIC
  ${CMAKE_CURRENT_LIST_DIR}/portal_curl.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_sms.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_sms_format.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_sms_http.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_sms_outbox.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_voice.cpp
)
target_include_directories(sealpost_portal_sms PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(sealpost_portal_sms
  PUBLIC sealpost_flags sealpost_core CURL::libcurl
  PRIVATE sealpost_crypto)
