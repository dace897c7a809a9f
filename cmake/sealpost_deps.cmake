# SPDX-License-Identifier: Apache-2.0
# Third-party dependencies, all from Debian 12 packages; nothing is downloaded at build time.
find_package(PkgConfig REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(spdlog REQUIRED)
find_package(CURL REQUIRED)
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)  # inflates PDF streams for invoice detection; CRC-32 of portal ZIPs

pkg_check_modules(LMDB REQUIRED IMPORTED_TARGET lmdb)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(GMIME REQUIRED IMPORTED_TARGET gmime-3.0)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)  # tests: reads the portal ZIPs back

# libphonenumber ships neither pkg-config nor a CMake config file.
find_library(PHONENUMBER_LIBRARY phonenumber REQUIRED)
find_path(PHONENUMBER_INCLUDE_DIR phonenumbers/phonenumberutil.h REQUIRED)
add_library(sealpost_phonenumber INTERFACE)
target_link_libraries(sealpost_phonenumber INTERFACE ${PHONENUMBER_LIBRARY})
target_include_directories(sealpost_phonenumber SYSTEM INTERFACE ${PHONENUMBER_INCLUDE_DIR})

if(SEALPOST_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED)
endif()
