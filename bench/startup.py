#!/usr/bin/python3
"""Start-up of the installed CLI (`make bench`, issue 12): each read-only command of the Debian
package's /usr/bin/xdplb against a JVM hello world on the same runtime (the package's jlink
runtime, the launcher's JVM flags, its default CDS archive), as wall time and CPU time.

The package (build/xdplb_*.deb, made by scripts/package when missing or older than the jar) is
unpacked under build/bench/startup/ and its launcher pointed there. Everything runs in a private
mount and network namespace made for it (a bpffs of its own, only `lo`, with the director
attached to lo in generic mode, a VIP and two reals), so `status` and `stats` read real pins and
nothing of the host is touched. Rounds are interleaved (each round runs every command once, in
a new order) so that a busy moment of the machine hits all alike; two unmeasured runs first. Beside
them, OneMapRead: a JVM that only opens one pinned map through libbpf and reads one entry, with an
AOT cache of its own, the floor of any command that reads BPF from the JVM.

Usage: startup.py OUT.json [ROUNDS]   (as root, from the repository; writes OUT.md too)
"""
import glob
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(REPO, "build", "bench", "startup")
VIP = "192.0.2.10:80/tcp"
COMMANDS = {  # name: arguments of xdplb
    "vip list": ["vip", "list"],
    "vip list -j": ["vip", "list", "-j"],
    "real list": ["real", "list", VIP],
    "status": ["status"],
    "stats": ["stats"],
    "stats -j": ["stats", "-j"],
    "export": ["export"],
    "--help": ["--help"],
    "--version": ["--version"],
}


# The floor of any command that reads BPF from the JVM: open one pinned map through libbpf and read
# one entry (two downcalls), nothing else, with an AOT cache of its own.
ONE_MAP_READ = """
import java.lang.foreign.*;
import java.lang.invoke.MethodHandle;
public class OneMapRead {
    public static void main(String[] a) throws Throwable {
        Linker l = Linker.nativeLinker();
        Arena arena = Arena.ofConfined();
        SymbolLookup bpf = SymbolLookup.libraryLookup("libbpf.so.1", arena);
        MethodHandle objGet = l.downcallHandle(bpf.findOrThrow("bpf_obj_get"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        MethodHandle lookup = l.downcallHandle(bpf.findOrThrow("bpf_map_lookup_elem"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        int fd = (int) objGet.invokeExact(arena.allocateFrom(a[0]));
        MemorySegment value = arena.allocate(256);
        int rc = (int) lookup.invokeExact(fd, arena.allocate(4), value);
        if (fd < 0 || rc != 0) throw new IllegalStateException("fd " + fd + ", rc " + rc);
        System.out.println(value.get(ValueLayout.JAVA_INT, 0));
    }
}
"""


def sh(*args, env=None, check=True):
    r = subprocess.run(list(args), capture_output=True, text=True, env=env)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(args), r.returncode, (r.stderr or r.stdout).strip()))
    return r


def package():
    """The newest .deb, rebuilt when the jar is newer."""
    jar = os.path.join(REPO, "control-plane", "target", "xdplb.jar")
    debs = sorted(glob.glob(os.path.join(REPO, "build", "xdplb_*.deb")), key=os.path.getmtime)
    if not debs or os.path.getmtime(debs[-1]) < os.path.getmtime(jar):
        print("bench: building the package (scripts/package)", flush=True)
        sh(os.path.join(REPO, "scripts", "package"))
        debs = sorted(glob.glob(os.path.join(REPO, "build", "xdplb_*.deb")), key=os.path.getmtime)
    return debs[-1]


def measure(cmds, rounds, env):
    wall = {k: [] for k in cmds}
    cpu = {k: [] for k in cmds}
    for k, c in cmds.items():
        for _ in range(2):
            sh(*c, env=env)
    for _ in range(rounds):
        order = list(cmds)
        random.shuffle(order)
        for k in order:
            u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            sh(*cmds[k], env=env)
            t1 = time.perf_counter()
            u1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall[k].append((t1 - t0) * 1000)
            cpu[k].append((u1.ru_utime + u1.ru_stime - u0.ru_utime - u0.ru_stime) * 1000)
    out = {}
    for k in cmds:
        q = statistics.quantiles(wall[k], n=4)
        out[k] = {"median_ms": statistics.median(wall[k]), "p25_ms": q[0], "p75_ms": q[2],
                  "cpu_median_ms": statistics.median(cpu[k]), "runs": rounds}
    return out


FLOOR = "one map read"  # not an xdplb command: the floor (ONE_MAP_READ)
TIMING = re.compile(r"xdplb: timing: picocli model ([\d.]+) ms, command ([\d.]+) ms")


