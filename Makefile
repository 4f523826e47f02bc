# xdplb build driver. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := build

CLANG ?= clang-19
ARCH := $(shell uname -m | sed 's/aarch64/arm64/;s/x86_64/x86/')
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null || echo $(shell uname -m)-linux-gnu)
BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
              -I bpf/include -I /usr/include/$(MULTIARCH)
BPF_SRC := $(wildcard bpf/*.bpf.c)
BPF_OBJ := $(patsubst bpf/%.bpf.c,build/bpf/%.bpf.o,$(BPF_SRC))
BPF_HDR := $(wildcard bpf/include/*.h)

JAR := control-plane/target/xdplb.jar
# Maven must run on a JDK >= 22; scripts/find-jdk finds one or explains.
# The version and commit `xdplb --version` prints.
VERSION := $(shell scripts/version)
COMMIT := $(shell scripts/version --commit)
MVN = JAVA_HOME="$$(scripts/find-jdk)" mvn -B -q -Dxdplb.version=$(VERSION) -Dxdplb.commit=$(COMMIT)
# Tests print Surefire's summary ("Tests run: ..."), so no -q there.
MVN_TEST = JAVA_HOME="$$(scripts/find-jdk)" mvn -B --no-transfer-progress -Dxdplb.version=$(VERSION) -Dxdplb.commit=$(COMMIT)

.PHONY: help deps bpf test-bpf build aot package test unit-test demo demo-ha bench clean

help:
	@echo "make deps    install missing Debian packages (as root)"
	@echo "make build   compile bpf/*.bpf.c and package the CLI jar ($(JAR))"
	@echo "make package build/xdplb_<version>_<arch>.deb (Debian 12; needs no JDK on the target)"
	@echo "make test    deps + build + every test tier (root tiers run when root)"
	@echo "make demo    deps + build + the netns demo (root)"
	@echo "make demo-ha deps + build + two directors behind BGP/ECMP, one killed (root)"
	@echo "make bench   benchmarks, written to docs/benchmarks.md (root)"
	@echo "make clean   remove build outputs"

deps:
	@scripts/deps.sh

build/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDR)
	@mkdir -p build/bpf
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

bpf: $(BPF_OBJ)

# BPF fixtures of the tests (e.g. a program the verifier must refuse); never in the jar.
TEST_BPF_OBJ := $(patsubst control-plane/src/test/bpf/%.bpf.c,build/test-bpf/%.bpf.o,$(wildcard control-plane/src/test/bpf/*.bpf.c))
build/test-bpf/%.bpf.o: control-plane/src/test/bpf/%.bpf.c $(BPF_HDR)
	@mkdir -p build/test-bpf
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

test-bpf: $(TEST_BPF_OBJ)

build: bpf
	@scripts/find-jdk >/dev/null
	$(MVN) package -DskipTests
	@scripts/aot-cache

# build/xdplb_<version>_<arch>.deb: its own Java runtime, the jar, the AOT cache, man pages, completion, units.
package: build
	@scripts/package

# A JDK 25 AOT cache of the CLI's start-up classes (about a quarter off every command's start).
aot: 
	@scripts/aot-cache

test: deps bpf test-bpf
	@scripts/find-jdk >/dev/null
	$(MVN_TEST) package
	@scripts/test-package --build

unit-test: bpf test-bpf
	$(MVN_TEST) package -Dxdplb.excludedGroups=root,bench

demo: deps build
	netns-testenv/demo.sh

demo-ha: deps build
	netns-testenv/demo-ha.sh

bench: deps build
	scripts/bench.sh

clean:
	rm -rf build control-plane/target
