#!/usr/bin/python3
"""Live forwarding benchmark of `make bench` (bench only): xdplb's director against plain
kernel IP forwarding, on veths between network namespaces made here and removed after.

    client ns            director ns                    real ns
    <t>c  ───veth───  <t>i  [director]  <t>o  ───veth───  <t>r  (decap, VIP on lo)
    203.0.113.2       203.0.113.1       198.51.100.1      198.51.100.2

The generator (xdpbench gen: BPF_F_TEST_XDP_LIVE_FRAMES, 60-byte UDP frames to the VIP
192.0.2.10:9, 1024 flows) sends out of <t>c as fast as its core allows. The director is
either xdplb (`xdplb attach --egress <t>o`: IPIP to the real, bpf_redirect) or the kernel
(ip_forward=1, a route for the VIP via the real; the XDP_PASS program of `xdplb pass` on
<t>i, which a veth needs to receive XDP frames at all). The real runs xdplb's decap program
in both cases (`xdplb realserver setup`), whose counters count what arrives: IPIP stripped
(xdplb) or passed as is (kernel forwarding).

Two ways of running it, each measured in both modes, rounds interleaved:
  one core  every softirq runs on the generator's CPU (veth NAPI not threaded): generator,
            director and real share one core; end-to-end packets per second.
  split     the director's NAPI runs threaded, pinned alone to CPU 0 (generator and the
            real's NAPI thread on CPU 1); the director's cost is its thread's CPU time
            (schedstat) per forwarded packet, i.e. packets per second per director core.

Every packet is accounted for: generated = refused by the director's receive ring (the
sending veth's tx_dropped) + seen by the director; seen = forwarded + dropped by the director
(counted); forwarded = arrived at the real (decap counters) + refused by the real's receive
ring (counted by the veth). Usage: live.py OUT.json (as root, from the repository).
"""
import json
import os
import random
import signal
import re
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
XDPLB = os.path.join(REPO, "xdplb")
GEN = os.path.join(REPO, "build", "bench", "xdpbench")
VIP_ADDR, VIP = "192.0.2.10", "192.0.2.10:9/udp"
ONE_CORE_FRAMES, SPLIT_FRAMES, ROUNDS = 1_000_000, 3_000_000, 5
DIRECTOR_CPU, GEN_CPU = 0, 1


def sh(*args, check=True, env=None):
    r = subprocess.run(list(args), capture_output=True, text=True, env=env)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr.strip() or r.stdout.strip()))
    return r.stdout


