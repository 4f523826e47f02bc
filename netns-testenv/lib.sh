# shellcheck shell=bash
# Names and addresses of the test network, shared by up.sh, down.sh, demo.sh and the tests.
# Documentation addresses only (RFC 5737 / RFC 3849). Nothing here touches the host namespace:
# every command that configures something names its namespace (`ip -n NS`, `ip netns exec NS`).

P=${XDPLB_TESTENV:-xl}              # prefix of every namespace, so several copies can coexist
REALS=${REALS:-3}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XDPLB_DEFAULT=$(cd "$HERE/.." && pwd)/xdplb
XDPLB=${XDPLB:-$XDPLB_DEFAULT}      # the CLI; tests point this at a launcher of their own
RUN_DIR=/run/xdplb-testenv/$P       # pid files, logs and web roots of the HTTP servers

case $P in
  *[!A-Za-z0-9_-]* | "" ) echo "XDPLB_TESTENV=$P: use letters, digits, - or _ only" >&2; return 1 2>/dev/null || exit 1 ;;
esac
# XDPLB_DIRECTORS=N: N directors PREFIX-dir1..N behind a BGP/ECMP router (BIRD 2) instead of
# the one PREFIX-dir with a static route.
DIRECTORS=${XDPLB_DIRECTORS:-}
case $DIRECTORS in
  "" ) ;;
  *[!0-9]* | 0 ) echo "XDPLB_DIRECTORS=$DIRECTORS: a number of directors, 1 to 8" >&2; return 1 2>/dev/null || exit 1 ;;
  * ) [ "$DIRECTORS" -le 8 ] || { echo "XDPLB_DIRECTORS=$DIRECTORS: 1 to 8" >&2; return 1 2>/dev/null || exit 1; } ;;
esac
case $REALS in
  "" | *[!0-9]* ) echo "REALS=$REALS: not a number" >&2; return 1 2>/dev/null || exit 1 ;;
esac
# Namespace names are free, but the longest, PREFIX-rsNN, should stay readable in `ip netns`.
[ "${#P}" -le 8 ] || { echo "XDPLB_TESTENV=$P: keep the prefix to 8 characters" >&2; return 1 2>/dev/null || exit 1; }
[ "$REALS" -ge 1 ] && [ "$REALS" -le 40 ] || { echo "REALS=$REALS: 1 to 40" >&2; return 1 2>/dev/null || exit 1; }

NS_CLIENT=$P-client
NS_ROUTER=$P-router
NS_DIR=$P-dir
ns_rs() { echo "$P-rs$1"; }
ns_dir() { echo "$P-dir$1"; }       # director i of the BGP variant

# The router's side of each link: cl0 is routed (client), the d-* ports are enslaved to br0.
ROUTER_CL=cl0
BRIDGE=br0
PEER_DIR=d-dir
peer_rs() { echo "d-rs$1"; }
peer_dir() { echo "d-dir$1"; }

CLIENT4=198.51.100.2;  CLIENT6=2001:db8:c::2
RCLIENT4=198.51.100.1; RCLIENT6=2001:db8:c::1   # router, client side (cl0)
LAN4=192.0.2.1;        LAN6=2001:db8:1::1       # router on the server LAN (br0)
DIR4=192.0.2.10;       DIR6=2001:db8:1::10
real4() { echo "192.0.2.$((10 + $1))"; }
real6() { echo "2001:db8:1::$((10 + $1))"; }
dir4() { echo "192.0.2.$((100 + $1))"; }     # director i of the BGP variant
dir6() { echo "2001:db8:1::$((100 + $1))"; }
VIP_NET4=203.0.113.0/24;  VIP_NET6=2001:db8:f::/64   # routed to the director(s)
# BGP variant: AS numbers from the documentation range (RFC 5398); the router is the directors' peer.
ROUTER_ASN=64496; DIRECTOR_ASN=64497
BGP_HOLD=3                          # seconds: a dead director's routes go within 3 s

