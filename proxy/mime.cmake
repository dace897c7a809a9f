# sealpost_mime: the sealing rewrite (GMime parse and rewrite, notice templates, vault glue)
# and sealpost's own notice mails (mime_compose).
# Included from proxy/CMakeLists.txt; GMime/GLib headers come in as SYSTEM (PkgConfig target).
add_library(sealpost_mime STATIC
  ${CMAKE_CURRENT_LIST_DIR}/mime_gobject.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mime_tree.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mime_shape.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mime_sniff.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mime_scan.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mime_parse.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mime_text.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mime_rewrite.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mime_compose.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mime_header_fields.cpp
  ${CMAKE_CURRENT_LIST_DIR}/seal_notice.cpp
  ${CMAKE_CURRENT_LIST_DIR}/seal_rewrite.cpp
)
target_include_directories(sealpost_mime PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(sealpost_mime
  PUBLIC sealpost_flags sealpost_core sealpost_vault
  PRIVATE PkgConfig::GMIME sealpost_smtp)
