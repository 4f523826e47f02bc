#!/usr/bin/env bash
# Builds the test network: client → router → director, and REALS real servers on the
# router's server LAN (a bridge), each running an HTTP server that answers with its name.
# Every command names its namespace; the host's own namespace is never changed.
# Idempotent: what exists is kept (and completed), a dead HTTP server is restarted.
# Tear down with down.sh (same XDPLB_TESTENV).
set -Eeuo pipefail
. "$(dirname "$0")/lib.sh" || exit 1

[ "$(id -u)" -eq 0 ] || { echo "up.sh: needs root (network namespaces, XDP)" >&2; exit 1; }
# (errtrace: also inside functions; reported once, by the script's own process, not its subshells)
trap '[ "$BASHPID" != "$$" ] || echo "up.sh: failed at line $LINENO: $BASH_COMMAND (clean up with: XDPLB_TESTENV=$P $HERE/down.sh)" >&2' ERR

tools="ip ethtool python3 curl timeout setsid"
[ -z "$DIRECTORS" ] || tools="$tools bird birdc"
for tool in $tools; do
  command -v "$tool" >/dev/null || { echo "up.sh: $tool is not installed" >&2; exit 1; }
done
if [ "$XDPLB" = "$XDPLB_DEFAULT" ] && [ ! -f "$HERE/../control-plane/target/xdplb.jar" ]; then
  echo "up.sh: building xdplb (make build) ..."
  make -C "$HERE/.." build >/dev/null
fi
[ -x "$XDPLB" ] || { echo "up.sh: $XDPLB is not executable (XDPLB=...)" >&2; exit 1; }

inns() { ip netns exec "$@"; }
addr() { ip -n "$1" addr replace "$2" dev "$3" ${4:-}; }   # replace: idempotent

# set_mac NS IF MAC: only when it differs (links made by an older up.sh had random ones;
# the neighbour caches that knew those are flushed at the end)
macs_changed=
set_mac() {
  [[ $(ip -n "$1" link show "$2") == *"link/ether $3 "* ]] && return 0
  ip -n "$1" link set "$2" address "$3"
  macs_changed=1
}

# A veth whose end in namespace $1 is eth0 (MAC $3) and whose peer, in the router, is $2 (MAC $4).
link_to_router() {
  local ns=$1 peer=$2
  if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
    # a peer left in the router by an interrupted run would block the name
    ip -n "$NS_ROUTER" link del "$peer" 2>/dev/null || true
    ip -n "$ns" link add eth0 address "$3" type veth peer name "$peer" address "$4" netns "$NS_ROUTER"
  fi
  set_mac "$ns" eth0 "$3"
  set_mac "$NS_ROUTER" "$peer" "$4"
  ip -n "$ns" link set eth0 up
  ip -n "$NS_ROUTER" link set "$peer" up
}

# 1. namespaces. IPv6 duplicate address detection off before any link exists, so that every
#    address, link-local ones included, is usable at once (a veth end inherits "default").
for ns in $(all_ns); do
  ns_exists "$ns" || ip netns add "$ns"
  ip -n "$ns" link set lo up
  inns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done

# 2. router: forwarding, no ICMP redirects (packets for the reals come in and go out on br0,
#    so IPv4 would tell the director to go direct; IPv6 has no such switch in Linux, so the
#    director and reals ignore redirects instead, see below), and the server LAN bridge.
inns "$NS_ROUTER" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
  net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0
if ! ip -n "$NS_ROUTER" link show "$BRIDGE" >/dev/null 2>&1; then
  # no STP (ports forward at once) and no multicast snooping (IPv6 neighbour discovery is multicast)
  ip -n "$NS_ROUTER" link add "$BRIDGE" address "$(mac4 "$LAN4")" type bridge stp_state 0 forward_delay 0 mcast_snooping 0
fi
set_mac "$NS_ROUTER" "$BRIDGE" "$(mac4 "$LAN4")"   # fixed: else it follows its ports as they come and go
ip -n "$NS_ROUTER" link set "$BRIDGE" up
inns "$NS_ROUTER" sysctl -qw "net.ipv4.conf.$BRIDGE.send_redirects=0"
addr "$NS_ROUTER" "$LAN4/24" "$BRIDGE"
addr "$NS_ROUTER" "$LAN6/64" "$BRIDGE" nodad

