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
ring (counted by the veth).

The SYN flood (after the rounds; split layout): the director attached with
--conn-table-size FLOOD_TABLE and --flood-threshold as given (the default, 125000, and 0 = flood
mode off, for contrast); 10,000 established flows (TCP ACKs from 203.0.113.2, ports
10000-19999) sent until every one is in the director's connection table (xdplb dump); then
FLOOD_SYNS TCP SYNs from random sources (203.0.113.128-255, random ports); then xdplb dump
again: how many of the 10,000 are still there. Director Mpps during the flood and every frame
accounted for as above. Usage: live.py OUT.json (as root, from the repository).
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
VIP_ADDR, VIP, TCP_VIP = "192.0.2.10", "192.0.2.10:9/udp", "192.0.2.10:80/tcp"  # TCP: the flood scenario
ONE_CORE_FRAMES, SPLIT_FRAMES, ROUNDS = 1_000_000, 3_000_000, 5
FLOOD_ESTABLISHED, FLOOD_SYNS, FLOOD_TABLE, FLOOD_PASSES = 10_000, 1_000_000, 262_144, 3
CLIENT_ADDR, SPORT_BASE = "203.0.113.2", 10000
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
        for v in (VIP, TCP_VIP):
            self.cli("vip", "add", v)
            self.cli("real", "add", v, "198.51.100.2")

    def link(self, ns, dev):
        return json.loads(sh("ip", "-n", ns, "-s", "-j", "link", "show", dev))[0]

    def set_mode(self, mode, attach_args=()):
        ns, i = self.ns, self.ifs
        if self.mode == mode and not attach_args:
            return
        if self.mode == "xdp":
            self.cli("detach", "--iface", i["i"], "--netns", ns["dir"])
        elif self.mode == "fwd":
            self.cli("pass", "detach", "--iface", i["i"], "--netns", ns["dir"])
        if mode == "xdp":
            self.cli("attach", "--iface", i["i"], "--netns", ns["dir"], "--egress", i["o"],
                     "--gateway-mac", self.mac["r"], "--src4", "198.51.100.1", *attach_args)
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


def gen(topo, frames, *args):
    return json.loads(sh(GEN, "-b", os.path.dirname(GEN), "gen", "--netns", topo.ns["cli"], "--iface", topo.ifs["c"],
                         "--src-mac", topo.mac["c"], "--dst-mac", topo.mac["i"], "--src", CLIENT_ADDR,
                         "--dst", VIP_ADDR, "--frames", str(frames), "--cpu", str(GEN_CPU), *args))


def run(topo, method, frames, gen_args=("--dport", "9", "--flows", "1024")):
    threaded = method == "split"
    topo.set_threaded(threaded)
    napi = None
    if threaded:
        napi = topo.napi_thread(topo.ifs["i"])
        sh("taskset", "-p", "-c", str(DIRECTOR_CPU), str(napi))
        sh("taskset", "-p", "-c", str(GEN_CPU), str(topo.napi_thread(topo.ifs["r"])))
    time.sleep(0.2)
    before = snapshot(topo, napi)
    g = gen(topo, frames, *gen_args)
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
        r_lb = {"conn_hit": lb[10], "conn_miss": lb[11], "ring_used": lb[12],
                "flood_bypass": lb[16] if len(lb) > 16 else 0}
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
    if topo.mode == "xdp":
        r["lb"] = r_lb
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


def established_in_table(topo):
    """Of the FLOOD_ESTABLISHED flows, how many the director's tables hold (xdplb dump), and all entries."""
    ct = json.loads(topo.cli("dump", "conn_table", "--limit", str(4 * FLOOD_TABLE)))["conn_table"]
    want = {"%s:%d" % (CLIENT_ADDR, SPORT_BASE + n) for n in range(FLOOD_ESTABLISHED)}
    have = {f["client"] for f in ct["flows"] if f["client"] in want}
    return len(have), len(ct["flows"])


def flood(topo, threshold, method):
    """The SYN-flood scenario with this --flood-threshold; see the module's docstring."""
    topo.set_mode("xdp", ("--conn-table-size", str(FLOOD_TABLE), "--flood-threshold", str(threshold)))
    before = entries_before = passes = 0
    if method == "one_core":
        # the established flows, every one into the table of the core that runs the whole path
        # (no frame is refused in this layout; a pass is repeated if one was)
        while passes < FLOOD_PASSES and before < FLOOD_ESTABLISHED:
            run(topo, "one_core", FLOOD_ESTABLISHED, ("--dport", "80", "--flows", str(FLOOD_ESTABLISHED),
                                                     "--sport-base", str(SPORT_BASE), "--tcp-flags", "0x10"))
            passes += 1
            before, entries_before = established_in_table(topo)
    r = run(topo, method, FLOOD_SYNS, ("--dport", "80", "--tcp-flags", "0x02", "--random-src", "1"))
    after, entries_after = established_in_table(topo)
    r.update({"flood_threshold": threshold, "table_per_cpu": FLOOD_TABLE, "established_passes": passes,
              "established_before": before, "established_after": after, "evicted": before - after,
              "entries_before": entries_before, "entries_after": entries_after})
    return r


def map_memory(topo):
    pins = "/sys/fs/bpf/xdplb/%s/maps" % topo.instance
    out = {}
    for m in sorted(os.listdir(pins)):
        info = json.loads(sh("bpftool", "-j", "map", "show", "pinned", os.path.join(pins, m)))
        out[m] = {"type": info.get("type"), "max_entries": info.get("max_entries"),
                  "bytes_memlock": info.get("bytes_memlock")}
        if m == "conn_table":
            # the per-CPU tables are held by the array, not pinned: by id
            for e in json.loads(sh("bpftool", "-j", "map", "dump", "pinned", os.path.join(pins, m))):
                cpu = int.from_bytes(bytes(int(b, 16) for b in e["key"]), "little") if isinstance(e["key"], list) else e["key"]
                inner_id = e["value"] if isinstance(e["value"], int) else int.from_bytes(bytes(int(b, 16) for b in e["value"]), "little")
                i = json.loads(sh("bpftool", "-j", "map", "show", "id", str(inner_id)))
                out["conn_table[CPU %d]" % cpu] = {"type": i.get("type"), "max_entries": i.get("max_entries"),
                                                   "bytes_memlock": i.get("bytes_memlock")}
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
        result["flood"] = []
        for threshold, method in ((125000, "one_core"), (0, "one_core"), (125000, "split")):
            r = flood(topo, threshold, method)
            r["method"] = method
            result["flood"].append(r)
            print("live: SYN flood, --flood-threshold %d, %s: %d SYNs, %d seen by the director, %.3f Mpps %s, "
                  "%d of %d established flows evicted, %d new flows not inserted%s" % (
                      threshold, method, r["frames"], r["seen_by_director"],
                      r.get("mpps_per_core") or r.get("director_mpps_per_core") or 0,
                      "per core (whole path)" if method == "one_core" else "per director core",
                      r["evicted"], r["established_before"], r["lb"]["flood_bypass"],
                      "" if r["accounted"] else "  NOT ACCOUNTED"), file=sys.stderr)
    finally:
        topo.down()
    with open(sys.argv[1], "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
