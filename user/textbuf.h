/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A growable text buffer for output built in many small appends (the
 * Prometheus exposition, InfluxDB line protocol). An append that cannot
 * grow the buffer sets `oom` and every later one does nothing, so a
 * caller checks once at the end. No libbpf.
 */
#ifndef XS_TEXTBUF_H
#define XS_TEXTBUF_H

#include <stddef.h>

struct xs_textbuf {
	char *p;		/* NUL-terminated once anything was appended */
	size_t n, cap;
	int oom;
};

void textbuf_put(struct xs_textbuf *b, const char *s, size_t len);
void textbuf_puts(struct xs_textbuf *b, const char *s);
void textbuf_u64(struct xs_textbuf *b, unsigned long long v);
/* s with every character of `special` preceded by a backslash. */
void textbuf_escaped(struct xs_textbuf *b, const char *s, const char *special);

#endif /* XS_TEXTBUF_H */
