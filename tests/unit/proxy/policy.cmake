# test_policy: policy rules, loader, shipped policy files, invoice detection, phone resolution.
# Included from tests/unit/proxy/CMakeLists.txt.
sealpost_unit_test(test_policy
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/policy_match_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policy_load_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policy_files_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policy_invoice_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/seal_phone_test.cpp
  LIBS sealpost_policy ZLIB::ZLIB)
