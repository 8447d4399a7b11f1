#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# DESIGN.md: "Records are whole lines: a reader never sees half a record,
# also when the disk fills (a clear error, a counter, and the daemon goes
# on)." The daemon writes with -o to an 8 KiB tmpfs (mounted in a private
# mount namespace, so it exists only for this test) at a 20 ms interval,
# until the file system is full; the file is then emptied (space again)
# and the daemon must go on writing, counting the lines it lost. (It may
# fill the file again before it stops: one error line per streak.)
source "$(dirname "$0")/lib.sh"
e2e_init
lab_up || { fail "lab setup"; e2e_finish; }

mkdir "$TMP/tiny"
cat >"$TMP/inner.sh" <<'EOF'
# Runs in R's network namespace and a private mount namespace.
tiny=$1 xdpscope=$2 ifn=$3
mount -t tmpfs -o size=8k xs-e2e-tiny "$tiny" || exit 90
"$xdpscope" run -i "$ifn" --interval 20ms --range 198.18.0.0/15=test4 \
	-o "$tiny/out.ndjson" 2>"$tiny/../daemon.err" &
pid=$!
# Until the error about lost records shows (10 s at most).
for ((i = 0; i < 200; i++)); do
	grep -q 'not written' "$tiny/../daemon.err" && break
	sleep 0.05
done
sleep 0.2	# ~10 more intervals, every one failing to write
cp "$tiny/out.ndjson" "$tiny/../full.ndjson"
cp "$tiny/../daemon.err" "$tiny/../full.err"
kill -0 "$pid" && echo "alive when full" >"$tiny/../state"
: >"$tiny/out.ndjson"	# space again; the daemon appends at the new end
sleep 0.5
kill -INT "$pid"
for ((i = 0; i < 200; i++)); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
kill -KILL "$pid" 2>/dev/null
wait "$pid"
echo "rc=$?" >>"$tiny/../state"
cp "$tiny/out.ndjson" "$tiny/../after.ndjson"
EOF
timeout 60 nsenter --net="/run/netns/$NS_R" unshare -m --propagation private \
	bash "$TMP/inner.sh" "$TMP/tiny" "$XDPSCOPE" "$IF_R"
check_eq "the helper ran (mount, daemon)" $? 0
# The SIGKILL fallback above would leave the program attached.
lab_detach "$NS_R" "$IF_R"

check "the daemon went on after the disk filled" grep -q 'alive when full' "$TMP/state"
check_eq "the daemon exits 0 on SIGINT" "$(sed -n 's/^rc=//p' "$TMP/state")" 0
check "the file system filled: lines were lost" grep -q 'not written' "$TMP/daemon.err"
check_eq "one error line for the whole streak of lost lines while full" \
	"$(grep -c 'not written' "$TMP/full.err")" 1
note "stderr: $(grep -m1 'not written' "$TMP/daemon.err")"
check "the error line starts with 'xdpscope: ' and names the file" \
	grep -q "^xdpscope: $TMP/tiny/out.ndjson: " "$TMP/daemon.err"
compare expect --label "full file (only whole lines): " "$TMP/full.ndjson" records '>' 3
compare expect --label "after space came back: " "$TMP/after.ndjson" summaries '>' 3 \
	summary:missed:records_dropped '>' 0
e2e_finish
