// SPDX-License-Identifier: GPL-2.0
/*
 * The file sink: records as NDJSON lines on stdout or appended to
 * output.file (--output). Every line is written with one write(); a short
 * write is rolled back (the file truncated to where the line started) and
 * counted, so a reader never sees half a record. SIGHUP reopens the file
 * (logrotate). Its statistics: "written" and "dropped" lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "sink.h"
#include "sink_file.h"

static int output_set_fd(struct xs_output *o, int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	o->fd = fd;
	o->is_file = S_ISREG(st.st_mode);
	return 0;
}

static int output_open_path(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

int output_open(struct xs_output *o, const char *path)
{
	int fd, err;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (!path)
		return output_set_fd(o, STDOUT_FILENO);

	o->path = strdup(path);
	if (!o->path)
		return -ENOMEM;
	fd = output_open_path(path);
	if (fd < 0) {
		err = -errno;
		goto err_free;
	}
	err = output_set_fd(o, fd);
	if (err)
		goto err_close;
	return 0;

err_close:
	close(fd);
err_free:
	free(o->path);
	o->path = NULL;
	return err;
}

int output_reopen(struct xs_output *o)
{
	int fd, old = o->fd, err;

	if (!o->path)
		return 0;
	fd = output_open_path(o->path);
	if (fd < 0)
		return -errno;
	err = output_set_fd(o, fd);
	if (err) {
		close(fd);
		return err;
	}
	close(old);
	return 0;
}

static int output_drop(struct xs_output *o, int err)
{
	o->dropped++;
	o->last_errno = err;
	return -err;
}

/* Cut a file back to where a failed line started. Shrinking frees blocks,
 * so it works on a full disk too. */
static int output_rollback(int fd, off_t start)
{
	return ftruncate(fd, start) ? -errno : 0;
}

/*
 * A pipe cannot be rolled back, so a failure after part of a line went
 * out leaves it torn there; it is EPIPE in practice, with no reader left
 * to see it. A regular file is cut back to where the line started. That
 * assumes we are the file's only writer, as the daemon is.
 */
int output_write(struct xs_output *o, const char *line, size_t len)
{
	struct pollfd pfd = { .fd = o->fd, .events = POLLOUT };
	off_t start = 0;
	size_t done = 0;
	ssize_t n;
	int err = 0;

	/*
	 * Where the line will start. Seeking also matters for a stdout
	 * redirected without O_APPEND (run > file): after a line was cut
	 * away, writing at the old offset would leave a hole of zeros.
	 */
	if (o->is_file) {
		start = lseek(o->fd, 0, SEEK_END);
		if (start < 0)
			return output_drop(o, errno);
	}
	while (done < len) {
		n = write(o->fd, line + done, len - done);
		if (n > 0) {
			done += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		/* Stdout may come non-blocking: wait as a blocking fd would. */
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (poll(&pfd, 1, -1) >= 0 || errno == EINTR)
				continue;
		}
		err = n < 0 ? errno : EIO;
		break;
	}
	if (!err) {
		o->written++;
		o->last_errno = 0;
		return 0;
	}
	/* Should the cut fail all the same, the write's errno is still the
	 * one worth reporting. */
	if (o->is_file && done)
		output_rollback(o->fd, start);
	return output_drop(o, err);
}

void output_close(struct xs_output *o)
{
	if (o->path && o->fd >= 0)
		close(o->fd);
	free(o->path);
	o->path = NULL;
	o->fd = -1;
}

static void *file_open(const struct xs_sink_env *env, int *e, char *err, size_t errlen)
{
	struct xs_output *o = calloc(1, sizeof(*o));
	const char *path = env->cfg->output_file;

	*e = o ? output_open(o, path) : -ENOMEM;
	if (*e) {
		set_err(err, errlen, "%s: cannot open for appending: %s", path ? path : "stdout",
			strerror(-*e));
		free(o);
		return NULL;
	}
	return o;
}

static int file_record(void *st, struct xs_record *r)
{
	struct xs_output *o = st;
	const char *line;
	size_t len;

	line = sink_record_line(r, &len);
	if (!line) {
		o->dropped++;
		return -ENOMEM;
	}
	return output_write(o, line, len);
}

static const char *file_where(void *st)
{
	struct xs_output *o = st;

	return o->path ? o->path : "stdout";
}

static size_t file_stats(void *st, struct xs_sink_stat *out)
{
	struct xs_output *o = st;

	out[0] = (struct xs_sink_stat){ .key = "written", .value = o->written };
	out[1] = (struct xs_sink_stat){ .key = "dropped", .value = o->dropped };
	return 2;
}

/* The path cannot change without a restart (config_fixed_diff): reopen
 * it, for logrotate. */
static int file_reload(void *st, const struct xs_sink_env *env, char *err, size_t errlen)
{
	struct xs_output *o = st;
	int e;

	(void)env;
	e = output_reopen(o);
	if (e)
		set_err(err, errlen, "%s: cannot reopen: %s", o->path, strerror(-e));
	return e;
}

static uint64_t file_stop(void *st)
{
	output_close(st);
	free(st);
	return 0;
}

const struct xs_sink_ops sink_file_ops = {
	.name = "file",
	.open = file_open,
	.where = file_where,
	.record = file_record,
	.stats = file_stats,
	.reload = file_reload,
	.stop = file_stop,
};
