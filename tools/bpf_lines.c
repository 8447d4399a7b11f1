// SPDX-License-Identifier: GPL-2.0
/*
 * `bpf_lines PROG_ID`: where each source line of a loaded BPF program sits
 * in its JIT image, for profiles of live traffic (tools/live-profile.py maps
 * perf's samples to them). One line a line_info record:
 *   ADDRESS FILE:LINE
 * with ADDRESS the kernel address of the line's first JIT instruction. It
 * is what `bpftool prog dump jited linum` shows, without the disassembler
 * (Debian's bpftool is built without libbfd).
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), n, nj, i;
	struct bpf_line_info *li;
	struct btf *btf;
	__u64 *jli;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: bpf_lines PROG_ID\n");
		return 2;
	}
	fd = bpf_prog_get_fd_by_id(atoi(argv[1]));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "bpf_lines: program %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	n = info.nr_line_info;
	nj = info.nr_jited_line_info;
	if (!n || n != nj || !info.btf_id) {
		fprintf(stderr, "bpf_lines: program %s has no JIT line info\n", argv[1]);
		return 1;
	}
	li = calloc(n, sizeof(*li));
	jli = calloc(nj, sizeof(*jli));
	memset(&info, 0, sizeof(info));
	info.nr_line_info = n;
	info.line_info_rec_size = sizeof(*li);
	info.line_info = (__u64)(unsigned long)li;
	info.nr_jited_line_info = nj;
	info.jited_line_info_rec_size = sizeof(*jli);
	info.jited_line_info = (__u64)(unsigned long)jli;
	len = sizeof(info);
	if (!li || !jli || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "bpf_lines: program %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf) {
		fprintf(stderr, "bpf_lines: BTF %u: %s\n", info.btf_id, strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		const char *file = btf__name_by_offset(btf, li[i].file_name_off);
		const char *base = file ? strrchr(file, '/') : NULL;

		printf("%llx %s:%u\n", (unsigned long long)jli[i], base ? base + 1 : file ? file : "?",
		       BPF_LINE_INFO_LINE_NUM(li[i].line_col));
	}
	btf__free(btf);
	close(fd);
	return 0;
}
