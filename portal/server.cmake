# SPDX-License-Identifier: Apache-2.0
# sealpost_portal_lib: the application (shared replies, routes, downloads, audit), cookies, the
# logo, sessions, HTTP helpers, ZIP, metrics and the Beast server;
# sealpost-portal: the program.
add_library(sealpost_portal_lib STATIC
  ${CMAKE_CURRENT_LIST_DIR}/portal_app.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_appearance.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_audit.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_cookies.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_download.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_http.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_logo.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_metrics.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_reload.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_request.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_routes.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_server.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_sessions.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_zip.cpp
)
target_include_directories(sealpost_portal_lib PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(sealpost_portal_lib
  PUBLIC sealpost_flags sealpost_core sealpost_net sealpost_vault sealpost_portal_pages
         sealpost_portal_sms
  PRIVATE ZLIB::ZLIB)

add_executable(sealpost-portal ${CMAKE_CURRENT_LIST_DIR}/main.cpp)
target_link_libraries(sealpost-portal PRIVATE sealpost_portal_lib)
