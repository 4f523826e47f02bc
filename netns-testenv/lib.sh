# shellcheck shell=bash
# Names and addresses of the test network, shared by up.sh, down.sh, demo.sh and the tests.
# Documentation addresses only (RFC 5737 / RFC 3849). Nothing here touches the host namespace.

P=${XDPLB_TESTENV:-xl}              # prefix of every namespace, so several copies can coexist
REALS=${REALS:-3}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XDPLB=${XDPLB:-$HERE/../xdplb}
RUN_DIR=/run/xdplb-testenv/$P       # pid files and logs of the HTTP servers

NS_CLIENT=$P-client
NS_ROUTER=$P-router
NS_DIR=$P-dir
ns_rs() { echo "$P-rs$1"; }

CLIENT4=198.51.100.2;  CLIENT6=2001:db8:c::2
RCLIENT4=198.51.100.1; RCLIENT6=2001:db8:c::1   # router, client side
LAN4=192.0.2.1;        LAN6=2001:db8:1::1       # router on the server LAN (br0)
DIR4=192.0.2.10;       DIR6=2001:db8:1::10
real4() { echo "192.0.2.$((10 + $1))"; }
real6() { echo "2001:db8:1::$((10 + $1))"; }
VIP_NET4=203.0.113.0/24;  VIP_NET6=2001:db8:f::/64   # routed to the director

all_ns() {
  echo "$NS_CLIENT $NS_ROUTER $NS_DIR"
  for i in $(seq 1 "$REALS"); do ns_rs "$i"; done
}

xdplb() { "$XDPLB" --instance "$P" "$@"; }
