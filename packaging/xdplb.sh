#!/bin/sh
# /usr/bin/xdplb of the Debian package: the CLI on the package's own Java runtime (made by jlink)
# with the AOT cache recorded for that runtime and jar when the package was built. The java
# options are those of ./xdplb and scripts/aot-cache (a cache is only used with the options it was
# recorded with; without it the CLI still runs, just slower).
lib=/usr/lib/xdplb
# The agent is a long-running service: the full JIT and a bounded heap (as ./xdplb gives it);
# one-shot commands stop at C1, which starts faster.
command= skip=
for a in "$@"; do
  if [ -n "$skip" ]; then skip=; continue; fi
  case $a in --instance) skip=1 ;; -*) ;; *) command=$a; break ;; esac
done
jit=-XX:TieredStopAtLevel=1
[ "$command" = agent ] && jit=-Xmx128m
exec "$lib/runtime/bin/java" -XX:AOTCache="$lib/xdplb.aot" -Xlog:aot=off -Xlog:cds=off \
  --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC $jit -jar "$lib/xdplb.jar" "$@"
