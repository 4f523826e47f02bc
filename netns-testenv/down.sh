#!/usr/bin/env bash
# Removes everything up.sh (and the demo) made under this prefix, even after a half-failed or
# interrupted up.sh, and whatever REALS it was run with. Exits 0 when there is nothing left.
set -uo pipefail
. "$(dirname "$0")/lib.sh" || exit 1

[ "$(id -u)" -eq 0 ] || { echo "down.sh: needs root" >&2; exit 1; }

# Every namespace of this prefix that exists: the known ones and any PREFIX-rsN (REALS may differ).
namespaces=$(ip netns list 2>/dev/null | awk '{print $1}' |
  grep -E "^$P-(client|router|dir[0-9]*|rs[0-9]+)\$" || true)

# 1. processes: the HTTP servers and the directors' agents (demo-ha) by pid file (if the pid is
#    still ours), then anything still running inside the namespaces (BGP speakers, the router's
#    BIRD, tcpdump of the demo, servers without pid file, ...).
victims=()
for f in "$RUN_DIR"/*.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f" 2>/dev/null)
  case $(cmdline "$pid") in
    *http.server*"$RUN_DIR/"*) victims+=("$pid") ;;
    *" --instance $P-dir"[0-9]*" agent"*) victims+=("$pid") ;;
  esac
done
for ns in $namespaces; do
  for pid in $(ip netns pids "$ns" 2>/dev/null); do victims+=("$pid"); done
done
if [ ${#victims[@]} -gt 0 ]; then
  kill "${victims[@]}" 2>/dev/null
  for _ in $(seq 1 30); do any_alive "${victims[@]}" || break; sleep 0.1; done
  kill -9 "${victims[@]}" 2>/dev/null
  for _ in $(seq 1 30); do any_alive "${victims[@]}" || break; sleep 0.1; done
fi

# 2. the pass programs on the router's bridge ports, through the CLI when it can run (the
#    namespaces' removal would detach them too; the pins go in step 4 whatever happens here)
links=/sys/fs/bpf/xdplb/$P/links
if [ -d "$links" ] && ns_exists "$NS_ROUTER" && xdplb_available; then
  for pin in "$links"/*@"$NS_ROUTER"; do
    [ -e "$pin" ] || continue
    port=${pin##*/}; port=${port%@*}
    case $port in d-*) timeout 60 "$XDPLB" --instance "$P" pass detach --iface "$port" --netns "$NS_ROUTER" >/dev/null 2>&1 ;; esac
  done
fi

# 3. the namespaces (their veths, addresses, routes and XDP programs go with them)
for ns in $namespaces; do
  ip netns del "$ns" 2>/dev/null || echo "down.sh: could not delete namespace $ns" >&2
done

# 4. what xdplb pinned or recorded for this instance (links are defunct once the interfaces are
#    gone), the instance's configuration, and the servers' pid files, logs and web roots
leftovers=()
# (and the same for the BGP variant's directors, instances PREFIX-dirN)
for d in "/sys/fs/bpf/xdplb/$P" "/run/xdplb/$P" "$RUN_DIR" "${XDPLB_STATE_DIR:-/var/lib/xdplb}/$P" \
         /sys/fs/bpf/xdplb/"$P"-dir[0-9]* /run/xdplb/"$P"-dir[0-9]* "${XDPLB_STATE_DIR:-/var/lib/xdplb}/$P"-dir[0-9]*; do
  [ -e "$d" ] && leftovers+=("$d")
done
[ ${#leftovers[@]} -eq 0 ] || rm -rf "${leftovers[@]}"
# (the shared parents, /sys/fs/bpf/xdplb and /run/xdplb-testenv, stay: another instance may be
# creating its directory in them right now)

left=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$P-(client|router|dir[0-9]*|rs[0-9]+)\$")
[ -e "/sys/fs/bpf/xdplb/$P" ] && left="$left /sys/fs/bpf/xdplb/$P"
if [ -n "$left" ]; then
  echo "down.sh: could not remove:" $left >&2
  exit 1
fi
if [ -n "$namespaces" ]; then echo "test network $P is down"
elif [ ${#leftovers[@]} -gt 0 ]; then echo "test network $P: no namespaces; removed ${leftovers[*]}"
else echo "test network $P: nothing to remove"; fi
exit 0
