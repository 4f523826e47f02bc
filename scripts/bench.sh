#!/usr/bin/env bash
# `make bench` (after `make deps build`): xdplb's benchmarks, written to docs/benchmarks.md,
# docs/benchmarks.json and docs/benchmarks.png, and printed. Needs root (BPF, network
# namespaces, which it makes and removes itself). Sources: bench/ and
# control-plane/src/test/java/io/xdplb/bench/; intermediate results in build/bench/.
#
#   1. per-packet cost in the kernel   build/bench/xdpbench kernel   (bpf_prog_test_run)
#   2. live forwarding                 bench/live.py                 (namespaces, live frames)
#   3. CLI wall times, apply, RSS      bench/cli.py
#      start-up of the package's CLI   bench/startup.py (its own section; STARTUP_ROUNDS, default 15)
#      health checks of 1,000 reals    bench/healthcheck.py (its own section; HC_WINDOW, default 30 s)
#   4. Java: Maglev, MapSync, updates  mvn test -Dgroups=bench
#   5. the page                        bench/report.py
#
# BENCH_ROUNDS (default 31) sets the rounds of step 1.
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")/.."
repo=$(pwd)
out=build/bench
start=$(date +%s)
loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)

if [ "$(id -u)" -ne 0 ]; then
  echo "bench: needs root (it loads BPF programs and makes network namespaces); run: sudo make bench" >&2
  exit 1
fi
if [ ! -f build/bpf/balancer.bpf.o ] || [ ! -f control-plane/target/xdplb.jar ]; then
  echo "bench: build first: make build" >&2
  exit 1
fi

# What the bench needs beyond `make deps`: a C compiler for its loader, matplotlib for the chart
# (Debian's python3-matplotlib, for /usr/bin/python3), GNU time for peak RSS.
missing=()
command -v gcc >/dev/null || missing+=(gcc)
[ -f /usr/include/stdio.h ] || missing+=(libc6-dev)
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || missing+=(python3-matplotlib)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi
py=/usr/bin/python3

mkdir -p "$out"
rm -f "$out"/*.json "$out"/java/*.json "$out"/startup.md "$out"/healthcheck.md

# ---------------------------------------------------------------- build the bench
clang=${CLANG:-clang-19}
arch=$(uname -m | sed 's/aarch64/arm64/;s/x86_64/x86/')
multiarch=$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
echo "bench: compiling bench/ (BPF objects and the loader)"
for src in bench/*.bpf.c; do
  "$clang" -O2 -g -target bpf -D__TARGET_ARCH_"$arch" -Wall -Werror -I bpf/include -I bench \
    -I /usr/include/"$multiarch" -c "$src" -o "$out/$(basename "$src" .c).o"
done
gcc -O2 -g -Wall -Wextra -Wno-unused-parameter -I bpf/include -I bench -o "$out/xdpbench" bench/xdpbench.c -lbpf
gcc -O2 -g -Wall -Wextra -o "$out/hcserver" bench/hcserver.c

# ---------------------------------------------------------------- 1. per packet
echo "bench: [1/5] per-packet cost (bpf_prog_test_run, ${BENCH_ROUNDS:-31} interleaved rounds)"
"$out/xdpbench" -b "$out" -B build/bpf kernel --rounds "${BENCH_ROUNDS:-31}" --out "$out/kernel.json"

# ---------------------------------------------------------------- 2. live
echo "bench: [2/5] live forwarding through network namespaces"
"$py" bench/live.py "$out/live.json"

# ---------------------------------------------------------------- 3. CLI
echo "bench: [3/5] CLI wall times, apply of 256 VIPs x 16 reals, peak RSS"
"$py" bench/cli.py "$out/cli.json"

# ---------------------------------------------------------------- start-up (issue 12)
echo "bench: [start-up] the installed CLI's read-only commands against a JVM hello world (bench/startup.py)"
"$py" bench/startup.py "$out/startup.json" "${STARTUP_ROUNDS:-15}" >/dev/null

# ---------------------------------------------------------------- health checks (issue 10)
echo "bench: [health checks] the agent checking 1,000 reals through the tunnel (bench/healthcheck.py)"
"$py" bench/healthcheck.py "$out/healthcheck.json" "${HC_WINDOW:-30}" >/dev/null

# ---------------------------------------------------------------- 4. Java
echo "bench: [4/5] control plane in Java (Maglev, MapSync, map updates)"
# a build directory of its own, so that a build running in the tree is not disturbed
if ! JAVA_HOME="$(scripts/find-jdk)" mvn -B --no-transfer-progress test \
    -Dxdplb.buildDir="$repo/$out/mvn" -Dtest='io.xdplb.bench.*Bench' -Dgroups=bench \
    -Dxdplb.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dxdplb.bench.out="$repo/$out/java" >"$out/mvn.log" 2>&1; then
  tail -40 "$out/mvn.log" >&2
  echo "bench: the Java benchmarks failed (log: $out/mvn.log)" >&2
  exit 1
fi
grep -E '^bench: ' "$out/mvn.log" || true

# ---------------------------------------------------------------- 5. the page
echo "bench: [5/5] writing docs/benchmarks.md, .json, .png"
BENCH_SECONDS=$(( $(date +%s) - start )) BENCH_LOADAVG_START="$loadavg_start" "$py" - "$out/machine.json" <<'EOF'
import json, os, platform, re, subprocess, sys, datetime

def run(*a):
    try:
        return subprocess.run(a, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""

cpu = re.search(r"^model name\s*:\s*(.*)$", open("/proc/cpuinfo").read(), re.M)
mem = re.search(r"^MemTotal:\s*(\d+)", open("/proc/meminfo").read(), re.M)
osr = dict(l.split("=", 1) for l in open("/etc/os-release").read().split("\n") if "=" in l)
commit = run("git", "rev-parse", "--short", "HEAD")
if commit and run("git", "status", "--porcelain", "--untracked-files=no"):
    commit += " (with uncommitted changes)"
jh = run("scripts/find-jdk")
secs = int(os.environ.get("BENCH_SECONDS", "0"))
m = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "commit": commit,
    "cpu": cpu.group(1) if cpu else platform.processor(),
    "cpus": os.cpu_count(),
    "memory": "%.0f GiB" % (int(mem.group(1)) / 2**20) if mem else "",
    "virtualization": run("systemd-detect-virt") or "",
    "kernel": platform.release(),
    "os": osr.get("PRETTY_NAME", "").strip('"'),
    "clang": run(os.environ.get("CLANG", "clang-19"), "--version").splitlines()[0] if run(os.environ.get("CLANG", "clang-19"), "--version") else "",
    "libbpf": run("dpkg-query", "-W", "-f=${Version}", "libbpf1"),
    "java": (subprocess.run([jh + "/bin/java", "-version"], capture_output=True, text=True).stderr.splitlines() or [""])[0] if jh else "",
    "duration": "%d min %02d s (up to the page; `make deps build` not included)" % (secs // 60, secs % 60),
    "loadavg_start": os.environ.get("BENCH_LOADAVG_START", ""),
    "loadavg_end": " ".join(open("/proc/loadavg").read().split()[:3]),
}
json.dump(m, open(sys.argv[1], "w"), indent=1)
EOF
"$py" bench/report.py "$out" docs
echo "bench: done in $(( $(date +%s) - start )) s: docs/benchmarks.md, docs/benchmarks.json, docs/benchmarks.png"