# MACs are fixed, made of the IPv4 address: 02:00:<4 bytes> for an interface with that
# address, 02:01:<4 bytes> for the router's bridge port facing it. A link that is re-created
# keeps its MAC, so no neighbour cache (or director's --gateway-mac) goes stale, and captures
# and `xdplb dump` read easily (02:00:c0:00:02:0b is 192.0.2.11).
mac4() { # ADDR4 [SECOND_BYTE]
  local IFS=. a; read -r -a a <<<"$1"
  printf '02:%02x:%02x:%02x:%02x:%02x\n' "${2:-0}" "${a[0]}" "${a[1]}" "${a[2]}" "${a[3]}"
}

# The directors, one per line: namespace, router port, IPv4, IPv6.
directors() {
  if [ -z "$DIRECTORS" ]; then echo "$NS_DIR $PEER_DIR $DIR4 $DIR6"; return; fi
  local i
  for i in $(seq 1 "$DIRECTORS"); do echo "$(ns_dir "$i") $(peer_dir "$i") $(dir4 "$i") $(dir6 "$i")"; done
}

all_ns() {
  echo "$NS_CLIENT $NS_ROUTER"
  directors | awk '{print $1}'
  for i in $(seq 1 "$REALS"); do ns_rs "$i"; done
}

# Bridge ports in the router that get the XDP_PASS program.
router_ports() {
  directors | awk '{print $2}'
  for i in $(seq 1 "$REALS"); do peer_rs "$i"; done
}

# The router's BIRD (BGP variant): config, control socket, pid file and log.
ROUTER_BIRD=$RUN_DIR/router-bird
router_birdc() { timeout 10 birdc -s "$ROUTER_BIRD.ctl" "$@"; }

ns_exists() { [ -e "/run/netns/$1" ]; }

# Processes: the command line of a pid (blank if gone); whether any of the pids still runs.
cmdline() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" || true; }
any_alive() { local p; for p; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }

xdplb() { "$XDPLB" --instance "$P" "$@"; }

# Whether the CLI can run: a launcher of the caller's own, or ./xdplb with its jar built.
xdplb_available() {
  [ -x "$XDPLB" ] || return 1
  [ "$XDPLB" != "$XDPLB_DEFAULT" ] || [ -f "$HERE/../control-plane/target/xdplb.jar" ]
}

# ns_ping NS ADDR [TIMEOUT]: one ICMP / ICMPv6 echo from inside NS (this machine has no ping).
ns_ping() {
  ip netns exec "$1" timeout 10 python3 - "$2" "${3:-2}" <<'PY'
import ipaddress, os, select, socket, struct, sys, time
addr, timeout = sys.argv[1], float(sys.argv[2])
v6 = ipaddress.ip_address(addr).version == 6
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_RAW,
                  socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
ident, typ, reply = os.getpid() & 0xffff, (128 if v6 else 8), (129 if v6 else 0)
def csum(b):
    b += b"\0" * (len(b) & 1)
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b)); t = (t >> 16) + (t & 0xffff); t += t >> 16
    return ~t & 0xffff
body = struct.pack("!HH", ident, 1) + b"xdplb-testenv"
msg = struct.pack("!BBH", typ, 0, 0) + body
if not v6:  # the kernel fills in the ICMPv6 checksum itself
    msg = struct.pack("!BBH", typ, 0, csum(msg)) + body
t0 = time.monotonic(); s.sendto(msg, (addr, 0))
while (left := t0 + timeout - time.monotonic()) > 0:
    if not select.select([s], [], [], left)[0]: break
    data, src = s.recvfrom(2048)
    if not v6: data = data[(data[0] & 15) * 4:]
    if data[0] == reply and struct.unpack("!H", data[4:6])[0] == ident and src[0] == ipaddress.ip_address(addr).compressed:
        print("reply from %s in %.2f ms" % (addr, (time.monotonic() - t0) * 1000)); sys.exit(0)
print("no reply from %s within %gs" % (addr, timeout)); sys.exit(1)
PY
}
