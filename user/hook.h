/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The alert hook (alerts.exec): a program run for each alert start and
 * end with the alert's JSON line on its standard input. It never blocks
 * the caller: the line goes into the pipe at once (it is far smaller than
 * a pipe), children are reaped by hook_poll(), one still running after
 * the timeout is killed with its process group, and when `max` hooks are
 * in flight a new one is skipped. Hooks of one alert (one key) run one
 * after the other, in order: an `end` hook that would undo what the
 * `start` hook did (a blackhole route) never overtakes it; it waits in a
 * short queue. Every outcome is counted. No libbpf.
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

#define XS_HOOK_KEY_LEN 24
#define XS_HOOK_QUEUE 64

struct xs_hook_child {
	pid_t pid;
	double deadline;		/* CLOCK_MONOTONIC seconds */
	char key[XS_HOOK_KEY_LEN];
};

/* A hook waiting for the one of its key in flight. */
struct xs_hook_wait {
	char key[XS_HOOK_KEY_LEN];
	char *line;
	size_t len;
};

struct xs_hooks {
	char *const *argv;		/* NULL: no hook */
	char name[128];			/* argv[0], for messages about hooks in flight */
	double timeout_s;
	unsigned int max;
	struct xs_hook_child *kids;	/* max of them */
	unsigned int nkids;
	struct xs_hook_wait queue[XS_HOOK_QUEUE];
	unsigned int nqueue;
	struct xs_hook_stats st;
};

/* 0 or -ENOMEM. argv NULL makes every call a no-op. */
int hook_init(struct xs_hooks *h, char *const *argv, double timeout_s, unsigned int max);
/* New settings (a reload): hooks in flight go on under the old timeout.
 * 0 or -ENOMEM (then the old settings stay). */
int hook_update(struct xs_hooks *h, char *const *argv, double timeout_s, unsigned int max);
/* Start one hook for `key` (an alert id) with `line` on its standard
 * input (its standard output goes to our standard error, never into the
 * records), or queue it behind the one of the same key. 0 or -errno
 * (counted as skipped). */
int hook_run(struct xs_hooks *h, const char *key, const char *line, size_t len);
/* Reap hooks that ended, kill those past their deadline. */
void hook_poll(struct xs_hooks *h);
/* Wait for the hooks in flight and queued (each at most until its
 * deadline), then free. */
void hook_finish(struct xs_hooks *h);

#endif /* XS_HOOK_H */
