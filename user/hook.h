/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The alert hook (alerts.exec): a program run for each alert start and
 * end with the alert's JSON line on its standard input. It never blocks
 * the caller: the line goes into the pipe at once (it is far smaller than
 * a pipe), children are reaped by hook_poll(), one still running after
 * the timeout is killed with its process group, and when `max` hooks are
 * in flight a new one is skipped. Every outcome is counted. No libbpf.
 */
#ifndef XS_HOOK_H
#define XS_HOOK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct xs_hook_stats {
	uint64_t started;
	uint64_t ok;			/* exited 0 */
	uint64_t failed;		/* exited nonzero, killed by a signal, or exec failed */
	uint64_t timeout;		/* killed after the timeout */
	uint64_t skipped;		/* max in flight, or fork/pipe failed */
	int last_status;		/* exit code of the last one to end, or -signal */
	int has_last;
};

struct xs_hook_child {
	pid_t pid;
	double deadline;		/* CLOCK_MONOTONIC seconds */
};

struct xs_hooks {
	char *const *argv;		/* NULL: no hook */
	double timeout_s;
	unsigned int max;
	struct xs_hook_child *kids;	/* max of them */
	unsigned int nkids;
	struct xs_hook_stats st;
};

/* 0 or -ENOMEM. argv NULL makes every call a no-op. */
int hook_init(struct xs_hooks *h, char *const *argv, double timeout_s, unsigned int max);
/* Start one hook with `line` on its standard input (its standard output
 * goes to our standard error, never into the records). 0 or -errno
 * (counted as skipped). */
int hook_run(struct xs_hooks *h, const char *line, size_t len);
/* Reap hooks that ended, kill those past their deadline. */
void hook_poll(struct xs_hooks *h);
/* Wait for the hooks in flight (each at most until its deadline), then
 * free. */
void hook_finish(struct xs_hooks *h);

#endif /* XS_HOOK_H */
