#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Bad input and missing rights: each case gets exactly one stderr line,
# "xdpscope: ...", naming the thing that is wrong, nothing on stdout, a
# non-zero exit (2 for usage and config errors), and leaves nothing behind
# on the interface: no XDP program, no pins, no egress filter. The daemon
# runs with --egress where it gets that far, so a half-done TC attach would
# show too. Plus: --help prints usage on stdout and exits 0; version.
source "$(dirname "$0")/lib.sh"
e2e_init
lab_up || { fail "lab setup"; e2e_finish; }

ranges=(--range 198.18.0.0/15=test4 --range 2001:db8::/32=test6)

nothing_left() {
	local what=""
	xdp_on "$NS_R" "$IF_R" && what+=" XDP program;"
	[[ -e $PIN_R ]] && what+=" pins in $PIN_R;"
	[[ -n $(tc_egress_filters "$NS_R" "$IF_R") ]] && what+=" egress filter;"
	if [[ -n $what ]]; then
		echo "      left behind:$what"
		lab_detach "$NS_R" "$IF_R"
		return 1
	fi
}

# expect_error LABEL RC SUBSTRING CMD...: RC is a number or "nonzero".
expect_error() {
	local label=$1 want_rc=$2 want=$3 rc lines hint
	shift 3
	timeout 30 "$@" >"$TMP/cli.out" 2>"$TMP/cli.err"
	rc=$?
	if [[ $want_rc == nonzero ]]; then
		check "$label: non-zero exit (got $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
	else
		check_eq "$label: exit status" "$rc" "$want_rc"
	fi
	lines=$(wc -l <"$TMP/cli.err")
	check_eq "$label: one line on stderr" "$lines" 1
	((lines != 1)) && sed 's/^/        stderr: /' "$TMP/cli.err"
	check "$label: the line starts with 'xdpscope: ' and names '$want'" \
		bash -c 'l=$(head -n1 "$1"); [[ $l == "xdpscope: "* && $l == *"$2"* ]] || { echo "        got: $l"; false; }' \
		_ "$TMP/cli.err" "$want"
	note "stderr: $(head -n1 "$TMP/cli.err")"
	check_eq "$label: nothing on stdout" "$(head -c 200 "$TMP/cli.out")" ""
	check "$label: nothing left on $IF_R" nothing_left
	# A hint such as (see 'xdpscope run --help') must be a command that works.
	hint=$(sed -n "s/.*(see '\(xdpscope [^']*\)').*/\1/p" "$TMP/cli.err")
	if [[ -n $hint ]]; then
		check "$label: the hint '$hint' runs" \
			bash -c "$(printf '%q' "$XDPSCOPE") ${hint#xdpscope } >/dev/null 2>&1"
	fi
}

# Commands run in R's network namespace (timeout cannot run shell functions).
IN_R=(nsenter --net="/run/netns/$NS_R")
RUN_R=("${IN_R[@]}" "$XDPSCOPE" run)

echo "--- usage errors"
expect_error "unknown option" 2 "--bogus" "${RUN_R[@]}" -i "$IF_R" --egress "${ranges[@]}" --bogus
expect_error "unknown command" 2 "frob" "${IN_R[@]}" "$XDPSCOPE" frob
expect_error "missing -i" 2 "-i" "${RUN_R[@]}" --egress "${ranges[@]}"
expect_error "nonexistent interface" 2 "${RUN_ID}x" "${RUN_R[@]}" -i "${RUN_ID}x" --egress "${ranges[@]}"
expect_error "bad --interval" 2 "--interval" "${RUN_R[@]}" -i "$IF_R" --interval 5parsecs "${ranges[@]}"
expect_error "--count 0" 2 "--count" "${RUN_R[@]}" -i "$IF_R" --count 0 "${ranges[@]}"
expect_error "output file in a missing directory" nonzero "$TMP/no/such/dir/out.ndjson" \
	"${RUN_R[@]}" -i "$IF_R" --egress -o "$TMP/no/such/dir/out.ndjson" "${ranges[@]}"

echo "--- config errors"
expect_error "--range with /33" 2 '198.18.0.0/33' \
	"${RUN_R[@]}" -i "$IF_R" --egress --range 198.18.0.0/33=x
printf '# test ranges\n198.18.0.0/24 a\n\n198.18.1.0/33 b\n' >"$TMP/bad-ranges.txt"
expect_error "ranges file with a bad line" 2 "$TMP/bad-ranges.txt:4" \
	"${RUN_R[@]}" -i "$IF_R" --egress -f "$TMP/bad-ranges.txt"
cat >"$TMP/bad-prefix.json" <<'EOF'
{"ranges": [{"name": "a", "prefixes": ["198.18.0.0/24", "198.18.1.0/33"]}]}
EOF
expect_error "JSON config with a bad prefix" 2 '$.ranges[0].prefixes[1]' \
	"${RUN_R[@]}" -i "$IF_R" --egress -c "$TMP/bad-prefix.json"
expect_error "JSON config with a bad prefix (names the file)" 2 "$TMP/bad-prefix.json" \
	"${RUN_R[@]}" -i "$IF_R" --egress -c "$TMP/bad-prefix.json"
