# SPDX-License-Identifier: Apache-2.0
# Compiler flags shared by every sealpost target: warnings, sanitizers, hardening.
add_library(sealpost_flags INTERFACE)

target_compile_options(sealpost_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wformat=2
  -Wimplicit-fallthrough
  # Debug only: at -O2 GCC 12 reports false null dereferences inside Boost 1.74 Asio's inlined
  # scheduler (system headers), which -Werror would turn into a failed release build.
  $<$<CONFIG:Debug>:-Wnull-dereference>
  # Likewise GCC 12 at -O2 pairs Asio's awaitable-frame operator delete with the wrong new
  # (-Wmismatched-new-delete) in every coroutine; the Debug build runs under ASan, which
  # checks real new/delete mismatches at run time.
  $<$<NOT:$<CONFIG:Debug>>:-Wno-mismatched-new-delete>
  # Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
  -include utility)
if(SEALPOST_WERROR)
  target_compile_options(sealpost_flags INTERFACE -Werror)
endif()

if(SEALPOST_SANITIZE)
  target_compile_options(sealpost_flags INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(sealpost_flags INTERFACE -fsanitize=address,undefined)
endif()

if(SEALPOST_HARDEN)
  target_compile_definitions(sealpost_flags INTERFACE _FORTIFY_SOURCE=3 _GLIBCXX_ASSERTIONS)
  target_compile_options(sealpost_flags INTERFACE
    -fstack-protector-strong -fstack-clash-protection -fcf-protection -fPIE)
  target_link_options(sealpost_flags INTERFACE -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack)
endif()
