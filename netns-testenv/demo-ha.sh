#!/usr/bin/env bash
# Several directors behind ECMP: two directors announce the VIP over BGP (each one's
# `xdplb agent` runs a BIRD 2 speaker), the router spreads connections over both, director 1 is
# killed hard, and every open connection goes on through director 2 to the same real.
# Run as root from the repository: `make demo-ha` (builds first). Leaves the lab up with
# 203.0.113.10:80/tcp served by both directors; tear down with down.sh.
set -euo pipefail
export XDPLB_DIRECTORS=2
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "demo-ha.sh: needs root (XDP, network namespaces)" >&2; exit 1; }

VIP4=203.0.113.10; VIP="$VIP4:80/tcp"; CONNS=40
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
dir() { local i=$1; shift; printf '$ %s\n' "xdplb --instance $(ns_dir "$i") $*"; "$XDPLB" --instance "$(ns_dir "$i")" "$@"; }
nexthops() { ip -n "$NS_ROUTER" route show "$VIP4" | grep -o 'via [0-9.]*' | awk '{print $2}' | sort | tr '\n' ' '; }
wait_nexthops() { # want seconds: until the router's route to the VIP has exactly these next hops
  local t0=$SECONDS
  while [ "$(nexthops)" != "$1" ]; do
    [ $((SECONDS - t0)) -lt "$2" ] || { echo "demo-ha.sh: the router's route is '$(nexthops)', not '$1', after $2 s" >&2; exit 1; }
    sleep 0.05
  done
}
agent_start() { # i: the director's agent, in the background, with a pid file and a log (down.sh stops it)
  local inst; inst=$(ns_dir "$1")
  setsid "$XDPLB" --instance "$inst" agent >"$RUN_DIR/agent-dir$1.log" 2>&1 </dev/null &
  echo $! > "$RUN_DIR/agent-dir$1.pid"
  disown   # killed on purpose later: no job-control notice
}

say "1. the test network with two directors and a BGP router (BIRD 2, ECMP on addresses and ports)"
"$HERE/down.sh"
"$HERE/up.sh"

say "2. the same configuration on both directors (but the namespace), with a bgp section"
for i in 1 2; do
  conf=$RUN_DIR/dir$i.json
  cat > "$conf" <<JSON
{"version": 1,
 "sizes": {"maxVips": 8, "ringSize": 16381},
 "director": {"iface": "eth0", "netns": "$(ns_dir "$i")"},
 "vips": [{"vip": "$VIP", "reals": [{"address": "$(real4 1)"}, {"address": "$(real4 2)"}, {"address": "$(real4 3)"}]}],
 "bgp": {"localAsn": $DIRECTOR_ASN, "holdTime": $BGP_HOLD,
         "peers": [{"address": "$LAN4", "asn": $ROUTER_ASN}, {"address": "$LAN6", "asn": $ROUTER_ASN}]}}
JSON
  dir "$i" apply -f "$conf" | sed 's/^/   /'
done
for i in $(seq 1 "$REALS"); do xdplb realserver setup --iface eth0 --netns "$(ns_rs "$i")" --vip "$VIP4" >/dev/null; done
echo "(real servers set up: $VIP4 on lo, decap program)"

say "3. each director's agent runs its speaker and announces $VIP4/32 while the VIP is served"
for i in 1 2; do agent_start "$i"; done
wait_nexthops "$(dir4 1) $(dir4 2) " 30
printf '$ ip -n %s route show %s\n' "$NS_ROUTER" "$VIP4"; ip -n "$NS_ROUTER" route show "$VIP4"
printf '$ birdc -s %s.ctl show protocols   (the router)\n' "$ROUTER_BIRD"; router_birdc show protocols | grep -E 'Name|BGP'
"$XDPLB" status | sed -n '/^INSTANCE *VIP/,/^$/p;/BGP PEER/,/^$/p'

say "4. $CONNS long-lived connections from $NS_CLIENT, a request every 100 ms each"
coproc CLIENTS { ip netns exec "$NS_CLIENT" /usr/bin/python3 "$HERE/long-clients.py" "$VIP4" 80 "$CONNS" 0.1 15; }
read -r ready <&"${CLIENTS[0]}"; echo "$ready"
report() { echo report >&"${CLIENTS[1]}"; read -r line <&"${CLIENTS[0]}"; echo "$line"; }
ports_on() { "$XDPLB" --instance "$(ns_dir "$1")" dump conn_table --limit 100000 |
  python3 -c 'import json,sys; print(" ".join(sorted({f["client"].rsplit(":",1)[1] for f in json.load(sys.stdin)["conn_table"]["flows"]})))'; }
on1=$(ports_on 1); on2=$(ports_on 2)
echo "connections on director 1: $(wc -w <<<"$on1"), on director 2: $(wc -w <<<"$on2")"
summary() { # report ports...: answers and errors of those connections
  python3 -c '
import json, sys
r = json.loads(sys.argv[1]); ports = set(int(p) for p in sys.argv[2].split())
mine = [c for c in r["conns"] if c["port"] in ports]
ok = [c for c in mine if c["error"] is None and len(c["reals"]) == 1]
print("%d of %d still answering from their first real; resets: %d; failures: %d" % (len(ok), len(mine),
      sum(1 for c in mine if c["error"] and "reset" in c["error"].lower()), sum(1 for c in mine if c["error"])))' "$1" "$2"
}

say "5. director 1 dies: its link goes down (switch port $(peer_dir 1)), its agent and speaker are killed (SIGKILL)"
ip -n "$NS_ROUTER" link set "$(peer_dir 1)" down
kill -9 "$(cat "$RUN_DIR/agent-dir1.pid")" "$(cat "/run/xdplb/$(ns_dir 1)/bgp/bird.pid")" 2>/dev/null || true
t0=$(date +%s%N)
wait_nexthops "$(dir4 2) " $((BGP_HOLD + 5))
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
printf 'the router withdrew director 1 after %d.%01d s (hold time %d s):\n' $((ms / 1000)) $((ms % 1000 / 100)) "$BGP_HOLD"
ip -n "$NS_ROUTER" route show "$VIP4"
sleep 4   # the moved connections retransmit, then carry on through director 2
echo "director 1's connections, now through director 2: $(summary "$(report)" "$on1")"
echo "director 2's own connections:                       $(summary "$(report)" "$on2")"

say "6. director 1 comes back: link up, agent started again"
ip -n "$NS_ROUTER" link set "$(peer_dir 1)" up
agent_start 1
wait_nexthops "$(dir4 1) $(dir4 2) " 30
ip -n "$NS_ROUTER" route show "$VIP4"
sleep 2
echo "all $CONNS connections: $(summary "$(report)" "$on1 $on2")"
echo quit >&"${CLIENTS[1]}"; wait "$CLIENTS_PID" 2>/dev/null || true
"$XDPLB" status | sed -n '/^INSTANCE *VIP/,/^$/p'

cat <<EOF2

The lab stays up: $VIP served by both directors ($(ns_dir 1), $(ns_dir 2)), each with its agent.
Explore (as root, from this repository):
  ./xdplb status                                       # ring fingerprints, announcements, BGP sessions
  ip -n $NS_ROUTER route show $VIP4                    # one nexthop per announcing director
  birdc -s $ROUTER_BIRD.ctl show route all           # what the router learnt
  ip netns exec $NS_CLIENT curl http://$VIP4/
  ./xdplb --instance $(ns_dir 2) real add $VIP $(real4 1) --weight 0   # drain rs1 on director 2 only: the rings differ
Tear down:
  XDPLB_TESTENV=$P $HERE/down.sh
EOF2