# 3. client: a routed link to the router
link_to_router "$NS_CLIENT" "$ROUTER_CL" "$(mac4 "$CLIENT4")" "$(mac4 "$RCLIENT4")"
addr "$NS_ROUTER" "$RCLIENT4/24" "$ROUTER_CL"
addr "$NS_ROUTER" "$RCLIENT6/64" "$ROUTER_CL" nodad
addr "$NS_CLIENT" "$CLIENT4/24" eth0
addr "$NS_CLIENT" "$CLIENT6/64" eth0 nodad
# Checksums: a veth hands locally made packets on with the L4 checksum left to "offload"
# (CHECKSUM_PARTIAL). XDP sees those bytes unfinished and cannot pass the promise on through
# XDP_TX, so the real server would drop them as corrupt. A NIC on a wire never does this;
# here the client computes its checksums itself.
inns "$NS_CLIENT" ethtool -K eth0 tx off >/dev/null
# Flows to CPUs: a NIC's RSS keeps each flow on one CPU, and the director keeps one connection
# table per CPU. A veth has no RSS: a packet is handled on whichever CPU sent it, and a client's
# ACKs go out on the CPU that received the answer. RPS on the router's client port does what
# RSS would: each flow, whoever sends its packets, is forwarded (so reaches a director) on the
# one CPU its hash picks.
rps_mask=$(printf '%x' $(( (1 << $(nproc --all)) - 1 )))
inns "$NS_ROUTER" sh -c "echo $rps_mask > /sys/class/net/$ROUTER_CL/queues/rx-0/rps_cpus"
# RPS steers by the skb's hash, which for a local socket's packets is the socket's random txhash;
# Linux draws a new one after a retransmission timeout (net.core.txrehash), which would move the
# flow to another CPU mid-connection (on a loaded machine, RTOs happen). RSS hashes the headers,
# which never change: the client keeps each socket's hash for its lifetime.
inns "$NS_CLIENT" sysctl -qw net.core.txrehash=0
ip -n "$NS_CLIENT" route replace default via "$RCLIENT4"
ip -n "$NS_CLIENT" -6 route replace default via "$RCLIENT6"

# 4. director and real servers hang off br0
attach_lan() { # ns peer addr4 addr6
  link_to_router "$1" "$2" "$(mac4 "$3")" "$(mac4 "$3" 1)"
  ip -n "$NS_ROUTER" link set "$2" master "$BRIDGE"
  addr "$1" "$3/24" eth0
  addr "$1" "$4/64" eth0 nodad
  ip -n "$1" route replace default via "$LAN4"
  ip -n "$1" -6 route replace default via "$LAN6"
  inns "$1" sysctl -qw net.ipv4.conf.all.accept_redirects=0 net.ipv4.conf.default.accept_redirects=0 \
    net.ipv6.conf.all.accept_redirects=0 net.ipv6.conf.default.accept_redirects=0
}
while read -r ns peer a4 a6; do
  attach_lan "$ns" "$peer" "$a4" "$a6"
  inns "$NS_ROUTER" ethtool -K "$peer" tx off >/dev/null   # same reason, for what the router itself sends
done < <(directors)
for i in $(seq 1 "$REALS"); do attach_lan "$(ns_rs "$i")" "$(peer_rs "$i")" "$(real4 "$i")" "$(real6 "$i")"; done

if [ -n "$macs_changed" ]; then
  for ns in $(all_ns); do ip -n "$ns" neigh flush all 2>/dev/null || true; done
fi

# 5. the VIPs are routed to the director; or, with several, learnt over BGP from every director
#    that announces them (their agents run the speakers) and spread by ECMP on the flow's
#    addresses and ports (hash policy 1), so one connection stays on one director
if [ -z "$DIRECTORS" ]; then
  ip -n "$NS_ROUTER" route replace "$VIP_NET4" via "$DIR4"
  ip -n "$NS_ROUTER" -6 route replace "$VIP_NET6" via "$DIR6"
else
  ip -n "$NS_ROUTER" route del "$VIP_NET4" 2>/dev/null || true     # left by a one-director lab
  ip -n "$NS_ROUTER" -6 route del "$VIP_NET6" 2>/dev/null || true
  inns "$NS_ROUTER" sysctl -qw net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1
  "$HERE/router-bird.sh"
fi

