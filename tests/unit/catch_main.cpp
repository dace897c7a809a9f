// SPDX-License-Identifier: Apache-2.0
// Catch2 entry point shared by every unit test binary.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
