# sealpost_policy: the sealing policy (rules, loader, invoice detection) and the patient's
# phone resolution. Included from proxy/CMakeLists.txt.

add_library(sealpost_policy STATIC
  ${CMAKE_CURRENT_LIST_DIR}/policy_match.cpp
  ${CMAKE_CURRENT_LIST_DIR}/policy_facts.cpp
  ${CMAKE_CURRENT_LIST_DIR}/policy_decide.cpp
  ${CMAKE_CURRENT_LIST_DIR}/policy_load.cpp
  ${CMAKE_CURRENT_LIST_DIR}/policy_store.cpp
  ${CMAKE_CURRENT_LIST_DIR}/policy_invoice.cpp
  ${CMAKE_CURRENT_LIST_DIR}/seal_phone.cpp
)
target_include_directories(sealpost_policy PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(sealpost_policy
  PUBLIC sealpost_flags sealpost_core sealpost_vault
  PRIVATE PkgConfig::TOMLPP ZLIB::ZLIB)
