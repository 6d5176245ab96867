// SPDX-License-Identifier: MIT
/* tool_progress: k/N, elapsed and time left on stderr (tool_progress.h). */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "tool_cli.h"
#include "tool_progress.h"

#define TOOL_PROGRESS_TTY_PERIOD 0.2	/* seconds between rewrites on a terminal */

static double tool_progress_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

const char *tool_progress_hms(double s, char *buf, unsigned int len)
{
	unsigned long t = s > 0 ? (unsigned long)(s + 0.5) : 0;

	if (t >= 3600)
		snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%lu:%02lu", t / 60, t % 60);
	return buf;
}

void tool_progress_start(struct tool_progress *p, const char *what, uint64_t total)
{
	*p = (struct tool_progress){ .what = what, .total = total, .t0 = tool_progress_now(),
				     .tty = isatty(STDERR_FILENO) };
}

void tool_progress_update(struct tool_progress *p, uint64_t done, const char *fmt, ...)
{
	double now = tool_progress_now(), elapsed = now - p->t0;
	char el[32], left[32] = "?";
	va_list ap;

	if (p->tty && done < p->total && now - p->last < TOOL_PROGRESS_TTY_PERIOD)
		return;
	p->last = now;
	/* time left: the mean time per unit so far, times the units left */
	if (done && done <= p->total)
		tool_progress_hms(elapsed / (double)done * (double)(p->total - done), left,
				  sizeof(left));
	fprintf(stderr, "%s%s: %s %llu/%llu (%.0f%%), %s elapsed, %s left", p->tty ? "\r" : "",
		tool_cli_name(), p->what, (unsigned long long)done, (unsigned long long)p->total,
		p->total ? 100.0 * (double)done / (double)p->total : 100.0,
		tool_progress_hms(elapsed, el, sizeof(el)), left);
	if (fmt) {
		fputs(", ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	if (p->tty) {
		fputs("\033[K", stderr);	/* clear what a longer line left */
		p->open_line = 1;
	} else {
		fputc('\n', stderr);
	}
	fflush(stderr);
}

void tool_progress_end(struct tool_progress *p)
{
	if (p->open_line)
		fputc('\n', stderr);
	p->open_line = 0;
}
