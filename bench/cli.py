#!/usr/bin/python3
"""Control-plane wall times of `make bench` (bench only): the one-shot CLI against the JVM's
own start, JDK 25's AOT cache, and `xdplb apply -f` of 256 VIPs x 16 reals with a director
attached in a network namespace made here and removed after.

Wall times are medians of repeated runs (time.perf_counter around the whole process, after
two unmeasured runs); peak RSS is GNU time's "maximum resident set size".
Usage: cli.py OUT.json (as root, from the repository, after `make build`).
"""
import json
import os
import random
import signal
import re
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
XDPLB = os.path.join(REPO, "xdplb")
JAR = os.path.join(REPO, "control-plane", "target", "xdplb.jar")
WORK = os.path.join(REPO, "build", "bench")
RUNS = 15


def sh(*args, check=True, env=None):
    r = subprocess.run(list(args), capture_output=True, text=True, env=env)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr.strip() or r.stdout.strip()))
    return r


def java_home():
    return sh(os.path.join(REPO, "scripts", "find-jdk")).stdout.strip()


def launcher_flags():
    """The JVM options of ./xdplb, read from the launcher so that the comparison stays fair."""
    text = open(XDPLB).read()
    m = re.search(r'exec "\$java_home/bin/java" (.*?) -jar', text, re.S)
    if not m:
        raise RuntimeError("cannot find the java command line in ./xdplb")
    # the launcher's optional AOT cache ("${aot[@]}") is measured separately below
    return [f for f in m.group(1).replace("\\\n", " ").split() if "${" not in f]


def timed_interleaved(cmds, env, runs=RUNS):
    """timed() for several commands, run round-robin so that a slow moment of the machine
    hits them all alike."""
    walls = {k: [] for k in cmds}
    for k, c in cmds.items():
        for _ in range(2):
            sh(*c, env=env)
    for _ in range(runs):
        for k, c in cmds.items():
            t0 = time.perf_counter()
            sh(*c, env=env)
            walls[k].append((time.perf_counter() - t0) * 1000)
    out = {}
    for k, w in walls.items():
        q = statistics.quantiles(w, n=4)
        out[k] = {"median_ms": statistics.median(w), "p25_ms": q[0], "p75_ms": q[2], "min_ms": min(w),
                  "runs": runs, "peak_rss_kb": peak_rss(cmds[k], env), "command": " ".join(cmds[k][:1] + cmds[k][1:])}
    return out


def peak_rss(cmd, env=None):
    r = sh("/usr/bin/time", "-v", *cmd, env=env)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    return int(m.group(1)) if m else None


