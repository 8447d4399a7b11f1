/* SPDX-License-Identifier: GPL-2.0 */
/* The file sink's writer (sink_file.c), also used alone by the tests. */
#ifndef XS_SINK_FILE_H
#define XS_SINK_FILE_H

#include <stddef.h>
#include <stdint.h>

struct xs_output {
	int fd;
	int is_file;		/* regular file: roll back short writes */
	char *path;		/* NULL: stdout */
	uint64_t written;	/* lines written */
	uint64_t dropped;	/* lines not written (ENOSPC, EIO...) */
	int last_errno;		/* of the last failed write, 0 once one succeeds */
};

/* path NULL: standard output. A file is opened O_APPEND|O_CREAT, 0644.
 * Returns 0 or -errno. */
int output_open(struct xs_output *o, const char *path);
/* Reopen the same path (SIGHUP, logrotate). 0 or -errno; the old fd stays
 * in use on failure. */
int output_reopen(struct xs_output *o);
/* Write one whole line or nothing; 0 or -errno (then o->dropped grows).
 * Prints nothing: the caller reports, once per streak of last_errno. A
 * reader gone from a pipe is -EPIPE only if the caller ignores SIGPIPE. */
int output_write(struct xs_output *o, const char *line, size_t len);
void output_close(struct xs_output *o);

#endif /* XS_SINK_FILE_H */
