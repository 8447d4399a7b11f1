// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "log.h"

int log_verbose;

static void vlog(const char *kind, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	fprintf(stderr, "xdpscope: %s%s\n", kind, buf);
}

void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog("debug: ", fmt, ap);
	va_end(ap);
}

int log_vprint_lib(int level_is_debug, const char *fmt, va_list ap)
{
	if (!log_verbose)
		return 0;
	(void)level_is_debug;
	fputs("xdpscope: lib: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

/* Stops `max` input bytes in, or when fewer than 8 bytes of buf are left
 * (the longest escape, a closing quote and "..." fit in them). */
static const char *escape(const char *s, int quoted, size_t max, char *buf, size_t len)
{
	size_t o = 0, i;

	if (len < 8) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	if (!s)
		s = "";
	if (quoted)
		buf[o++] = '"';
	for (i = 0; s[i] && i < max && o + 8 < len; i++) {
		unsigned char c = s[i];

		if (quoted && (c == '"' || c == '\\'))
			o += snprintf(buf + o, len - o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = c;
	}
	if (quoted)
		buf[o++] = '"';
	if (s[i])
		o += snprintf(buf + o, len - o, "...");
	buf[o] = '\0';
	return buf;
}

const char *log_quote(const char *s, char *buf, size_t len)
{
	return escape(s, 1, LOG_QUOTE_MAX, buf, len);
}

const char *log_escape(const char *s, char *buf, size_t len)
{
	return escape(s, 0, (size_t)-1, buf, len);
}

void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
