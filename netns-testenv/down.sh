#!/usr/bin/env bash
# Removes everything up.sh (and the demo) made under this prefix, even after a half-failed up.sh.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "down.sh: needs root" >&2; exit 1; }

# HTTP servers: by pid file, then anything still running inside the namespaces
for f in "$RUN_DIR"/*.pid; do
  [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
done
for ns in $(all_ns); do
  pids=$(ip netns pids "$ns" 2>/dev/null)
  [ -n "$pids" ] && kill $pids 2>/dev/null
done
sleep 0.2

# the namespaces (their veths and XDP programs go with them)
for ns in $(all_ns); do
  ip netns list | awk '{print $1}' | grep -qx "$ns" && ip netns del "$ns"
done

# what xdplb pinned or recorded for this instance: links are defunct once the interfaces are gone
rm -rf "/sys/fs/bpf/xdplb/$P" "/run/xdplb/$P" "$RUN_DIR" "${XDPLB_STATE_DIR:-/var/lib/xdplb}/$P"
rmdir /sys/fs/bpf/xdplb /run/xdplb /run/xdplb-testenv "${XDPLB_STATE_DIR:-/var/lib/xdplb}" 2>/dev/null
exit 0