# 6. HTTP servers: GET / answers the real's name; HTTP/1.1 keep-alive; bound to :: (dual
#    stack), so they answer on any local address, VIPs later put on lo included.
mkdir -p "$RUN_DIR"
py=$(python3 -c 'import sys; print(sys.executable)')   # the interpreter itself, not a shim: the pid is the server's
server_running() { # i: the pid file names a live http.server of ours inside that namespace
  local pid
  pid=$(cat "$RUN_DIR/rs$1.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] || return 1
  case $(cmdline "$pid") in *http.server*"$RUN_DIR/rs$1"*) ;; *) return 1 ;; esac
  [ "$(ip netns identify "$pid" 2>/dev/null)" = "$(ns_rs "$1")" ]
}
for i in $(seq 1 "$REALS"); do
  ns=$(ns_rs "$i"); dir=$RUN_DIR/rs$i
  server_running "$i" && continue
  # an HTTP server without (a right) pid file, e.g. from an interrupted run, would hold port 80
  stale=$(for pid in $(ip netns pids "$ns"); do case $(cmdline "$pid") in *http.server*) echo "$pid" ;; esac; done)
  if [ -n "$stale" ]; then
    kill $stale 2>/dev/null || true
    for _ in $(seq 1 30); do any_alive $stale || break; sleep 0.1; done
    kill -9 $stale 2>/dev/null || true
    for _ in $(seq 1 30); do any_alive $stale || break; sleep 0.1; done
  fi
  mkdir -p "$dir"; echo "rs$i" > "$dir/index.html"
  ip netns exec "$ns" setsid "$py" -m http.server 80 --bind :: --protocol HTTP/1.1 --directory "$dir" \
    >"$dir.log" 2>&1 </dev/null &
  echo $! > "$dir.pid"
done

# 7. a veth delivers XDP_TX'ed frames only to a peer that has an XDP program: the bridge ports
status=$(timeout 60 "$XDPLB" --instance "$P" status --json) ||
  { echo "up.sh: '$XDPLB status --json' failed; is the CLI built (make build)?" >&2; exit 1; }
attached=$(python3 -c '
import json, sys
for a in json.loads(sys.argv[3])["attachments"]:
    if a["instance"] == sys.argv[1] and a["netns"] == sys.argv[2] and a["program"] == "pass" and a["state"] == "attached":
        print(a["iface"])' "$P" "$NS_ROUTER" "$status")
for port in $(router_ports); do
  grep -qx "$port" <<<"$attached" || timeout 60 "$XDPLB" --instance "$P" pass attach --iface "$port" --netns "$NS_ROUTER" >/dev/null
done

# 8. wait until every server answers from the client, on both families
wait_http() { # url name
  local deadline=$((SECONDS + 15)) got
  while [ "$SECONDS" -lt "$deadline" ]; do
    got=$(inns "$NS_CLIENT" curl -s -g --max-time 1 "$1" 2>/dev/null) || got=
    [ "$got" = "$2" ] && return 0
    sleep 0.1
  done
  echo "up.sh: $1 did not answer '$2' from $NS_CLIENT within 15 s (got '$got'); server log: $RUN_DIR/$2.log" >&2
  return 1
}
for i in $(seq 1 "$REALS"); do
  wait_http "http://$(real4 "$i")/" "rs$i" || exit 1
  wait_http "http://[$(real6 "$i")]/" "rs$i" || exit 1
done

trap - ERR
row() { printf '  %-10s %-5s %-15s %-18s %s\n' "$@"; }
cat <<INFO
test network $P is up (documentation addresses only; MAC 02:00:<IPv4 bytes>):
$(row "$NS_CLIENT" eth0 "$CLIENT4/24" "$CLIENT6/64" "default via the router")
$(row "$NS_ROUTER" "$ROUTER_CL" "$RCLIENT4/24" "$RCLIENT6/64" "to the client")
$(row "" "$BRIDGE" "$LAN4/24" "$LAN6/64" "server LAN; ports $(router_ports | tr '\n' ' ')with XDP pass")
$(if [ -z "$DIRECTORS" ]; then row "" route "$VIP_NET4" "$VIP_NET6" "(VIPs) via $DIR4 / $DIR6, the director"
  else row "" BGP "AS $ROUTER_ASN" "hold ${BGP_HOLD}s" "BIRD 2 peers with every director (AS $DIRECTOR_ASN); ECMP, L4 hash"; fi)
$(directors | while read -r ns peer a4 a6; do row "$ns" eth0 "$a4/24" "$a6/64" "director, default via the router"; done)
$(for i in $(seq 1 "$REALS"); do row "$(ns_rs "$i")" eth0 "$(real4 "$i")/24" "$(real6 "$i")/64" "real, HTTP :80 answers \"rs$i\""; done)
try:      ip netns exec $NS_CLIENT curl http://$(real4 1)/
          $XDPLB --instance $P status$([ -z "$DIRECTORS" ] || printf '\n          birdc -s %s.ctl show protocols     # the router'"'"'s BGP sessions' "$ROUTER_BIRD")
teardown: XDPLB_TESTENV=$P $HERE/down.sh
INFO
