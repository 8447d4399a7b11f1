#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Interface names are per network namespace: a host with containers has an
# "eth0" in each. Here one veth pair has the same name at both ends (one in
# S, one in R), two different devices. Expected, as an operator would:
#  - a daemon on X in S and another on X in R both run (R's X carries
#    nothing of xdpscope, so "already attached" would be false);
#  - `xdpscope detach -i X` in R must not touch what the daemon in S owns:
#    its program, and the pins `xdpscope maps`/bpftool read.
source "$(dirname "$0")/lib.sh"
e2e_init
lab_up || { fail "lab setup"; e2e_finish; }

X=${RUN_ID}x
EXTRA_IFS+=("$NS_S:$X" "$NS_R:$X")
ip link add "$X" netns "$NS_S" type veth peer name "$X" netns "$NS_R" &&
	ip -n "$NS_S" link set "$X" up && ip -n "$NS_R" link set "$X" up ||
	{ fail "veth pair named $X at both ends"; e2e_finish; }
ranges=(--range 198.18.0.0/15=test4)

daemon_start in-s "$NS_S" "$X" --interval 250ms "${ranges[@]}" || { fail "daemon on $X in S"; e2e_finish; }
pid_s=$DPID
id_s=$(ip -n "$NS_S" -d -j link show dev "$X" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0].get("xdp",{}).get("prog",{}).get("id","none"))')
# Outside the initial network namespace the pin directory carries the
# namespace (X@netns<cookie>): take it from `xdpscope maps`.
pin_dir_s=$(in_ns "$NS_S" "$XDPSCOPE" maps -i "$X" | awk 'NR == 1 { print $NF }' | xargs dirname)
pins_s=$(ls "$pin_dir_s" 2>/dev/null | tr '\n' ' ')
check "the S daemon's pins are listed by maps ($pin_dir_s)" test -n "$pins_s"
note "daemon in S: $(grep attached "$DERR")"

if daemon_start in-r "$NS_R" "$X" --interval 250ms "${ranges[@]}"; then
	pass "a daemon on $X in R runs next to the one on $X in S"
	daemon_stop "$DPID" INT
	check_eq "daemon in R: exit 0" $? 0
else
	fail "a daemon on $X in R runs next to the one on $X in S: $(head -n1 "$DERR")"
fi
# R's X has nothing of xdpscope: detach there has nothing to remove.
timeout 30 nsenter --net="/run/netns/$NS_R" "$XDPSCOPE" detach -i "$X" >"$TMP/detach.out" 2>&1
note "detach -i $X in R: $(cat "$TMP/detach.out")"
check "detach in R leaves the S daemon's pins ($pins_s)" \
	test "$(ls "$pin_dir_s" 2>/dev/null | tr '\n' ' ')" = "$pins_s"
check "detach in R leaves the S daemon's XDP program" \
	bash -c "ip -n $NS_S -d link show dev $X | grep -q 'prog/xdp id $id_s '"
check "detach in R says nothing was there" grep -qi nothing "$TMP/detach.out"
check "daemon in S still running" kill -0 "$pid_s"
check "the S daemon's XDP program still attached" \
	bash -c "ip -n $NS_S -d link show dev $X | grep -q 'prog/xdp id $id_s '"
daemon_stop "$pid_s" INT
check_eq "daemon in S: exit 0" $? 0
check "S: XDP gone after exit" bash -c "! ip -n $NS_S -d link show dev $X | grep -q prog/xdp"
check "R: XDP gone after exit" bash -c "! ip -n $NS_R -d link show dev $X | grep -q prog/xdp"
e2e_finish
