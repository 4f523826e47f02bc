#!/usr/bin/python3
"""Health-check benchmark of `make bench` (issue 10): `xdplb agent` checking 1,000 reals
(100 IPv6 VIPs x 10 real servers each, every pair checked on its own: HTTP GET through the 6in6
tunnel, every second) in the netns lab
(netns-testenv/up.sh, prefix hcb, 10 real namespaces), measured as a user would with ps/top:

  cpu    the agent's CPU time (utime + stime of every thread, /proc/PID/stat) over a window
         with every real up, as a share of one core; the kernel work done in the agent's own
         syscalls (its side of 1,000 TCP connections a second) is part of it. On veths, a
         packet sent is received in the sender's own softirq, so the router's, the reals' and
         the director's receive work would be charged to the agent too (this kernel has no IRQ
         time accounting); as a NIC's interrupts would, threaded NAPI on the director's eth0
         and on the router's port facing it takes that work off the sender. What those NAPI
         threads spent is reported beside it (lab_napi_share: the whole lab's packet work for
         the probes, the director's receive included).
  rss    VmRSS of the agent at the end of the window, and VmHWM (its peak since start)
  down   one real server made unreachable (a blackhole route for its address in the router):
         seconds until the agent has logged it down in every one of its 100 VIPs; the issue's
         bound is interval x fall + 1 s = 4 s
  up     the route removed again: seconds until it is up in all 100 (interval x rise + 1 s = 3 s)

Each real server's namespace has xdplb's decap program and the 100 VIPs on lo; one small epoll
server (bench/hcserver.c) answers on [::]:8080 for all of them. The agent runs with the
same launcher and JVM options as `./xdplb agent` and the systemd unit.

Both an HTTP check (GET /, status 200-399) and a TCP check (connect) are measured, each in a lab
of its own. Writes OUT.json, OUT.md (the section of docs/benchmarks.md) and each agent's log.

Usage: healthcheck.py OUT.json [WINDOW_SECONDS]   (as root, from the repository, after make build)
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
XDPLB = os.path.join(REPO, "xdplb")
HCSERVER = os.path.join(REPO, "build", "bench", "hcserver")
PREFIX, REALS, VIPS, PORT = "hcb", 10, 100, 8080
INTERVAL_S, FALL, RISE = 1, 3, 2
VICTIM = 3                               # real server 3, in all of its VIPs
METRICS = "127.0.0.1:9597"
KINDS = ("http", "tcp")                  # an HTTP GET per check; a TCP connect per check


def sh(*args, check=True, env=None, input=None):
    r = subprocess.run(list(args), capture_output=True, text=True, env=env, input=input)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr.strip() or r.stdout.strip()))
    return r.stdout


def vip(v):
    return "2001:db8:f::%x" % v


def ns_rs(k):
    return "%s-rs%d" % (PREFIX, k)


def real(k):  # the real namespace's address on the server LAN (netns-testenv/lib.sh real6)
    return "2001:db8:1::%d" % (10 + k)  # written in decimal, as lib.sh does


class Lab:
    def __init__(self, kind):
        self.kind = kind
        self.state = tempfile.mkdtemp(prefix="xdplb-hcbench-state-")
        self.env = dict(os.environ, XDPLB_STATE_DIR=self.state, XDPLB_TESTENV=PREFIX, REALS=str(REALS))
        self.servers, self.agent, self.lines = [], None, []
        self.lock = threading.Condition()

    def cli(self, *args):
        return sh(XDPLB, "--instance", PREFIX, *args, env=self.env)

    def up(self):
        sh(os.path.join(REPO, "netns-testenv", "up.sh"), env=self.env)
        for k in range(1, REALS + 1):
            self.servers.append(subprocess.Popen(["ip", "netns", "exec", ns_rs(k), HCSERVER, str(PORT)],
                                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        config = {
            "version": 1,
            # small rings and tables: the maps' size is not what is measured
            "sizes": {"maxVips": 128, "maxReals": 2048, "ringSize": 1021, "connTableSize": 4096},
            "director": {"iface": "eth0", "netns": PREFIX + "-dir", "mode": "native"},
            "vips": [{
                "vip": "[%s]:%d/tcp" % (vip(v), PORT), "encap": "ipip",
                "reals": [{"address": real(k)} for k in range(1, REALS + 1)],
                "check": {"kind": self.kind, **({"path": "/"} if self.kind == "http" else {}), "interval": "%ds" % INTERVAL_S, "timeout": "1s",
                          "rise": RISE, "fall": FALL},
            } for v in range(1, VIPS + 1)],
            "realservers": [{"iface": "eth0", "netns": ns_rs(k), "vips": [vip(v) for v in range(1, VIPS + 1)]}
                            for k in range(1, REALS + 1)],
        }
        path = os.path.join(self.state, "hcbench.json")
        with open(path, "w") as f:
            json.dump(config, f)
        t0 = time.monotonic()
        self.cli("apply", "-f", path)
        return time.monotonic() - t0

    def thread_napi(self):
        """Threaded NAPI on the director's link, both ends; returns the pids of their threads."""
        before = set(napi_threads())
        for ns, dev in ((PREFIX + "-dir", "eth0"), (PREFIX + "-router", "d-dir")):
            sh("ip", "netns", "exec", ns, "sh", "-c", "echo 1 > /sys/class/net/%s/threaded" % dev)
        return sorted(set(napi_threads()) - before)

    def start_agent(self):
        self.agent = subprocess.Popen([XDPLB, "--instance", PREFIX, "agent", "--metrics", METRICS],
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=self.env)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.agent.stdout:
            with self.lock:
                self.lines.append((time.monotonic(), line.rstrip("\n")))
                self.lock.notify_all()

    def wait_lines(self, pattern, count, since, timeout):
        """The monotonic time of the count-th agent line after since that matches pattern."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                seen = [t for t, line in self.lines if t >= since and rx.search(line)]
                if len(seen) >= count:
                    return seen[count - 1]
                left = deadline - time.monotonic()
                if left <= 0 or self.agent.poll() is not None:
                    tail = "\n".join(l for _, l in self.lines[-10:])
                    raise RuntimeError("the agent did not log /%s/ %d times within %d s; its last lines:\n%s"
                                       % (pattern, count, timeout, tail))
                self.lock.wait(min(left, 1))

    def count_lines(self, pattern):
        rx = re.compile(pattern)
        with self.lock:
            return sum(1 for _, l in self.lines if rx.search(l))

    def java_pid(self):
        # ./xdplb execs java: the launcher's pid is the JVM's
        return self.agent.pid

    def down(self):
        if self.agent and self.agent.poll() is None:
            self.agent.terminate()
            try:
                self.agent.wait(20)
            except subprocess.TimeoutExpired:
                self.agent.kill()
        for s in self.servers:
            s.kill()
            s.wait()
        sh(XDPLB, "--instance", PREFIX, "detach", check=False, env=self.env)
        for k in range(1, REALS + 1):
            sh(XDPLB, "--instance", PREFIX, "realserver", "teardown", "--iface", "eth0", "--netns", ns_rs(k),
               check=False, env=self.env)
        sh(os.path.join(REPO, "netns-testenv", "down.sh"), check=False, env=self.env)
        sh("rm", "-rf", self.state, check=False)


def napi_threads():
    pids = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/comm" % pid) as f:
                    if f.read().startswith("napi/"):
                        pids.append(int(pid))
            except OSError:
                pass
    return pids


def cpu_times(path):
    """utime and stime of a /proc stat file, in seconds."""
    with open(path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def thread_times(pid):
    """CPU seconds of each of the process's threads, by name (threads of one name summed)."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                name = re.sub(r"[-#]?\d+$", "", f.read().strip())
            u, s = cpu_times("/proc/%d/task/%s/stat" % (pid, tid))
        except OSError:
            continue
        out[name] = out.get(name, 0) + u + s
    return out


