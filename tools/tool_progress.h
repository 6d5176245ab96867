/* SPDX-License-Identifier: MIT */
/*
 * tool_progress: progress of long work on stderr, "k/N", elapsed time and
 * time left, and what the program adds (a loss, a variant's name):
 *
 *   mdl-train-lm: step 200/2000 (10%), 0:41 elapsed, 6:09 left, loss 2.3141
 *
 * On a terminal the line is rewritten in place (at most 5 times a second,
 * and always for the last step); otherwise each call prints one line, so
 * logs stay readable: the program calls it as often as it wants lines.
 */
#ifndef TOOL_PROGRESS_H
#define TOOL_PROGRESS_H

#include <stdint.h>

struct tool_progress {
	const char *what;		/* "step", "epoch" */
	uint64_t total;
	double t0, last;		/* seconds (CLOCK_MONOTONIC) */
	int tty, open_line;		/* stderr a terminal; a line left to finish */
};

void tool_progress_start(struct tool_progress *p, const char *what, uint64_t total);
/* @done of total finished; @fmt (may be NULL) adds the program's figures. */
void tool_progress_update(struct tool_progress *p, uint64_t done, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Ends a line left open on a terminal. */
void tool_progress_end(struct tool_progress *p);

/* "1:02:03" or "2:03" for @s seconds, into @buf. */
const char *tool_progress_hms(double s, char *buf, unsigned int len);

#endif
