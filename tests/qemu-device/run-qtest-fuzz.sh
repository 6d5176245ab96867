#!/bin/bash
# SPDX-License-Identifier: MIT
# Build and run the register-fuzzing qtest, quasar-fuzz-test.c (TAP on
# stdout; the test is /x86_64/quasar/fuzz/qtest_register_fuzz). The seed is
# fixed; QUASAR_QTEST_SEED=<n> runs another (docs/fuzzing.md).
QUASAR_QTEST=quasar-fuzz-test exec bash "$(dirname "$0")/run-qtest.sh" "$@"
