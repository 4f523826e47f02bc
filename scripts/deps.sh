#!/usr/bin/env bash
# Installs the Debian packages xdplb needs to build, test and run, when they are missing.
# As root it installs them with apt-get; otherwise it says what to install and fails.
# Usage: scripts/deps.sh [--check]   (--check: report only, install nothing)
set -eu

# package: why
packages=(
  "clang-19:compiles bpf/*.bpf.c"
  "llvm-19:llvm-strip/objdump for BPF objects"
  "libbpf-dev:BPF headers (bpf_helpers.h) for the BPF programs"
  "libbpf1:libbpf.so.1, loaded by the control plane at run time"
  "linux-libc-dev:kernel UAPI headers (linux/bpf.h)"
  "bpftool:inspecting programs and maps (docs, debugging)"
  "iproute2:ip netns / ip link, used by the CLI and the test network"
  "ethtool:turns off checksum offload on the test network's veths"
  "maven:builds the control plane"
  "make:the build driver"
  "curl:the end-to-end tests and the demo"
  "python3:HTTP servers of the test network's real servers"
  "tcpdump:the debugging guide and the demo's capture"
  "docker.io:the container tier of the tests (its own dockerd, in a network namespace)"
  "busybox-static:the container tier's real-server image (FROM scratch, nothing pulled)"
  "debootstrap:the package test's clean Debian 12 root (scripts/test-package)"
  "systemd-container:systemd-nspawn, which boots that root so the package test runs the agent under systemd"
  "bird2:the BGP speaker xdplb agent runs (several directors), and the test network's BGP router"
  "prometheus:promtool, which checks the agent's /metrics in the tests"
  "nftables:nft, read by doctor's firewall check and used by its test"
)

missing=()
for entry in "${packages[@]}"; do
  pkg=${entry%%:*}
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "${1:-}" = "--check" ] || [ "$(id -u)" -ne 0 ]; then
    echo "xdplb: missing Debian packages: ${missing[*]}" >&2
    echo "xdplb: install them as root: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # docker.io's postinst would start a system dockerd, which puts a bridge with a private range
  # into the host's namespace; the tests start their own engine in a namespace (and bird2's would
  # start a system BIRD, which xdplb never uses: its speakers run in namespaces; prometheus's a
  # Prometheus server, of which the tests need only promtool). Deny service
  # starts while installing (policy-rc.d exit 101), unless the machine has its own policy.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The control plane needs a JDK >= 22 (FFM API); Debian 12 does not package one.
"$(dirname "$0")/find-jdk" >/dev/null
echo "deps: all present"
