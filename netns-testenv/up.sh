#!/usr/bin/env bash
# Builds the test network: client → router → director, and REALS real servers on the
# router's server LAN (a bridge), each running an HTTP server that answers with its name.
# Idempotent: what exists is left alone. Tear down with down.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "up.sh: needs root (network namespaces)" >&2; exit 1; }
if [ "$XDPLB" = "$HERE/../xdplb" ] && [ ! -f "$HERE/../control-plane/target/xdplb.jar" ]; then
  make -C "$HERE/.." build >/dev/null
fi

exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }
inns() { ip netns exec "$@"; }

add_ns() {
  exists "$1" && return 0
  ip netns add "$1"
  ip -n "$1" link set lo up
}

# A veth from namespace $1 (named eth0 or $2) to the router (named $3); nothing if it exists.
link_to_router() {
  local ns=$1 ifname=$2 peer=$3
  ip -n "$ns" link show "$ifname" >/dev/null 2>&1 && return 0
  ip -n "$ns" link add "$ifname" type veth peer name "$peer" netns "$NS_ROUTER"
  ip -n "$ns" link set "$ifname" up
  ip -n "$NS_ROUTER" link set "$peer" up
}

addr() { ip -n "$1" addr replace "$2" dev "$3" ${4:-}; }

for ns in $(all_ns); do add_ns "$ns"; done

# router: forwarding, the client link, and the server LAN bridge
inns "$NS_ROUTER" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
  net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0
ip -n "$NS_ROUTER" link show br0 >/dev/null 2>&1 || ip -n "$NS_ROUTER" link add br0 type bridge
ip -n "$NS_ROUTER" link set br0 up
inns "$NS_ROUTER" sysctl -qw net.ipv4.conf.br0.send_redirects=0 net.ipv6.conf.br0.accept_dad=0
addr "$NS_ROUTER" "$LAN4/24" br0
addr "$NS_ROUTER" "$LAN6/64" br0 nodad

link_to_router "$NS_CLIENT" eth0 cl0
addr "$NS_ROUTER" "$RCLIENT4/24" cl0
addr "$NS_ROUTER" "$RCLIENT6/64" cl0 nodad
addr "$NS_CLIENT" "$CLIENT4/24" eth0
addr "$NS_CLIENT" "$CLIENT6/64" eth0 nodad
# Checksums: a veth hands locally made packets on with the L4 checksum left to "offload"
# (CHECKSUM_PARTIAL). XDP sees those bytes unfinished and cannot pass the promise on through
# XDP_TX, so the real server would drop them as corrupt. A NIC on a wire never does this;
# here the client computes its checksums itself.
inns "$NS_CLIENT" ethtool -K eth0 tx off >/dev/null
ip -n "$NS_CLIENT" route replace default via "$RCLIENT4"
ip -n "$NS_CLIENT" -6 route replace default via "$RCLIENT6"

# director and real servers hang off br0
attach_lan() { # ns peer addr4 addr6
  link_to_router "$1" eth0 "$2"
  ip -n "$NS_ROUTER" link set "$2" master br0
  addr "$1" "$3/24" eth0
  addr "$1" "$4/64" eth0 nodad
  ip -n "$1" route replace default via "$LAN4"
  ip -n "$1" -6 route replace default via "$LAN6"
}
attach_lan "$NS_DIR" d-dir "$DIR4" "$DIR6"
inns "$NS_ROUTER" ethtool -K d-dir tx off >/dev/null   # same reason, for anything the router itself sends
for i in $(seq 1 "$REALS"); do attach_lan "$(ns_rs "$i")" "d-rs$i" "$(real4 "$i")" "$(real6 "$i")"; done

# the VIPs are routed to the director
ip -n "$NS_ROUTER" route replace "$VIP_NET4" via "$DIR4"
ip -n "$NS_ROUTER" -6 route replace "$VIP_NET6" via "$DIR6"

# HTTP servers: answer GET / with the real's name, HTTP/1.1 keep-alive, any local address
mkdir -p "$RUN_DIR"
for i in $(seq 1 "$REALS"); do
  ns=$(ns_rs "$i"); dir=$RUN_DIR/rs$i
  if [ -f "$dir.pid" ] && kill -0 "$(cat "$dir.pid")" 2>/dev/null; then continue; fi
  mkdir -p "$dir"; echo "rs$i" > "$dir/index.html"
  inns "$ns" setsid python3 -m http.server 80 --bind :: --protocol HTTP/1.1 --directory "$dir" \
    >"$dir.log" 2>&1 < /dev/null &
  echo $! > "$dir.pid"
done

# veth only delivers XDP_TX'ed frames to a peer that has an XDP program: the bridge ports
for peer in d-dir $(for i in $(seq 1 "$REALS"); do echo "d-rs$i"; done); do
  if ! xdplb status --json | grep -q "\"iface\" : \"$peer\""; then
    xdplb pass attach --iface "$peer" --netns "$NS_ROUTER" >/dev/null
  fi
done

# wait until every server answers (IPv6 addresses are usable at once: nodad)
for i in $(seq 1 "$REALS"); do
  for _ in $(seq 1 50); do
    inns "$NS_CLIENT" curl -s --max-time 1 "http://$(real4 "$i")/" >/dev/null 2>&1 && break
    sleep 0.1
  done
done

cat <<INFO
test network $P is up:
  $NS_CLIENT   eth0 $CLIENT4 $CLIENT6        default via router
  $NS_ROUTER   cl0 $RCLIENT4 $RCLIENT6, br0 $LAN4 $LAN6; $VIP_NET4 and $VIP_NET6 via the director
  $NS_DIR      eth0 $DIR4 $DIR6
$(for i in $(seq 1 "$REALS"); do echo "  $(ns_rs "$i")      eth0 $(real4 "$i") $(real6 "$i")   HTTP: rs$i"; done)
try:      ip netns exec $NS_CLIENT curl http://$(real4 1)/
teardown: $(dirname "$0")/down.sh   (same XDPLB_TESTENV=$P)
INFO
