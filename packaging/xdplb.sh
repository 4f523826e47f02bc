#!/bin/sh
# /usr/bin/xdplb of the Debian package: the CLI on the package's own Java runtime (made by jlink)
# with the AOT cache recorded for that runtime and jar when the package was built. The java
# options are those of ./xdplb and scripts/aot-cache (a cache is only used with the options it was
# recorded with; without it the CLI still runs, just slower).
lib=/usr/lib/xdplb
exec "$lib/runtime/bin/java" -XX:AOTCache="$lib/xdplb.aot" -Xlog:aot=off -Xlog:cds=off \
  --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$lib/xdplb.jar" "$@"
