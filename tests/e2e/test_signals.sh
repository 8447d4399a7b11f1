#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# SIGTERM/SIGINT at any time must leave nothing behind: also during
# startup, after the XDP program is attached but before the daemon says
# "attached" (systemd stopping a unit that is still starting, Ctrl-C right
# after the command). The window is short, so strace holds it open: the
# first three mkdirs (libxdp's, then the pin directories, made right after
# the attach) are delayed by 1.5 s each; later ones (libbpf makes the
# parent directory again for every pin) are not, so the stop stays quick. Once the program shows on the link, the signal is sent; the
# daemon must then detach and remove what it made, as on a normal stop.
# Needs strace (skipped without it).
source "$(dirname "$0")/lib.sh"
e2e_init
if ! command -v strace >/dev/null; then
	echo "SKIP: $(basename "$0") needs strace to hold the startup window open"
	exit 0
fi
lab_up || { fail "lab setup"; e2e_finish; }

gone() {
	local what=""
	xdp_on "$NS_R" "$IF_R" && what+=" XDP program;"
	[[ -e $PIN_R ]] && what+=" $PIN_R;"
	[[ -n $(tc_egress_filters "$NS_R" "$IF_R") ]] && what+=" egress filter;"
	[[ -z $what ]] || { echo "      left behind:$what"; return 1; }
}

for sig in TERM INT; do
	for egress in "" --egress; do
		label="SIG$sig during startup${egress:+ with $egress}"
		echo "--- $label"
		# env --default-signal: a background job of a script starts with
		# SIGINT ignored; a terminal's Ctrl-C or systemd would not.
		nsenter --net="/run/netns/$NS_R" env --default-signal=INT,TERM \
			strace -f -qq -o /dev/null \
			-e trace=mkdir,mkdirat --inject=mkdir,mkdirat:delay_exit=1500000:when=1..3 \
			"$XDPSCOPE" run -i "$IF_R" $egress --interval 1s --range 198.18.0.0/15=test4 \
			>"$TMP/out" 2>"$TMP/err" &
		spid=$!
		DAEMON_PIDS+=("$spid")
		for ((i = 0; i < 300; i++)); do
			xdp_on "$NS_R" "$IF_R" && break
			kill -0 "$spid" 2>/dev/null || break
			sleep 0.02
		done
		if ! xdp_on "$NS_R" "$IF_R"; then
			fail "$label: the XDP program never showed: $(head -n2 "$TMP/err")"
			daemon_stop "$spid" KILL >/dev/null
			continue
		fi
		check "$label: signal sent before the 'attached' line" bash -c "! grep -q attached '$TMP/err'"
		dpid=$(pgrep -P "$spid")
		DAEMON_PIDS+=("$dpid")	# killing strace alone would leave its tracee running
		kill -"$sig" "$dpid"
		daemon_stop "$spid" 0	# waits (signal 0: none); strace exits as its tracee did
		rc=$?
		if kill -0 "$dpid" 2>/dev/null; then
			kill -KILL "$dpid"
		fi
		check "$label: the daemon handled the signal (exit $rc, not killed by it)" \
			test "$rc" -ne 143 -a "$rc" -ne 130 -a "$rc" -ne 124
		check "$label: nothing left on $IF_R" gone
		note "stderr: $(tr '\n' ' ' <"$TMP/err")"
		lab_detach "$NS_R" "$IF_R"
	done
done
e2e_finish
