// SPDX-License-Identifier: MIT
/* tool_cli: standard options, usage errors, number parsing (tool_cli.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <accel.h>

#include "tool_cli.h"

#define TOOL_CLI_MAX_OPTS 64

enum { TOOL_OPT_DEVICE = 0x7f00, TOOL_OPT_JSON };

/* The program's cli: messages from the parsers carry its name. */
static const struct tool_cli *tool_cli_self;

const char *tool_cli_name(void)
{
	return tool_cli_self ? tool_cli_self->name : "quasar";
}

void tool_cli_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", tool_cli_name());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void tool_cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", tool_cli_name());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", tool_cli_name());
	exit(TOOL_EXIT_USAGE);
}

static void tool_cli_help(const struct tool_cli *cli)
{
	cli->usage(stdout);
	printf("\nStandard options:\n");
	if (cli->flags & TOOL_CLI_DEVICE)
		printf("  --device PATH  the device node (default: $ACCEL_DEVICE, else the first\n"
		       "                 Quasar node under /dev/accel)\n");
	if (cli->flags & TOOL_CLI_JSON)
		printf("  --json         print the results as JSON on stdout, one object per line\n"
		       "                 (a table goes to stderr then)\n");
	printf("  -h, --help     print this help and exit\n"
	       "  -V, --version  print the version and exit\n"
	       "\nExit status:\n"
	       "  0 success, 1 failure, 2 usage error (the message names the option and value).\n");
}

static void tool_cli_version(const struct tool_cli *cli)
{
	printf("%s (Quasar) %d.%d.%d\n", cli->name, ACCEL_VERSION_MAJOR, ACCEL_VERSION_MINOR,
	       ACCEL_VERSION_PATCH);
}

int tool_cli_getopt(struct tool_cli *cli, int argc, char **argv, const char *shortopts,
		    const struct option *longopts)
{
	static struct option all[TOOL_CLI_MAX_OPTS];
	static char shorts[128];
	int n = 0, c;

	tool_cli_self = cli;
	if (!all[0].name) {
		/* ':' first: a missing value comes back as ':', not as a message of getopt's */
		snprintf(shorts, sizeof(shorts), ":%shV", shortopts);
		for (; longopts && longopts[n].name; n++) {
			/* a program with that many options: raise the limit */
			if (n + 5 >= TOOL_CLI_MAX_OPTS)
				abort();
			all[n] = longopts[n];
		}
		all[n++] = (struct option){ "help", no_argument, NULL, 'h' };
		all[n++] = (struct option){ "version", no_argument, NULL, 'V' };
		if (cli->flags & TOOL_CLI_DEVICE)
			all[n++] = (struct option){ "device", required_argument, NULL,
						    TOOL_OPT_DEVICE };
		if (cli->flags & TOOL_CLI_JSON)
			all[n++] = (struct option){ "json", no_argument, NULL, TOOL_OPT_JSON };
		all[n] = (struct option){ 0 };
	}
	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, shorts, all, NULL);
		switch (c) {
		case 'h':
			tool_cli_help(cli);
			exit(TOOL_EXIT_OK);
		case 'V':
			tool_cli_version(cli);
			exit(TOOL_EXIT_OK);
		case TOOL_OPT_DEVICE:
			cli->device = optarg;
			continue;
		case TOOL_OPT_JSON:
			cli->json = 1;
			continue;
		case ':':
			tool_cli_usage_error("%s needs a value", argv[optind - 1]);
		case '?':
			if (optopt)
				tool_cli_usage_error("unknown option '-%c'", optopt);
			tool_cli_usage_error("unknown option '%s'", argv[optind - 1]);
		default:
			return c;
		}
	}
}

uint64_t tool_cli_u64(const char *opt, const char *arg, uint64_t lo, uint64_t hi)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, strncasecmp(arg, "0x", 2) ? 10 : 16);
	/* strtoull takes "-1" as a huge number: refuse the sign */
	if (errno || end == arg || *end || strchr(arg, '-') || v < lo || v > hi)
		tool_cli_usage_error("%s '%s': not a number from %llu to %llu", opt, arg,
				     (unsigned long long)lo, (unsigned long long)hi);
	return v;
}

uint32_t tool_cli_u32(const char *opt, const char *arg, uint32_t lo, uint32_t hi)
{
	return (uint32_t)tool_cli_u64(opt, arg, lo, hi);
}

double tool_cli_double(const char *opt, const char *arg, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v < lo || v > hi)
		tool_cli_usage_error("%s '%s': not a number from %g to %g", opt, arg, lo, hi);
	return v;
}

uint32_t tool_cli_choice(const char *opt, const char *arg, const char *const *choices)
{
	char list[512] = "";
	size_t len = 0;
	uint32_t i;

	for (i = 0; choices[i]; i++)
		if (!strcmp(arg, choices[i]))
			return i;
	for (i = 0; choices[i] && len < sizeof(list); i++)
		len += snprintf(list + len, sizeof(list) - len, "%s%s",
				i ? (choices[i + 1] ? ", " : " or ") : "", choices[i]);
	tool_cli_usage_error("%s '%s': not one of %s", opt, arg, list);
}

const char *tool_cli_device_name(const struct tool_cli *cli)
{
	const char *env = getenv("ACCEL_DEVICE");

	if (cli->device)
		return cli->device;
	return env && *env ? env : "the first Quasar node";
}