def thread_named(pid, name):
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                if f.read().strip() == name:
                    return int(tid)
        except OSError:
            continue
    return None


def where_time_goes(pid, seconds=10):
    """perf's view of the health-check thread (when perf is installed): the share of its samples in
    the kernel, and the kernel functions with the most samples."""
    import shutil
    tid = thread_named(pid, "health-checks")
    if not shutil.which("perf") or tid is None:
        return None
    with tempfile.TemporaryDirectory() as d:
        data = os.path.join(d, "perf.data")
        r = subprocess.run(["perf", "record", "-q", "-F", "499", "-t", str(tid), "-o", data, "--", "sleep", str(seconds)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None
        rep = lambda key: subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", key],
                                         capture_output=True, text=True).stdout
        rows = lambda text: [(float(m.group(1)), m.group(2).strip()) for m in
                             (re.match(r"\s+([\d.]+)%\s+(.*)", l) for l in text.splitlines() if not l.startswith("#")) if m]
        kernel = sum(p for p, what in rows(rep("dso")) if what.startswith("[kernel"))
        top = [(p, what.replace("[k] ", "")) for p, what in rows(rep("sym")) if what.startswith("[k]")][:4]
    return {"kernel_share": round(kernel / 100, 3), "top_kernel": [[round(p / 100, 3), w] for p, w in top]}


def status_kib(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def times_of(lab, pattern, count, since, timeout):
    """Seconds after since of the first count agent lines matching pattern: first, median, last."""
    last = lab.wait_lines(pattern, count, since, timeout)
    with lab.lock:
        seen = sorted(t - since for t, l in lab.lines if t >= since and t <= last and re.search(pattern, l))[:count]
    return {"first": round(seen[0], 2), "median": round(seen[len(seen) // 2], 2), "last": round(seen[-1], 2)}


def scenario(kind, window, log_path):
    """One lab, one agent checking every real with kind ("http" or "tcp"); what was measured."""
    lab = Lab(kind)
    r = {"kind": kind}
    try:
        r["apply_s"] = round(lab.up(), 2)
        napi = lab.thread_napi()
        if len(napi) != 2:
            raise RuntimeError("expected 2 NAPI threads for the director's link, found %s" % napi)
        started = time.monotonic()
        lab.start_agent()
        pid = lab.java_pid()
        # every real comes up after `rise` passed checks
        deadline = started + 120
        while lab.count_lines(r"^(\S+ )?real \S+ of VIP \S+ is up") < REALS * VIPS:
            if time.monotonic() > deadline or lab.agent.poll() is not None:
                raise RuntimeError("only %d of %d reals came up within 120 s" %
                                   (lab.count_lines(r"is up"), REALS * VIPS))
            time.sleep(0.2)
        r["all_up_s"] = round(time.monotonic() - started, 2)
        time.sleep(5)  # let start-up (JIT, first allocations) settle: the steady state is measured
        stat = "/proc/%d/stat" % pid
        napi_cpu = lambda: sum(sum(cpu_times("/proc/%d/stat" % p)) for p in napi)
        (u0, s0), th0, n0, t0 = cpu_times(stat), thread_times(pid), napi_cpu(), time.monotonic()
        time.sleep(window)
        (u1, s1), th1, n1, t1 = cpu_times(stat), thread_times(pid), napi_cpu(), time.monotonic()
        r["cpu_share"] = round((u1 - u0 + s1 - s0) / (t1 - t0), 4)
        r["cpu_share_user"] = round((u1 - u0) / (t1 - t0), 4)
        r["cpu_share_system"] = round((s1 - s0) / (t1 - t0), 4)
        r["lab_napi_share"] = round((n1 - n0) / (t1 - t0), 4)
        # where it went, by thread (names as the JVM gives them), the busiest first
        busy = {n: (th1.get(n, 0) - th0.get(n, 0)) / (t1 - t0) for n in th1}
        r["cpu_share_by_thread"] = {n: round(v, 4) for n, v in sorted(busy.items(), key=lambda e: -e[1]) if v > 0}
        r["rss_mib"] = round(status_kib(pid, "VmRSS") / 1024, 1)
        r["rss_peak_mib"] = round(status_kib(pid, "VmHWM") / 1024, 1)
        r["threads"] = status_kib(pid, "Threads")
        r["perf"] = where_time_goes(pid)
        scrape = sh("curl", "-s", "--max-time", "10", "http://%s/metrics" % METRICS)
        r["metrics_series"] = sum(1 for l in scrape.splitlines() if l and not l.startswith("#"))

        victim = real(VICTIM)
        t = time.monotonic()
        sh("ip", "-n", PREFIX + "-router", "-6", "route", "add", "blackhole", victim + "/128")
        r["down_s"] = times_of(lab, r"real %s of VIP \S+ is down" % re.escape(victim), VIPS, t, 30)
        t = time.monotonic()
        sh("ip", "-n", PREFIX + "-router", "-6", "route", "del", "blackhole", victim + "/128")
        r["up_s"] = times_of(lab, r"real %s of VIP \S+ is up" % re.escape(victim), VIPS, t, 30)
        # no other real may have been judged down meanwhile (nor any before)
        r["other_reals_down"] = lab.count_lines(r" is down") - VIPS
    finally:
        lab.down()
        with open(log_path, "w") as f:  # what the agent said, to read afterwards
            f.write("".join(l + "\n" for _, l in lab.lines))
    down_bound, up_bound = INTERVAL_S * FALL + 1, INTERVAL_S * RISE + 1
    r["met"] = {"cpu_share": r["cpu_share"] <= 0.05, "rss_mib": r["rss_mib"] <= 200,
                "down_s": r["down_s"]["last"] <= down_bound, "up_s": r["up_s"]["last"] <= up_bound}
    return r


def markdown(res):
    """The section of docs/benchmarks.md (bench/report.py puts it before "## Memory")."""
    pct = lambda x: "%.1f%%" % (100 * x)
    yes = lambda b: "met" if b else "**missed**"
    L = ["## Health checks: 1,000 reals", "",
         "`xdplb agent` checking %d reals (%d IPv6 VIPs x %d real servers, every pair on its own, through the 6in6 "
         "tunnel) every %d s (timeout 1 s, fall %d, rise %d), in the netns lab (bench/healthcheck.py). CPU is the "
         "agent process's utime + stime over %d s with every real up, as a share of one core; the NAPI threads of the "
         "director's link carry the lab's packet work for the probes (router, reals, the director's receive), reported "
         "beside it. Down/up: one real server made unreachable (a blackhole route in the router) and back; seconds until "
         "the agent logged it in the first, the median and the last of its %d VIPs."
         % (res["reals"], VIPS, REALS, INTERVAL_S, FALL, RISE, res["window_s"], VIPS), "",
         "| check | agent CPU (user + system) | lab NAPI threads | RSS (peak) | down: first / median / last | up: first / median / last |",
         "| --- | --- | --- | --- | --- | --- |"]
    for r in res["scenarios"]:
        L.append("| %s | %s (%s + %s) | %s | %.0f MiB (%.0f) | %.2f / %.2f / %.2f s | %.2f / %.2f / %.2f s |" % (
            r["kind"], pct(r["cpu_share"]), pct(r["cpu_share_user"]), pct(r["cpu_share_system"]), pct(r["lab_napi_share"]),
            r["rss_mib"], r["rss_peak_mib"], r["down_s"]["first"], r["down_s"]["median"], r["down_s"]["last"],
            r["up_s"]["first"], r["up_s"]["median"], r["up_s"]["last"]))
    L += ["", "Targets (issue 10): CPU <= 5%% of a core, RSS <= 200 MiB, a failed real acted on within interval x fall + 1 s "
          "= %d s (and back within interval x rise + 1 s = %d s), judged on the last of the %d VIPs:" %
          (INTERVAL_S * FALL + 1, INTERVAL_S * RISE + 1, VIPS), ""]
    for r in res["scenarios"]:
        m = r["met"]
        L.append("- %s: CPU %s, RSS %s, down %s, up %s; other reals judged down: %d" % (
            r["kind"], yes(m["cpu_share"]), yes(m["rss_mib"]), yes(m["down_s"]), yes(m["up_s"]), r["other_reals_down"]))
    L += ["", "Down, by construction: the first failed check of a real may start up to one interval after the failure, "
          "and the last of %d checks then ends %d x %d s later (timeout = interval), so the last of %d VIPs lands just under "
          "the bound; the agent's own delays (timers that fire late by up to the 4 ms batching, a batch of results "
          "written to the maps before it is logged) are what the last VIP shows above %d s (%s)." % (
              FALL, FALL, INTERVAL_S, VIPS, INTERVAL_S * FALL + 1,
              ", ".join("%s: %+.0f ms" % (r["kind"], 1000 * (r["down_s"]["last"] - INTERVAL_S * FALL - 1)) for r in res["scenarios"]))]
    perf = [(r["kind"], r["perf"]) for r in res["scenarios"] if r.get("perf")]
    if perf:
        L += ["", "Where the health-check thread's time goes (perf record of that thread, 10 s): %s. Most of the CPU share "
              "above is the kernel's work for the probes themselves (a socket and a TCP connection each: allocations, "
              "the choice of a local port, the tc tunnel program, the veth transmit of every packet) and the loop's "
              "wake-ups (finish_task_switch); the agent's own code is the rest. On this virtual machine a context "
              "switch and a timer cost more than on bare metal." %
              "; ".join("%s: %s of the samples in the kernel, the most in %s" % (
                  k, pct(p["kernel_share"]), ", ".join("%s (%s)" % (w, pct(share)) for share, w in p["top_kernel"]))
                  for k, p in perf)]
    return "\n".join(L) + "\n"


def main():
    out = sys.argv[1]
    window = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    base = os.path.splitext(out)[0]
    res = {"reals": REALS * VIPS, "vips": VIPS, "interval_s": INTERVAL_S, "fall": FALL, "rise": RISE, "window_s": window,
           "scenarios": [scenario(kind, window, "%s-%s-agent.log" % (base, kind)) for kind in KINDS]}
    with open(out, "w") as f:
        json.dump(res, f, indent=2)
    with open(base + ".md", "w") as f:
        f.write(markdown(res))
    print(markdown(res))


if __name__ == "__main__":
    main()
