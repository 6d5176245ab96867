// SPDX-License-Identifier: MIT
/* libaccel: the library's own version (accel.h). */
#include "accel.h"

#define ACCEL_STR_(x) #x
#define ACCEL_STR(x) ACCEL_STR_(x)

uint32_t accel_version(const char **str)
{
	if (str)
		*str = ACCEL_STR(ACCEL_VERSION_MAJOR) "." ACCEL_STR(ACCEL_VERSION_MINOR) "."
			ACCEL_STR(ACCEL_VERSION_PATCH);
	return ACCEL_VERSION;
}