printf '{"ranges": [{"name": "a",\n  "prefixes": ["198.18.0.0/24"]},\n]}\n' >"$TMP/malformed.json"
expect_error "malformed JSON config" 2 "$TMP/malformed.json:3" \
	"${RUN_R[@]}" -i "$IF_R" --egress -c "$TMP/malformed.json"
cat >"$TMP/typed.json" <<'EOF'
{"interval_ms": "fast", "ranges": [{"name": "a", "prefixes": ["198.18.0.0/24"]}]}
EOF
expect_error "wrongly typed config value" 2 '$.interval_ms' \
	"${RUN_R[@]}" -i "$IF_R" --egress -c "$TMP/typed.json"
expect_error "check-config: wrongly typed value" 2 '$.interval_ms' \
	"$XDPSCOPE" check-config "$TMP/typed.json"
expect_error "over the kernel-memory budget" 2 "kernel memory" \
	"${RUN_R[@]}" -i "$IF_R" --egress --max-kernel-mem 1K "${ranges[@]}"
expect_error "no ranges and no address on the interface" 2 "$IF_R" \
	"${RUN_R[@]}" -i "$IF_R" --egress

echo "--- missing privileges"
# nobody, no capabilities at all.
expect_error "run as nobody" nonzero "root" \
	"${IN_R[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	--bounding-set=-all "$XDPSCOPE" run -i "$IF_R" --egress "${ranges[@]}"

# bpffs not mounted and not mountable: a private mount namespace without
# /sys/fs/bpf, and root without CAP_SYS_ADMIN (the other capabilities stay).
cat >"$TMP/no-bpffs.sh" <<'EOF'
for i in 1 2 3 4 5 6 7 8; do
	mountpoint -q /sys/fs/bpf || break
	umount /sys/fs/bpf || exit 99
done
mountpoint -q /sys/fs/bpf && exit 99
exec setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin "$@"
EOF
expect_error "bpffs not mountable" nonzero "/sys/fs/bpf" \
	"${IN_R[@]}" unshare -m --propagation private bash "$TMP/no-bpffs.sh" \
	"$XDPSCOPE" run -i "$IF_R" --egress "${ranges[@]}"

echo "--- help and version"
for args in "--help" "run --help" "help" "check-config --help" "maps --help" "detach --help"; do
	# shellcheck disable=SC2086
	"$XDPSCOPE" $args >"$TMP/help.out" 2>"$TMP/help.err"
	rc=$?
	check_eq "xdpscope $args: exit 0" "$rc" 0
	check "xdpscope $args: usage on stdout" grep -q '^Usage: xdpscope' "$TMP/help.out"
	check_eq "xdpscope $args: nothing on stderr" "$(cat "$TMP/help.err")" ""
done
check "xdpscope run --help lists -i and --egress" \
	bash -c "'$XDPSCOPE' run --help | grep -q -- '--interface' && '$XDPSCOPE' run --help | grep -q -- '--egress'"
out=$("$XDPSCOPE" version 2>"$TMP/version.err")
check_eq "xdpscope version: exit 0" $? 0
check "xdpscope version: 'xdpscope X.Y.Z' on stdout (got '$out')" \
	bash -c "grep -Eq '^xdpscope [0-9]+\.[0-9]+\.[0-9]+' <<<'$out'"
check_eq "xdpscope version: nothing on stderr" "$(cat "$TMP/version.err")" ""
echo "--- kernel memory: the README's formula, at 2 and at 64 CPUs"
# The live bench's 10,000 ranges and the default statistics.
ranges_10000 "$TMP/r10000.txt"
printf '{"ranges_file": "%s", "max_kernel_mem": "1G"}\n' "$TMP/r10000.txt" >"$TMP/r10000.json"
for cpus in 2 64; do
	out=$("$XDPSCOPE" check-config --cpus "$cpus" "$TMP/r10000.json" 2>&1)
	check_eq "check-config --cpus $cpus: exit 0 ($out)" $? 0
	got=$(sed -n "s/.*kernel memory \([0-9.]*\) MiB on $cpus CPUs\$/\1/p" <<<"$out")
	# README, Configuration: S (128 + 320 D + 192 C) + 2 P (160 D B + 2^p)
	# + C (128 (F + T) + 100 KiB) + 0.5 MiB of trie roots + 1 KiB a trie
	# node (here about 50).
	want=$("$PYTHON" -c '
import sys
c = int(sys.argv[1]); S = 2 * 10001; D, B, P, p, F, T = 4, 256, 64, 14, 4096, 4096
m = S * (128 + 320 * D + 192 * c) + 2 * P * (160 * D * B + 2 ** p) + c * (128 * (F + T) + 100 * 1024) + 512 * 1024 + 50 * 1024
print("%.1f" % (m / 1048576))' "$cpus")
	check "check-config --cpus $cpus: $got MiB, the formula $want MiB (within 1%)" \
		"$PYTHON" -c 'import sys; g, w = map(float, sys.argv[1:]); sys.exit(abs(g - w) > 0.01 * w)' \
		"${got:-0}" "$want"
done
expect_error "check-config --cpus 0" 2 "--cpus: expected a CPU count 1..1024, got '0'" \
	"$XDPSCOPE" check-config --cpus 0 "$TMP/r10000.json"
expect_error "check-config --cpus many" 2 "--cpus: expected a CPU count 1..1024, got 'many'" \
	"$XDPSCOPE" check-config --cpus many "$TMP/r10000.json"
e2e_finish
