/* SPDX-License-Identifier: MIT */
/*
 * tool_cli: the one command-line style of every Quasar program
 * (docs/architecture.md "Command-line conventions").
 *
 *   --help, -h       the program's usage and the standard options on stdout, exit 0
 *   --version, -V    "NAME (Quasar) X.Y.Z" (libaccel's ACCEL_VERSION), exit 0
 *   --device PATH    (TOOL_CLI_DEVICE) the device node; default $ACCEL_DEVICE,
 *                    else the first Quasar node (accel_device_open(NULL))
 *   --json           (TOOL_CLI_JSON) results as JSON on stdout
 *   exit status      0 success, 1 failure, 2 usage error
 *
 * A usage error names the option and its value and exits 2:
 *   accel-eval: --threads 'x': not a number from 1 to 64
 *
 * A program fills a struct tool_cli, calls tool_cli_getopt() in its option
 * loop instead of getopt_long() (the standard options are added to its
 * own, and handled here), and parses numbers with tool_cli_u32() and
 * friends. The struct is the only state, and one program has one.
 */
#ifndef TOOL_CLI_H
#define TOOL_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#define TOOL_CLI_DEVICE 0x1	/* takes --device PATH */
#define TOOL_CLI_JSON 0x2	/* takes --json */

/* Exit statuses. */
#define TOOL_EXIT_OK 0
#define TOOL_EXIT_FAIL 1
#define TOOL_EXIT_USAGE 2

struct tool_cli {
	const char *name;		/* "accel-eval": messages, --version */
	/* The program's part of --help: its "Usage:" lines, what it does, its options. */
	void (*usage)(FILE *f);
	unsigned int flags;		/* TOOL_CLI_DEVICE, TOOL_CLI_JSON */
	/* Set by tool_cli_getopt(). */
	const char *device;		/* --device PATH, or NULL: accel_device_open() decides */
	int json;			/* --json given */
};

/*
 * getopt_long() over the program's @shortopts and @longopts (NULL-terminated,
 * at most 60 entries) plus the standard options. Handles --help, --version,
 * --device and --json itself, and exits 2 on an unknown option or a missing
 * value; returns the program's options as getopt_long() does, -1 at the end.
 */
int tool_cli_getopt(struct tool_cli *cli, int argc, char **argv, const char *shortopts,
		    const struct option *longopts);

/* "NAME: MESSAGE\nTry 'NAME --help'.\n" on stderr, exit 2. */
void tool_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* "NAME: MESSAGE\n" on stderr (a failure: the caller returns 1). */
void tool_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* @arg of option @opt as a number in [lo, hi]; a usage error otherwise. */
uint32_t tool_cli_u32(const char *opt, const char *arg, uint32_t lo, uint32_t hi);
uint64_t tool_cli_u64(const char *opt, const char *arg, uint64_t lo, uint64_t hi);
double tool_cli_double(const char *opt, const char *arg, double lo, double hi);
/* The index of @arg in the NULL-terminated @choices; a usage error listing them otherwise. */
uint32_t tool_cli_choice(const char *opt, const char *arg, const char *const *choices);

/* The device a program opens, for messages: --device, $ACCEL_DEVICE or "the first Quasar node". */
const char *tool_cli_device_name(const struct tool_cli *cli);

/* The program's name (for helpers that print): the running program's cli->name. */
const char *tool_cli_name(void);

#endif
