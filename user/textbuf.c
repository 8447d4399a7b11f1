// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "textbuf.h"

void textbuf_put(struct xs_textbuf *b, const char *s, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 12;
		char *p;

		while (cap < b->n + len + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

void textbuf_puts(struct xs_textbuf *b, const char *s)
{
	textbuf_put(b, s, strlen(s));
}

void textbuf_u64(struct xs_textbuf *b, unsigned long long v)
{
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	textbuf_put(b, tmp + i, sizeof(tmp) - i);
}

void textbuf_escaped(struct xs_textbuf *b, const char *s, const char *special)
{
	size_t run;

	while (*s) {
		run = strcspn(s, special);
		textbuf_put(b, s, run);
		s += run;
		if (*s) {
			textbuf_put(b, "\\", 1);
			textbuf_put(b, s++, 1);
		}
	}
}
