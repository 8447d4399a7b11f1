// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "hook.h"
#include "log.h"

static double mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int hook_init(struct xs_hooks *h, char *const *argv, double timeout_s, unsigned int max)
{
	memset(h, 0, sizeof(*h));
	return hook_update(h, argv, timeout_s, max);
}

int hook_update(struct xs_hooks *h, char *const *argv, double timeout_s, unsigned int max)
{
	struct xs_hook_child *kids;
	unsigned int cap = max ? max : 1;

	if (cap < h->nkids)
		cap = h->nkids;
	kids = realloc(h->kids, cap * sizeof(*kids));
	if (!kids)
		return -ENOMEM;
	h->kids = kids;
	h->argv = argv;
	h->timeout_s = timeout_s;
	h->max = max ? max : 1;
	if (argv)
		snprintf(h->name, sizeof(h->name), "%s", argv[0]);
	return 0;
}

static void ended(struct xs_hooks *h, unsigned int i, int status)
{
	if (WIFEXITED(status)) {
		h->st.last_status = WEXITSTATUS(status);
		if (WEXITSTATUS(status)) {
			h->st.failed++;
			log_warn("alert hook %s (pid %d): exited with status %d", h->name,
				 (int)h->kids[i].pid, WEXITSTATUS(status));
		} else {
			h->st.ok++;
		}
	} else {
		h->st.last_status = -WTERMSIG(status);
		h->st.failed++;
		log_warn("alert hook %s (pid %d): killed by signal %d", h->name,
			 (int)h->kids[i].pid, WTERMSIG(status));
	}
	h->st.has_last = 1;
	h->kids[i] = h->kids[--h->nkids];
}

static void dequeue(struct xs_hooks *h);

void hook_poll(struct xs_hooks *h)
{
	double now = mono_s();
	unsigned int i = 0;
	int status;
	pid_t p;

	while (i < h->nkids) {
		p = waitpid(h->kids[i].pid, &status, WNOHANG);
		if (p == h->kids[i].pid) {
			ended(h, i, status);
			continue;
		}
		if (p < 0) {		/* not ours any more: cannot happen, do not spin */
			h->kids[i] = h->kids[--h->nkids];
			continue;
		}
		if (now < h->kids[i].deadline) {
			i++;
			continue;
		}
		kill(-h->kids[i].pid, SIGKILL);
		kill(h->kids[i].pid, SIGKILL);
		waitpid(h->kids[i].pid, &status, 0);
		h->st.timeout++;
		h->st.last_status = -SIGKILL;
		h->st.has_last = 1;
		log_warn("alert hook %s (pid %d): still running after its timeout, killed", h->name,
			 (int)h->kids[i].pid);
		h->kids[i] = h->kids[--h->nkids];
	}
	dequeue(h);
}

static int in_flight(const struct xs_hooks *h, const char *key)
{
	unsigned int i;

	for (i = 0; i < h->nkids; i++)
		if (!strcmp(h->kids[i].key, key))
			return 1;
	return 0;
}

static int start(struct xs_hooks *h, const char *key, const char *line, size_t len);

/* Start what waited for a key that is free now, in queue order. */
static void dequeue(struct xs_hooks *h)
{
	unsigned int i = 0;

	while (i < h->nqueue && h->argv) {
		struct xs_hook_wait *w = &h->queue[i];
		unsigned int k;

		if (in_flight(h, w->key) || h->nkids >= h->max) {
			i++;
			continue;
		}
		/* An earlier entry of the same key goes first. */
		for (k = 0; k < i && strcmp(h->queue[k].key, w->key); k++)
			;
		if (k < i) {
			i++;
			continue;
		}
		start(h, w->key, w->line, w->len);
		free(w->line);
		memmove(w, w + 1, (h->nqueue - i - 1) * sizeof(*w));
		h->nqueue--;
	}
}

int hook_run(struct xs_hooks *h, const char *key, const char *line, size_t len)
{
	struct xs_hook_wait *w;

	if (!h->argv)
		return 0;
	hook_poll(h);
	if (!in_flight(h, key))
		return start(h, key, line, len);
	if (h->nqueue == XS_HOOK_QUEUE || !(line = strndup(line, len))) {
		h->st.skipped++;
		log_warn("alert hook %s: too many hooks waiting, this alert's hook skipped",
			 h->name);
		return -EBUSY;
	}
	w = &h->queue[h->nqueue++];
	snprintf(w->key, sizeof(w->key), "%s", key);
	w->line = (char *)line;
	w->len = len;
	return 0;
}

static int start(struct xs_hooks *h, const char *key, const char *line, size_t len)
{
	int fds[2], e;
	ssize_t w;
	pid_t pid;

	if (h->nkids >= h->max) {
		h->st.skipped++;
		log_warn("alert hook %s: %u already running, this alert's hook skipped",
			 h->name, h->nkids);
		return -EBUSY;
	}
	if (pipe2(fds, O_CLOEXEC)) {
		e = -errno;
		h->st.skipped++;
		return e;
	}
	pid = fork();
	if (pid < 0) {
		e = -errno;
		close(fds[0]);
		close(fds[1]);
		h->st.skipped++;
		log_warn("alert hook %s: fork: %s", h->name, strerror(-e));
		return e;
	}
	if (!pid) {
		/* Own process group: a timeout kills what the hook started too. */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(fds[0], STDIN_FILENO) < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(127);
		execv(h->argv[0], h->argv);
		_exit(127);
	}
	close(fds[0]);
	/* A pipe holds 64 KiB; an alert is a few KiB. Never wait for the reader. */
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	w = write(fds[1], line, len);
	close(fds[1]);
	if (w != (ssize_t)len)
		log_warn("alert hook %s: wrote %zd of %zu bytes of the alert to its input",
			 h->name, w, len);
	h->kids[h->nkids] = (struct xs_hook_child){ .pid = pid, .deadline = mono_s() + h->timeout_s };
	snprintf(h->kids[h->nkids].key, sizeof(h->kids[0].key), "%s", key);
	h->nkids++;
	h->st.started++;
	return 0;
}

void hook_finish(struct xs_hooks *h)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };

	while (h->nkids || (h->nqueue && h->argv)) {
		hook_poll(h);
		if (h->nkids)
			nanosleep(&pause, NULL);
	}
	while (h->nqueue)
		free(h->queue[--h->nqueue].line);
	free(h->kids);
	h->kids = NULL;
}
