#!/usr/bin/env bash
# The whole story on one machine: a client curls two VIPs; the director's XDP program
# encapsulates (IPIP for IPv4, GUE for IPv6) to three real servers, whose decap program
# strips the tunnel; they answer the client directly, never through the director.
# Run as root from the repository: `make demo` (builds first). Tear down with down.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "demo.sh: needs root (XDP, network namespaces)" >&2; exit 1; }

VIP4=203.0.113.10; VIP6=2001:db8:f::10
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "xdplb --instance $P $*"; xdplb "$@"; }

say "1. the test network (namespaces, documentation addresses only)"
"$HERE/down.sh"                    # start from a clean slate
"$HERE/up.sh"

say "2. the director: attach the balancer to $NS_DIR's eth0"
run attach --iface eth0 --netns "$NS_DIR"
run vip add "$VIP4:80/tcp" --encap ipip
run vip add "[$VIP6]:80/tcp" --encap gue
for i in $(seq 1 "$REALS"); do
  run real add "$VIP4:80/tcp" "$(real4 "$i")" >/dev/null
  run real add "[$VIP6]:80/tcp" "$(real6 "$i")" >/dev/null
done
run vip list

say "3. the real servers: VIPs on lo, ARP sysctls, decap XDP program"
for i in $(seq 1 "$REALS"); do
  run realserver setup --iface eth0 --netns "$(ns_rs "$i")" --vip "$VIP4" --vip "$VIP6"
done

say "4. 30 requests to each VIP from $NS_CLIENT (a new connection each)"
capture() { # iface file: replies (from a VIP's port 80) passing the router's interface
  ip netns exec "$NS_ROUTER" timeout 120 tcpdump -i "$1" -nn -l -q \
    "tcp src port 80 and (src host $VIP4 or src host $VIP6)" >"$2" 2>/dev/null &
  echo $!
}
tmp=$(mktemp -d)
cap_dir=$(capture d-dir "$tmp/dir"); cap_lan=$(capture br0 "$tmp/lan"); sleep 1
for url in "http://$VIP4/" "http://[$VIP6]/"; do
  echo "$url"
  for _ in $(seq 1 30); do ip netns exec "$NS_CLIENT" curl -s -g --max-time 3 "$url" || echo "(no answer)"; done \
    | sort | uniq -c | sed 's/^/   /'
done
sleep 1; kill "$cap_dir" "$cap_lan" 2>/dev/null; wait "$cap_dir" "$cap_lan" 2>/dev/null || true

say "5. direct server return: where did the replies go?"
# (non-blank lines: tcpdump ends its output with an empty line when it is stopped)
echo "reply packets (from the VIPs) on the server LAN:      $(grep -c . "$tmp/lan" || true)"
echo "reply packets (from the VIPs) on the director's port: $(grep -c . "$tmp/dir" || true)"
rm -rf "$tmp"

say "6. the director's counters"
run stats

say "7. a look inside the maps"
run dump ring lb_config | head -40

cat <<EOF2

Explore (as root, from this repository):
  ./xdplb --instance $P status                       # what is attached where
  ./xdplb --instance $P stats --watch 1              # live counters (Ctrl-C to stop)
  ./xdplb --instance $P dump conn_table              # the flows the director remembers
  ./xdplb --instance $P real add $VIP4:80/tcp $(real4 1) --weight 0    # drain rs1
  ip netns exec $NS_CLIENT curl http://$VIP4/
  ip netns exec $NS_ROUTER tcpdump -ni br0 'ip proto 4 or udp port 6080'   # the tunnels
Tear down:
  XDPLB_TESTENV=$P $HERE/down.sh
EOF2
