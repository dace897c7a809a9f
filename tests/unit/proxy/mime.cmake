# test_mime: MIME parse and rewrite, notice templates, the vault glue, notice mails, and the
# shared corpus.
# Included from tests/unit/proxy/CMakeLists.txt. GLib's slice allocator would hide heap errors
# from ASan, so the test runs with G_SLICE=always-malloc. GMime's one-time tables are still
# reachable at exit, so LeakSanitizer needs no suppressions (checked with print_suppressions).
sealpost_unit_test(test_mime
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mime_parse_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/mime_rewrite_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/mime_seal_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/mime_corpus_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/mime_sniff_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/seal_notice_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/mime_compose_test.cpp
  LIBS sealpost_mime)
set_tests_properties(test_mime PROPERTIES ENVIRONMENT "G_SLICE=always-malloc;G_DEBUG=gc-friendly")
