// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: the one place the tracepoints of quasar_trace.h are defined.
 */
#define CREATE_TRACE_POINTS
#include "quasar_trace.h"