class Topology:
    def __init__(self):
        existing = sh("ip", "netns", "list")
        while True:
            self.tok = "%04x" % random.randrange(0x10000)
            if "xlbb%s" % self.tok not in existing:
                break
        t = self.tok
        self.ns = {"cli": "xlbb%s-cli" % t, "dir": "xlbb%s-dir" % t, "rs": "xlbb%s-rs" % t}
        self.ifs = {"c": "b%sc" % t, "i": "b%si" % t, "o": "b%so" % t, "r": "b%sr" % t}
        self.instance = "bench-%s" % t
        self.state = tempfile.mkdtemp(prefix="xdplb-bench-state-")
        self.env = dict(os.environ, XDPLB_STATE_DIR=self.state)
        self.created = []
        self.mode = None

    def cli(self, *args, check=True):
        return sh(XDPLB, "--instance", self.instance, *args, check=check, env=self.env)

    def up(self):
        ns, i = self.ns, self.ifs
        for n in ns.values():
            sh("ip", "netns", "add", n)
            self.created.append(n)
            sh("ip", "-n", n, "link", "set", "lo", "up")
            # no IPv6 (no router solicitations or MLD reports among the measured frames)
            sh("ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
               "net.ipv6.conf.default.disable_ipv6=1")
        sh("ip", "link", "add", i["c"], "netns", ns["cli"], "type", "veth", "peer", "name", i["i"], "netns", ns["dir"])
        sh("ip", "link", "add", i["o"], "netns", ns["dir"], "type", "veth", "peer", "name", i["r"], "netns", ns["rs"])
        for n, dev, addr in ((ns["cli"], i["c"], "203.0.113.2/24"), (ns["dir"], i["i"], "203.0.113.1/24"),
                             (ns["dir"], i["o"], "198.51.100.1/24"), (ns["rs"], i["r"], "198.51.100.2/24")):
            sh("ip", "-n", n, "addr", "add", addr, "dev", dev)
            sh("ip", "-n", n, "link", "set", dev, "up")
        self.mac = {k: self.link(ns[n], i[k])["address"] for k, n in (("c", "cli"), ("i", "dir"), ("o", "dir"), ("r", "rs"))}
        # kernel forwarding: on in the director's namespace only, the VIP routed to the real
        sh("ip", "netns", "exec", ns["dir"], "sysctl", "-qw", "net.ipv4.ip_forward=1")
        sh("ip", "-n", ns["dir"], "route", "add", VIP_ADDR + "/32", "via", "198.51.100.2")
        sh("ip", "-n", ns["dir"], "neigh", "replace", "198.51.100.2", "lladdr", self.mac["r"], "dev", i["o"], "nud", "permanent")
        # the real: VIP on lo, decap program; no route back to the client, so its stack drops
        # the packets early (reverse-path filter) in both modes: the real is not what is measured
        self.cli("realserver", "setup", "--iface", i["r"], "--netns", ns["rs"], "--vip", VIP_ADDR)
        self.cli("vip", "add", VIP)
        self.cli("real", "add", VIP, "198.51.100.2")

    def link(self, ns, dev):
        return json.loads(sh("ip", "-n", ns, "-s", "-j", "link", "show", dev))[0]

    def set_mode(self, mode):
        ns, i = self.ns, self.ifs
        if self.mode == mode:
            return
        if self.mode == "xdp":
            self.cli("detach", "--iface", i["i"], "--netns", ns["dir"])
        elif self.mode == "fwd":
            self.cli("pass", "detach", "--iface", i["i"], "--netns", ns["dir"])
        if mode == "xdp":
            self.cli("attach", "--iface", i["i"], "--netns", ns["dir"], "--egress", i["o"],
                     "--gateway-mac", self.mac["r"], "--src4", "198.51.100.1")
        else:
            self.cli("pass", "attach", "--iface", i["i"], "--netns", ns["dir"])
        self.mode = mode

    def set_threaded(self, on):
        for n, dev in ((self.ns["dir"], self.ifs["i"]), (self.ns["rs"], self.ifs["r"])):
            sh("ip", "netns", "exec", n, "sh", "-c", "echo %d > /sys/class/net/%s/threaded" % (1 if on else 0, dev))

    def napi_thread(self, dev):
        """PID of the NAPI kthread of dev (comm napi/<dev>-<id>, cut at 15 characters)."""
        want = ("napi/%s-" % dev)[:15]
        found = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/comm" % pid) as f:
                    if f.read().strip().startswith(want):
                        found.append(int(pid))
            except OSError:
                pass
        if len(found) != 1:
            raise RuntimeError("expected one NAPI thread for %s, found %s" % (dev, found))
        return found[0]

    def down(self):
        ns, i = self.ns, self.ifs
        for args in (("detach", "--iface", i["i"], "--netns", ns["dir"]),
                     ("pass", "detach", "--iface", i["i"], "--netns", ns["dir"]),
                     ("realserver", "teardown", "--iface", i["r"], "--netns", ns["rs"], "--vip", VIP_ADDR)):
            try:
                self.cli(*args, check=False)
            except Exception:
                pass
        for n in self.created:
            sh("ip", "netns", "del", n, check=False)
        pins = "/sys/fs/bpf/xdplb/" + self.instance
        if os.path.isdir(pins):
            sh("rm", "-rf", pins, check=False)
        sh("rm", "-rf", self.state, check=False)


def ksoftirqd(cpu):
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/comm" % pid) as f:
                    if f.read().strip() == "ksoftirqd/%d" % cpu:
                        return int(pid)
            except OSError:
                pass
    raise RuntimeError("no ksoftirqd/%d" % cpu)


