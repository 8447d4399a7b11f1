#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every capture replayed gives byte for byte the records stored in
# tests/golden/out (regenerated only on purpose, with golden.sh write).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
exec "$root/tests/golden/golden.sh" check "${XDPSCOPE:-$root/build/xdpscope}"
