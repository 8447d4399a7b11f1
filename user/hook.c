// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
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
	h->argv = argv;
	h->timeout_s = timeout_s;
	h->max = max ? max : 1;
	if (!argv)
		return 0;
	h->kids = calloc(h->max, sizeof(*h->kids));
	return h->kids ? 0 : -ENOMEM;
}

static void ended(struct xs_hooks *h, unsigned int i, int status)
{
	if (WIFEXITED(status)) {
		h->st.last_status = WEXITSTATUS(status);
		if (WEXITSTATUS(status)) {
			h->st.failed++;
			log_warn("alert hook %s (pid %d): exited with status %d", h->argv[0],
				 (int)h->kids[i].pid, WEXITSTATUS(status));
		} else {
			h->st.ok++;
		}
	} else {
		h->st.last_status = -WTERMSIG(status);
		h->st.failed++;
		log_warn("alert hook %s (pid %d): killed by signal %d", h->argv[0],
			 (int)h->kids[i].pid, WTERMSIG(status));
	}
	h->st.has_last = 1;
	h->kids[i] = h->kids[--h->nkids];
}

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
		log_warn("alert hook %s (pid %d): still running after %gs, killed", h->argv[0],
			 (int)h->kids[i].pid, h->timeout_s);
		h->kids[i] = h->kids[--h->nkids];
	}
}

int hook_run(struct xs_hooks *h, const char *line, size_t len)
{
	int fds[2], e;
	ssize_t w;
	pid_t pid;

	if (!h->argv)
		return 0;
	hook_poll(h);
	if (h->nkids >= h->max) {
		h->st.skipped++;
		log_warn("alert hook %s: %u already running, this alert's hook skipped",
			 h->argv[0], h->nkids);
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
		log_warn("alert hook %s: fork: %s", h->argv[0], strerror(-e));
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
			 h->argv[0], w, len);
	h->kids[h->nkids++] = (struct xs_hook_child){ pid, mono_s() + h->timeout_s };
	h->st.started++;
	return 0;
}

void hook_finish(struct xs_hooks *h)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };

	while (h->nkids) {
		hook_poll(h);
		if (h->nkids)
			nanosleep(&pause, NULL);
	}
	free(h->kids);
	h->kids = NULL;
}
