#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Packaging (issue 6): `make install` with PREFIX and DESTDIR puts every
# file in place; the installed example config validates; systemd accepts
# the unit; the man page renders without warnings and names every option
# the commands take, as their --help does; the daemon runs with exactly
# the unit's capabilities (attaches, counts, detaches, removes its pins)
# and a detach short of CAP_SYS_ADMIN says it cannot tell rather than
# claiming a clean-up; the real logrotate with the installed stanza
# (create + SIGHUP) loses no record and tears none, and with copytruncate
# tears none (it may lose what is written between its copy and truncate).
source "$(dirname "$0")/lib.sh"
e2e_init

# --------------------------------------------------------------- install
make -s -C "$ROOT" install DESTDIR="$TMP/dest" PREFIX=/usr >"$TMP/install.log" 2>&1 ||
	fail "make install DESTDIR: $(tail -3 "$TMP/install.log")"
for f in usr/sbin/xdpscope usr/lib/xdpscope/xdpscope.bpf.o usr/share/man/man8/xdpscope.8.gz \
	usr/lib/systemd/system/xdpscope@.service etc/logrotate.d/xdpscope \
	usr/share/doc/xdpscope/example.json usr/share/doc/xdpscope/prefixes.txt; do
	check "make install DESTDIR: $f" test -s "$TMP/dest/$f"
done
check "make install DESTDIR: /etc/xdpscope made" test -d "$TMP/dest/etc/xdpscope"
check "the unit runs the installed binary" grep -q '^ExecStart=/usr/sbin/xdpscope run -i %i' \
	"$TMP/dest/usr/lib/systemd/system/xdpscope@.service"

P=$TMP/prefix
make -s -C "$ROOT" install PREFIX="$P" SYSCONFDIR="$P/etc" >"$TMP/install2.log" 2>&1 ||
	fail "make install PREFIX: $(tail -3 "$TMP/install2.log")"
X=$P/sbin/xdpscope
check "installed binary runs" bash -c "'$X' version >/dev/null"
out=$("$X" check-config "$P/share/doc/xdpscope/example.json" 2>&1)
check "installed example config validates ($out)" grep -q ': ok: 2 ranges, 5 rules' <<<"$out"

# ---------------------------------------------------------------- systemd
cp "$P/lib/systemd/system/xdpscope@.service" "$TMP/xdpscope@eth0.service"
out=$(MANPATH=$P/share/man systemd-analyze verify "$TMP/xdpscope@eth0.service" 2>&1)
check_eq "systemd-analyze verify accepts the unit" "$out" ""

# ------------------------------------------------------- man and --help
man=$(MANWIDTH=100 man -l "$P/share/man/man8/xdpscope.8.gz" 2>&1)
warn=$(zcat "$P/share/man/man8/xdpscope.8.gz" | groff -man -ww -z 2>&1)
check_eq "the man page renders without warnings" "$warn" ""
check "the man page names the example config where it is installed" \
	grep -q "$P/share/doc/xdpscope/example.json" <<<"$man"
help=""
for c in "" run replay check-config maps detach; do
	help+=$("$XDPSCOPE" $c --help)$'\n'
done
for o in $(grep -o '{ "[a-z-]*", [a-z_]*_argument' "$ROOT/user/main.c" | cut -d'"' -f2 | sort -u); do
	check "--$o is in the commands' --help" grep -q -- "--$o" <<<"$help"
	check "--$o is in the man page" grep -q -- "--$o" <<<"$man"
done
for c in run replay collect block check-config maps detach version; do
	check "the man page describes '$c'" grep -q "^       $c" <<<"$man"
done
for s in SIGHUP SIGTERM "EXIT STATUS"; do
	check "the man page covers $s" grep -q "$s" <<<"$man"
done

# --------------------------------------------- the unit's capabilities
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$P/lib/systemd/system/xdpscope@.service")
set_=-all
for c in $caps; do set_+=,+$(tr 'A-Z' 'a-z' <<<"${c#CAP_}"); done
lab_up || { fail "lab setup"; e2e_finish; }
"$PYTHON" "$ROOT/tools/gen-pcap.py" "$TMP/u.pcap" "udp,198.19.0.1,198.18.0.10,count=500" >/dev/null
DOUT=$TMP/caps.out DERR=$TMP/caps.err
nsenter --net="/run/netns/$NS_R" setpriv --bounding-set="$set_" "$X" run -i "$IF_R" \
	-r 198.18.0.0/24=a -t 200ms >"$DOUT" 2>"$DERR" &
