// SPDX-License-Identifier: MIT
/*
 * One verified FILL job on every queue; exit status 0 when all ran. The
 * module-reload test runs it between reloads.
 */
#include <stdio.h>

#include "guest_util.h"

int main(void)
{
	struct accel_device *dev;
	uint32_t q;
	int err = accel_device_open(NULL, &dev);

	if (err) {
		fprintf(stderr, "guest_job_per_hwq: no quasar device: %s\n", accel_strerror(err));
		return 1;
	}
	for (q = 0; q < accel_device_info(dev)->num_queues && !err; q++)
		err = guest_device_works(dev, q);
	accel_device_close(dev);
	return err ? 1 : 0;
}
