# SPDX-License-Identifier: Apache-2.0
# test_portal_pages: the shipped templates and catalogs load and render in every language; load
# errors name the file and key; escaping, forms, switcher, SMS text, Accept-Language.
# TZ is fixed so that dates and times in the pages are those of Swiss users.
sealpost_unit_test(test_portal_pages
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/portal_pages_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/portal_pages_load_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/portal_i18n_test.cpp
  LIBS sealpost_portal_pages)
target_compile_definitions(test_portal_pages PRIVATE
  SEALPOST_PORTAL_TEMPLATES="${PROJECT_SOURCE_DIR}/portal/templates")
set_tests_properties(test_portal_pages PROPERTIES ENVIRONMENT "TZ=Europe/Zurich")
