# SPDX-License-Identifier: Apache-2.0
# sealpost_portal_pages: the portal's HTML pages, language catalogs, stylesheet and SMS text
# (templates in portal/templates, loaded at start from portal.templates_dir).
add_library(sealpost_portal_pages STATIC
  ${CMAKE_CURRENT_LIST_DIR}/portal_i18n.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_pages_load.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portal_pages.cpp
)
target_include_directories(sealpost_portal_pages PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(sealpost_portal_pages PUBLIC sealpost_flags sealpost_core)
