/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages to stderr, one line each, prefixed "xdpscope: ". stdout carries
 * records only. libbpf's and libxdp's own output goes through log_libbpf
 * and shows only with -v.
 */
#ifndef XS_LOG_H
#define XS_LOG_H

#include <stdarg.h>
#include <stddef.h>

extern int log_verbose;

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int log_vprint_lib(int level_is_debug, const char *fmt, va_list ap);

/*
 * Input quoted back in a message, so that the message stays one line and
 * shows what the input held: every byte outside printable ASCII is
 * escaped as in C ("\x0b").
 * log_quote: `"s"` with its quotes, `"` and `\` escaped too ("\"", "\\"),
 * cut after LOG_QUOTE_MAX bytes with "..." (a whole prefix-list line pasted
 * by mistake must not push the rest of the message out); a buf of
 * LOG_QBUF bytes holds any such quote.
 * log_escape: `s` without quotes, `"` and `\` as they are (file names, a
 * library's message that quotes JSON text), cut with "..." where buf
 * ends. Both return buf.
 */
#define LOG_QUOTE_MAX 80
#define LOG_QBUF (LOG_QUOTE_MAX * 4 + 8)	/* every byte escaped, quotes, "...", NUL */
#define LOG_EBUF 1024
const char *log_quote(const char *s, char *buf, size_t len);
const char *log_escape(const char *s, char *buf, size_t len);

/* A lower layer's message into the caller's buffer (err may be NULL). */
void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Exit codes. */
#define XS_EXIT_OK 0
#define XS_EXIT_FAIL 1		/* runtime failure */
#define XS_EXIT_USAGE 2		/* bad usage or config */

#endif /* XS_LOG_H */