def schedstat_ns(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def counters(topo):
    pins = "/sys/fs/bpf/xdplb/%s/maps/" % topo.instance
    maps = [pins + "decap_stats"]
    if topo.mode == "xdp":
        maps.append(pins + "lb_stats")
    out = json.loads(sh(GEN, "-b", os.path.dirname(GEN), "counters", *maps))
    return {os.path.basename(k): v for k, v in out.items()}


def snmp_forwarded(ns):
    text = sh("ip", "netns", "exec", ns, "cat", "/proc/net/snmp")
    lines = [l.split() for l in text.splitlines() if l.startswith("Ip:")]
    return int(dict(zip(lines[0][1:], lines[1][1:]))["ForwDatagrams"])


def netstat(ns, group, name):
    text = sh("ip", "netns", "exec", ns, "cat", "/proc/net/netstat")
    lines = [l.split() for l in text.splitlines() if l.startswith(group + ":")]
    return int(dict(zip(lines[0][1:], lines[1][1:])).get(name, 0))


def snapshot(topo, napi_pid):
    ns, i = topo.ns, topo.ifs
    c = counters(topo)
    s = {
        "decap": c["decap_stats"],
        "lb": c.get("lb_stats"),
        "fwd": snmp_forwarded(ns["dir"]),
        "c_tx_dropped": topo.link(ns["cli"], i["c"])["stats64"]["tx"]["dropped"],
        "o_tx_dropped": topo.link(ns["dir"], i["o"])["stats64"]["tx"]["dropped"],
        "i_rx": topo.link(ns["dir"], i["i"])["stats64"]["rx"]["packets"],
        "napi_ns": schedstat_ns(napi_pid) if napi_pid else 0,
        "ksoftirqd_ns": schedstat_ns(ksoftirqd(GEN_CPU)),
        "rs_rp_filter": netstat(ns["rs"], "TcpExt", "IPReversePathFilter"),
    }
    return s


def run(topo, method, frames):
    threaded = method == "split"
    topo.set_threaded(threaded)
    napi = None
    if threaded:
        napi = topo.napi_thread(topo.ifs["i"])
        sh("taskset", "-p", "-c", str(DIRECTOR_CPU), str(napi))
        sh("taskset", "-p", "-c", str(GEN_CPU), str(topo.napi_thread(topo.ifs["r"])))
    time.sleep(0.2)
    before = snapshot(topo, napi)
    g = json.loads(sh(GEN, "-b", os.path.dirname(GEN), "gen", "--netns", topo.ns["cli"], "--iface", topo.ifs["c"],
                      "--src-mac", topo.mac["c"], "--dst-mac", topo.mac["i"], "--src", "203.0.113.2",
                      "--dst", VIP_ADDR, "--dport", "9", "--flows", "1024", "--frames", str(frames),
                      "--cpu", str(GEN_CPU)))
    time.sleep(0.3)  # let the rings drain
    after = snapshot(topo, napi)
    d = lambda k: after[k] - before[k]
    decap = [a - b for a, b in zip(after["decap"], before["decap"])]
    real = decap[1] if topo.mode == "xdp" else decap[0]  # IPIP4 stripped / passed as is
    refused_in = d("c_tx_dropped")
    refused_real = d("o_tx_dropped")
    if topo.mode == "xdp":
        lb = [a - b for a, b in zip(after["lb"], before["lb"])]
        seen = sum(lb[0:10]) + lb[13] + lb[15]  # the verdict reasons: exactly one per frame
        forwarded = lb[2] + lb[3]
        director_drops = seen - forwarded
    else:
        seen = d("i_rx")
        forwarded = d("fwd")
        director_drops = seen - forwarded
    secs = g["ns"] / 1e9
    r = {
        "method": method, "mode": topo.mode, "frames": frames, "seconds": secs,
        "generated_mpps": frames / secs / 1e6,
        "refused_by_director_ring": refused_in, "seen_by_director": seen, "forwarded": forwarded,
        "director_drops": director_drops, "refused_by_real_ring": refused_real, "arrived_at_real": real,
        "delivered_mpps": real / secs / 1e6,
        "accounted": refused_in + seen == frames and forwarded == real + refused_real,
        "real_stack_rp_filter_drops": d("rs_rp_filter"),
    }
    if not threaded:
        # everything ran on the generator's core: its thread (softirqs included) and that core's ksoftirqd
        cpu = (g["cpu_ns"] + d("ksoftirqd_ns")) / 1e9
        r["core_cpu_seconds"] = cpu
        r["core_busy"] = cpu / secs
        r["core_ns_per_packet"] = cpu * 1e9 / real if real else None
        r["mpps_per_core"] = real / cpu / 1e6 if cpu else None
    if threaded:
        cpu = d("napi_ns") / 1e9
        r["director_cpu_seconds"] = cpu
        r["director_cpu_busy"] = cpu / secs
        r["director_ns_per_packet"] = cpu * 1e9 / forwarded if forwarded else None
        r["director_mpps_per_core"] = forwarded / cpu / 1e6 if cpu else None
    return r


def map_memory(topo):
    pins = "/sys/fs/bpf/xdplb/%s/maps" % topo.instance
    out = {}
    for m in sorted(os.listdir(pins)):
        info = json.loads(sh("bpftool", "-j", "map", "show", "pinned", os.path.join(pins, m)))
        out[m] = {"type": info.get("type"), "max_entries": info.get("max_entries"),
                  "bytes_memlock": info.get("bytes_memlock")}
    return out


def main():
    # a SIGTERM (or a Ctrl-C) still runs the clean-up of the finally blocks
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("%s: terminated" % os.path.basename(__file__)))
    if len(sys.argv) != 2:
        sys.exit("usage: live.py OUT.json")
    if os.cpu_count() < 2:
        sys.exit("live.py: needs two CPUs")
    topo = Topology()
    result = {"runs": [], "frame_bytes": 60, "flows": 1024, "rounds": ROUNDS}
    try:
        topo.up()
        for rnd in range(ROUNDS):
            for mode in (("fwd", "xdp") if rnd % 2 == 0 else ("xdp", "fwd")):
                topo.set_mode(mode)
                if mode == "xdp" and "maps" not in result:
                    result["maps"] = map_memory(topo)
                for method, frames in (("one_core", ONE_CORE_FRAMES), ("split", SPLIT_FRAMES)):
                    r = run(topo, method, frames)
                    r["round"] = rnd
                    result["runs"].append(r)
                    print("live: round %d %-4s %-8s generated %.2f Mpps, delivered %.3f Mpps%s%s" % (
                        rnd, mode, method, r["generated_mpps"], r["delivered_mpps"],
                        ", director %.0f ns/packet (%.0f%% busy)" % (r["director_ns_per_packet"], 100 * r["director_cpu_busy"])
                        if r.get("director_ns_per_packet") else
                        ", core %.0f ns/packet, %.3f Mpps per core (%.0f%% busy)" % (
                            r["core_ns_per_packet"], r["mpps_per_core"], 100 * r["core_busy"])
                        if r.get("core_ns_per_packet") else "",
                        "" if r["accounted"] else "  NOT ACCOUNTED"), file=sys.stderr)
    finally:
        topo.down()
    with open(sys.argv[1], "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