DPID=$!
DAEMON_PIDS+=("$DPID")
for ((i = 0; i < 100; i++)); do grep -q ': attached' "$DERR" && break; sleep 0.05; done
if grep -q ': attached' "$DERR"; then
	pass "the daemon attaches with the unit's capabilities only ($caps)"
	replay "$NS_S" "$IF_S" "$TMP/u.pcap" 1000
	sleep 0.5
	daemon_stop "$DPID"
	n=$("$PYTHON" -c 'import json, sys
print(sum(r["pkts"] for r in map(json.loads, open(sys.argv[1])) if r["type"] == "range"))' "$DOUT")
	check_eq "... and counts every packet" "$n" 500
	check_eq "... and detaches cleanly: stderr" "$(grep -v ': attached' "$DERR")" ""
	check "... no XDP program left" bash -c "! ip -n $NS_R -d link show $IF_R | grep -q prog/xdp"
	check "... no pins left" test ! -e "$PIN_R"
else
	fail "the daemon does not attach with the unit's capabilities: $(cat "$DERR")"
fi
# A crash leaves the program: the restricted detach says it cannot tell.
{ timeout -s KILL 2 nsenter --net="/run/netns/$NS_R" "$X" run -i "$IF_R" -r 198.18.0.0/24=a \
	>/dev/null 2>&1; } 2>/dev/null
out=$(in_ns "$NS_R" setpriv --bounding-set="$set_" "$X" detach -i "$IF_R" 2>&1)
rc=$?
check "a detach without CAP_SYS_ADMIN fails (rc $rc) rather than claim it" test "$rc" -ne 0
check_eq "... and says why" "$out" "xdpscope: $IF_R: cannot tell whether the programs attached to it are ours without CAP_SYS_ADMIN (run detach as root with all capabilities)"
check "the unit's clean-up (full privileges) removes it" \
	bash -c "nsenter --net=/run/netns/$NS_R '$X' detach -i $IF_R 2>/dev/null"
check "... no XDP program left" bash -c "! ip -n $NS_R -d link show $IF_R | grep -q prog/xdp"

# ------------------------------------------------------------- logrotate
readme=$(sed -n '/^The logrotate stanza:/,/^With `create` and the `postrotate`/p' "$ROOT/README.md" | sed -n 's/^    //p')
shipped=$(grep -v -e '^#' -e '^$' "$ROOT/tools/dist/xdpscope.logrotate")
check_eq "the README's logrotate stanza is the shipped one" "$readme" "$shipped"

# The installed stanza, pointed at this test's files; its postrotate
# signals the test's daemon instead of the systemd service.
"$PYTHON" "$ROOT/tools/gen-pcap.py" "$TMP/t.pcap" "udp,198.19.0.1,198.18.0.10,count=300" >/dev/null
for mode in create copytruncate; do
	mkdir -p "$TMP/log-$mode"
	LOG=$TMP/log-$mode/eth0.ndjson
	if daemon_start "lr-$mode" "$NS_R" "$IF_R" -r 198.18.0.0/24=a -t 100ms -o "$LOG"; then
		sed -e "s|/var/log/xdpscope/\*.ndjson|$TMP/log-$mode/*.ndjson|" \
		    -e "s|systemctl kill .*|kill -HUP $DPID|" "$P/etc/logrotate.d/xdpscope" \
		    >"$TMP/lr-$mode.conf"
		[[ $mode == copytruncate ]] &&
			sed -i -e 's/^\tcreate .*/\tcopytruncate/' -e '/postrotate/,/endscript/d' \
				"$TMP/lr-$mode.conf"
		replay "$NS_S" "$IF_S" "$TMP/t.pcap" 1000 &
		rp=$!
		for k in 1 2 3; do
			sleep 0.25
			logrotate -f -s "$TMP/lr-$mode.state" "$TMP/lr-$mode.conf" ||
				fail "logrotate ($mode) failed"
		done
		wait "$rp"
		sleep 0.4
		daemon_stop "$DPID"
		"$PYTHON" - "$TMP/log-$mode" "$mode" <<'PY' | tee "$TMP/lr-$mode.log"
import glob, gzip, json, os, sys
recs, torn, files = [], 0, sorted(glob.glob(sys.argv[1] + "/eth0.ndjson*"))
for f in files:
    data = (gzip.open if f.endswith(".gz") else open)(f, "rb").read()
    if data and not data.endswith(b"\n"):
        torn += 1
    for l in data.split(b"\n"):
        if not l.strip():
            continue
        try:
            recs.append(json.loads(l))
        except ValueError:
            torn += 1
pkts = sum(r["pkts"] for r in recs if r["type"] == "range")
# copytruncate loses what is written between logrotate's copy and its
# truncate (its manual says so): no record may be torn, none counted twice.
want_all = sys.argv[2] == "create"
ok = torn == 0 and len(files) >= 3 and (pkts == 300 if want_all else 0 < pkts <= 300)
print(("PASS" if ok else "FAIL") + ": logrotate %s: %d files, %d torn, %d packets of 300 in the "
      "records%s" % (sys.argv[2], len(files), torn, pkts,
                     "" if want_all else " (copytruncate: at most 300, none torn)"))
PY
		n_pass=$((n_pass + $(grep -c '^PASS' "$TMP/lr-$mode.log")))
		n_fail=$((n_fail + $(grep -c '^FAIL' "$TMP/lr-$mode.log")))
	else
		fail "logrotate $mode: daemon did not start"
	fi
done
e2e_finish