def main():
    # a SIGTERM (or a Ctrl-C) still runs the clean-up of the finally blocks
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("%s: terminated" % os.path.basename(__file__)))
    if len(sys.argv) != 2:
        sys.exit("usage: cli.py OUT.json")
    jh = java_home()
    java = os.path.join(jh, "bin", "java")
    flags = launcher_flags()
    os.makedirs(WORK, exist_ok=True)
    out = {"java": sh(java, "-version").stderr.splitlines()[0], "launcher_flags": flags}

    hello_dir = os.path.join(WORK, "hello")
    os.makedirs(hello_dir, exist_ok=True)
    with open(os.path.join(hello_dir, "Hello.java"), "w") as f:
        f.write('public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n')
    sh(os.path.join(jh, "bin", "javac"), "-d", hello_dir, os.path.join(hello_dir, "Hello.java"))

    tok = "%04x" % random.randrange(0x10000)
    inst, ns = "bench-cli-%s" % tok, "xlbb%s-apply" % tok
    state = tempfile.mkdtemp(prefix="xdplb-bench-state-")
    env = dict(os.environ, XDPLB_STATE_DIR=state)
    aot = os.path.join(WORK, "xdplb.aot")
    created_ns = False
    try:
        # one VIP, so that `vip list` has something to print
        sh(XDPLB, "--instance", inst, "vip", "add", "192.0.2.10:80/tcp", env=env)
        sh(XDPLB, "--instance", inst, "real", "add", "192.0.2.10:80/tcp", "198.51.100.2", env=env)
        direct = [java] + flags + ["-jar", JAR, "--instance", inst, "vip", "list"]
        # JDK 25 AOT cache (JEP 483/514): one training run of the same command writes it; it
        # replaces the default CDS archive, so -Xshare:auto goes
        noshare = [f for f in flags if not f.startswith("-Xshare")]
        aot_cmd = [java, "-XX:AOTCache=" + aot] + noshare + ["-jar", JAR, "--instance", inst, "vip", "list"]
        if os.path.exists(aot):
            os.remove(aot)
        r = sh(*([java, "-XX:AOTCacheOutput=" + aot] + aot_cmd[2:]), env=env, check=False)
        cmds = {
            "hello_world_launcher_flags": [java] + flags + ["-cp", hello_dir, "Hello"],
            "hello_world_default_flags": [java, "-cp", hello_dir, "Hello"],
            "vip_list_launcher": [XDPLB, "--instance", inst, "vip", "list"],
            "vip_list_java": direct,
        }
        if r.returncode == 0 and os.path.exists(aot):
            out["aot_cache_bytes"] = os.path.getsize(aot)
            cmds["vip_list_java_aot"] = aot_cmd
        else:
            out["aot_error"] = (r.stderr or r.stdout).strip()[-500:]
        out.update(timed_interleaved(cmds, env))

        # apply -f: 256 VIPs x 16 reals, director attached in a namespace of our own
        sh("ip", "netns", "add", ns)
        created_ns = True
        sh("ip", "-n", ns, "link", "add", "b%sa" % tok, "type", "veth", "peer", "name", "b%sb" % tok)
        sh("ip", "-n", ns, "addr", "add", "192.0.2.254/24", "dev", "b%sa" % tok)
        for dev in ("lo", "b%sa" % tok, "b%sb" % tok):
            sh("ip", "-n", ns, "link", "set", dev, "up")
        vips = []
        for i in range(256):
            reals = []
            for j in range(16):
                k = (i * 16 + j) % 508
                reals.append({"address": "198.51.100.%d" % (k + 1) if k < 254 else "203.0.113.%d" % (k - 253)})
            vips.append({"vip": "192.0.2.%d:%d/tcp" % (1 + i % 128, 80 if i < 128 else 443), "reals": reals})
        cfg = {"version": 1, "sizes": {"maxVips": 256},
               "director": {"iface": "b%sa" % tok, "netns": ns, "gatewayMac": "02:00:5e:00:00:02",
                            "src4": "192.0.2.254"},
               "vips": vips}
        cfg_path = os.path.join(state, "apply-256x16.json")
        with open(cfg_path, "w") as f:
            json.dump(cfg, f)
        inst2 = inst + "a"
        applies = []
        for _ in range(3):
            t0 = time.perf_counter()
            r = sh("/usr/bin/time", "-v", XDPLB, "--instance", inst2, "apply", "-f", cfg_path, env=env)
            wall = (time.perf_counter() - t0) * 1000
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
            applies.append({"wall_ms": wall, "peak_rss_kb": int(m.group(1)) if m else None})
            # back to nothing attached, for the next run
            sh(XDPLB, "--instance", inst2, "detach", "--iface", "b%sa" % tok, "--netns", ns, env=env)
            with open(os.path.join(state, inst2, "config.json"), "w") as f:
                json.dump({"version": 1}, f)
        out["apply_256x16_cli"] = {
            "median_ms": statistics.median(a["wall_ms"] for a in applies),
            "runs": [a["wall_ms"] for a in applies],
            "peak_rss_kb": max(a["peak_rss_kb"] or 0 for a in applies),
            "what": "xdplb apply -f of 256 VIPs x 16 reals (ring 65537, maxVips 256) onto an empty instance: "
                    "JVM start, load of the director object, 256 Maglev rings written, attach",
        }
        print("cli: vip list %.0f ms (hello world %.0f ms, AOT cache %s), apply 256x16 %.0f ms" % (
            out["vip_list_launcher"]["median_ms"], out["hello_world_launcher_flags"]["median_ms"],
            "%.0f ms" % out["vip_list_java_aot"]["median_ms"] if "vip_list_java_aot" in out else "n/a",
            out["apply_256x16_cli"]["median_ms"]), file=sys.stderr)
    finally:
        for i in (inst + "a",):
            if created_ns:
                sh(XDPLB, "--instance", i, "detach", "--iface", "b%sa" % tok, "--netns", ns, env=env, check=False)
        if created_ns:
            sh("ip", "netns", "del", ns, check=False)
        for i in (inst, inst + "a"):
            if os.path.isdir("/sys/fs/bpf/xdplb/" + i):
                sh("rm", "-rf", "/sys/fs/bpf/xdplb/" + i, check=False)
        sh("rm", "-rf", state, check=False)
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
