/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel charges for the maps the daemon names (loader_map_names()),
 * for the BPF tests that hold loader_kernel_mem() against it.
 */
#ifndef XS_TEST_MEMLOCK_H
#define XS_TEST_MEMLOCK_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "loader.h"

/* A map's fdinfo "memlock", 0 if unknown. */
static inline uint64_t fd_memlock(int fd)
{
	unsigned long long v = 0;
	char path[64], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

/*
 * The sum over every named map of obj, " name bytes;" each into detail.
 * From the object, not the program: the verifier may leave a map the
 * program cannot reach (sketches off) out of the program's map list.
 */
static inline uint64_t maps_memlock(struct bpf_object *obj, char *detail, size_t len)
{
	uint64_t sum = 0, m;
	size_t used;
	const char *const *names = loader_map_names();
	int i, fd;

	detail[0] = '\0';
	ck_assert_msg(names[0], "no map names from the object");
	for (i = 0; names[i]; i++) {
		fd = bpf_object__find_map_fd_by_name(obj, names[i]);
		ck_assert_msg(fd >= 0, "map %s: not in the object", names[i]);
		m = fd_memlock(fd);
		/* An LPM trie without entries (no filters, no allow list) is charged nothing. */
		ck_assert_msg(m || !strncmp(names[i], "mit_", 4), "map %s: no memlock in fdinfo",
			      names[i]);
		sum += m;
		used = strlen(detail);
		snprintf(detail + used, len - used, " %s %llu;", names[i],
			 (unsigned long long)m);
	}
	return sum;
}

#endif /* XS_TEST_MEMLOCK_H */