def phases(cmds, rounds, env):
    """Medians of the split XDPLB_TIMING reports (separate runs, after the measured ones)."""
    out = {}
    for k, c in cmds.items():
        if k in ("hello world", FLOOR):
            continue
        model, command = [], []
        for _ in range(rounds):
            m = TIMING.search(sh(*c, env=dict(env, XDPLB_TIMING="1")).stderr)
            if m:
                model.append(float(m.group(1)))
                command.append(float(m.group(2)))
        if model:
            out[k] = {"model_ms": statistics.median(model), "command_ms": statistics.median(command)}
    return out


def markdown(res):
    h = res["commands"]["hello world"]
    L = ["## Start-up of the installed CLI", "",
         "`/usr/bin/xdplb` of the package (its own jlink runtime, its AOT cache%s) against a JVM hello world on the "
         "same runtime with the launcher's JVM flags (`%s`); target: read-only commands within 2x. Median of %d "
         "interleaved rounds; CPU is user + system of the process and its threads (the JIT compiles beside the "
         "interpreter), which a busy machine disturbs less than wall time. Runtime: %s; package %s." % (
             " (valid: `-XX:AOTMode=on` runs)" if res["aot_cache_valid"] else ", **not valid: not used**",
             " ".join(res["launcher_flags"]), h["runs"], res["runtime"], res["package"]), "",
         "| command | wall median | quartiles | x hello | CPU median | x hello | picocli model | command | JVM start + exit |",
         "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    split = res.get("phases", {})
    for k, e in res["commands"].items():
        p = split.get(k)
        L.append("| `%s` | %.0f ms | %.0f-%.0f ms | %s | %.0f ms | %s | %s | %s | %s |" % (
            "java Hello" if k == "hello world" else "java OneMapRead" if k == FLOOR else "xdplb " + k, e["median_ms"], e["p25_ms"], e["p75_ms"],
            "-" if k == "hello world" else "**%.1fx**" % (e["median_ms"] / h["median_ms"]), e["cpu_median_ms"],
            "-" if k == "hello world" else "%.1fx" % (e["cpu_median_ms"] / max(h["cpu_median_ms"], 1)),
            "%.0f ms" % p["model_ms"] if p else "-", "%.0f ms" % p["command_ms"] if p else "-",
            "%.0f ms" % (e["median_ms"] - p["model_ms"] - p["command_ms"]) if p else "%.0f ms" % e["median_ms"]))
    c = res["commands"]
    x = lambda k: c[k]["median_ms"] / h["median_ms"]
    reads = [k for k in ("vip list", "real list", "status", "stats") if k in c]
    L += ["", "`java OneMapRead` is not xdplb: it opens one pinned map through libbpf and reads one entry (two "
          "downcalls, nothing else) with an AOT cache of its own, the floor of any command that reads BPF from a "
          "JVM: **%.1fx** the hello world. `xdplb --version` is the JVM's start with xdplb's AOT cache and no "
          "command at all: %.1fx. The read-only commands that read the maps take %.1fx-%.1fx." % (
              x(FLOOR), x("--version"), min(x(k) for k in reads), max(x(k) for k in reads)), "",
          "Where the time went (issue 12), and what was done: picocli's jar is Java 5 bytecode, which the AOT "
          "cache cannot hold (\"old class\"), so its ~230 classes were parsed and verified on every start: it is "
          "now compiled from its sources for this release and cached like the rest; only the named command's "
          "branch of the picocli model is built, and in a group only the named subcommand (the whole tree only for "
          "`--help`, `help`, `man`, `completion` and misspellings; `--version` builds none); the cache's training "
          "run (io.xdplb.cli.AotTraining) also runs the BPF commands (attach to lo, status, stats, dump, detach; as "
          "root, in namespaces of its own), so libbpf's classes are cached too; array maps are read in batches; "
          "whether the director is attached is judged by its own link alone; the configuration is read by "
          "Jackson's streaming parser and the listings' JSON written by its generator (no ObjectMapper); libc's "
          "downcalls are linked on first use, libbpf's log hook (an upcall) only when a load is captured; "
          "`stats` reads its counters' names from the object's BTF in Java instead of opening the object through "
          "libbpf; program and map info are read by offset (the generated structs make VarHandles when their "
          "class initialises); ring fingerprints read only the reals a ring holds; VIPs compare and hash without "
          "method-handle bootstraps.", "",
          "What remains, by the split above (`XDPLB_TIMING=1`, medians of runs of their own; the JVM's share is "
          "the wall median less the other two): the JVM's own start and exit with the AOT cache, which loads the "
          "~3,400 classes it holds at start (a cache trained on one command alone started that command only "
          "4-17 ms sooner when tried, and a package with a cache per command would be several times larger); picocli's "
          "model, which reflects over the command's annotations (the JDK makes a proxy class per annotation "
          "type at run time, which JDK 25's AOT cache does not hold); and in the command, first calls and "
          "interpreted code: each distinct libbpf call shape gets its downcall stub and method handles made at "
          "run time, the SHA-256 of each 65,537-slot ring, the batch reads themselves. JDK 25 caches loaded and "
          "linked classes, not compiled code or generated stubs, and the floor above is already about 2x: the "
          "2x target is **missed** for every command that reads the maps, and out of reach for a JVM process.",
          ""]
    return "\n".join(L) + "\n"


def inside(out_json, rounds):
    """Runs in the private namespaces."""
    sh("mount", "--make-rprivate", "/")
    sh("mount", "-t", "bpf", "bpf", "/sys/fs/bpf")
    sh("ip", "link", "set", "lo", "up")
    root = os.path.join(WORK, "root")
    lib = os.path.join(root, "usr", "lib", "xdplb")
    launcher_src = open(os.path.join(root, "usr", "bin", "xdplb")).read()
    launcher = os.path.join(WORK, "xdplb")
    with open(launcher, "w") as f:
        f.write(launcher_src.replace("lib=/usr/lib/xdplb", "lib=" + lib))
    os.chmod(launcher, 0o755)
    java = os.path.join(lib, "runtime", "bin", "java")
    flags = [f for f in ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1") if f in launcher_src]
    hello = os.path.join(WORK, "hello")
    state = tempfile.mkdtemp(prefix="xdplb-bench-startup-")
    env = dict(os.environ, XDPLB_STATE_DIR=state, XDPLB_INSTANCE="bench")
    env.pop("JDK_JAVA_OPTIONS", None)
    x = lambda *a: sh(launcher, *a, env=env)
    x("attach", "--iface", "lo", "--mode", "generic", "--gateway-mac", "02:00:00:00:00:01", "--src4", "192.0.2.1")
    try:
        x("vip", "add", VIP)
        x("real", "add", VIP, "198.51.100.2")
        x("real", "add", VIP, "198.51.100.3", "--weight", "2")
        aot_ok = sh(launcher, "vip", "list", env=dict(env, JDK_JAVA_OPTIONS="-XX:AOTMode=on"), check=False).returncode == 0
        pin = "/sys/fs/bpf/xdplb/bench/maps/lb_config"
        floor_cache = os.path.join(WORK, "one-map-read.aot")
        floor = [java, "--enable-native-access=ALL-UNNAMED"] + flags + ["-cp", os.path.join(WORK, "one-map-read.jar"),
                                                                         "OneMapRead", pin]
        sh(floor[0], "-XX:AOTCacheOutput=" + floor_cache, "-Xlog:aot=off", "-Xlog:cds=off", *floor[1:])
        cmds = {"hello world": [java] + flags + ["-cp", hello, "Hello"],
                FLOOR: [java, "-XX:AOTCache=" + floor_cache, "-Xlog:aot=off", "-Xlog:cds=off"] + floor[1:]}
        for k, a in COMMANDS.items():
            cmds[k] = [launcher] + a
        res = {"commands": measure(cmds, rounds, env), "phases": phases(cmds, rounds, env),
               "aot_cache_valid": aot_ok, "launcher_flags": flags,
               "runtime": sh(java, "-version").stderr.splitlines()[0],
               "package": os.path.basename(json.load(open(out_json + ".meta"))["deb"])}
    finally:
        x("detach", "--iface", "lo")
    return res


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: startup.py OUT.json [ROUNDS]")
    out_json = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    if os.environ.get("XDPLB_STARTUP_INSIDE"):
        res = inside(out_json, rounds)
        json.dump(res, open(out_json, "w"), indent=1)
        return
    deb = package()
    sh("rm", "-rf", WORK)
    os.makedirs(WORK)
    sh("dpkg-deb", "-x", deb, os.path.join(WORK, "root"))
    home = sh(os.path.join(REPO, "scripts", "find-jdk")).stdout.strip()
    hello = os.path.join(WORK, "hello")
    os.makedirs(hello)
    with open(os.path.join(hello, "Hello.java"), "w") as f:
        f.write('public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n')
    with open(os.path.join(hello, "OneMapRead.java"), "w") as f:
        f.write(ONE_MAP_READ)
    sh(os.path.join(home, "bin", "javac"), "--release", "25", "-d", hello, os.path.join(hello, "Hello.java"),
       os.path.join(hello, "OneMapRead.java"))
    # an AOT cache takes its classes from jars only
    sh(os.path.join(home, "bin", "jar"), "cf", os.path.join(WORK, "one-map-read.jar"), "-C", hello, "OneMapRead.class")
    json.dump({"deb": deb}, open(out_json + ".meta", "w"))
    r = subprocess.run(["unshare", "--mount", "--net", sys.executable, os.path.abspath(__file__), out_json, str(rounds)],
                       env=dict(os.environ, XDPLB_STARTUP_INSIDE="1"))
    os.remove(out_json + ".meta")
    if r.returncode != 0:
        sys.exit("bench: the start-up measurement failed")
    res = json.load(open(out_json))
    md = markdown(res)
    with open(os.path.splitext(out_json)[0] + ".md", "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
