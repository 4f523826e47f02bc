#!/usr/bin/env python3
"""Long-lived HTTP/1.1 connections for the several-directors demo and test.

Opens COUNT keep-alive connections to HOST:PORT and sends GET / on each every PERIOD seconds
(one thread per connection), remembering per connection the reals that answered (the body),
the answers, the time of the last one and the error that ended it (reset, timeout, close).
Prints {"ready": COUNT} once every connection has answered once, then answers each line on
stdin: "report" prints the state as one JSON line, "quit" (or end of input) stops.

Run it inside the client namespace: ip netns exec PREFIX-client long-clients.py 203.0.113.10 80 60
"""
import json, socket, sys, threading, time

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
period = float(sys.argv[4]) if len(sys.argv) > 4 else 0.1
timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 15.0
stop = threading.Event()
REQUEST = b"GET / HTTP/1.1\r\nHost: vip\r\nConnection: keep-alive\r\n\r\n"


class Conn:
    def __init__(self):
        self.sock = socket.create_connection((host, port), timeout=3)
        self.sock.settimeout(timeout)
        self.port = self.sock.getsockname()[1]
        self.reals, self.answers, self.last, self.error = [], 0, None, None
        self.buf = b""

    def get(self):
        self.sock.sendall(REQUEST)
        while b"\r\n\r\n" not in self.buf:
            self._read()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        length = next(int(l.split(b":", 1)[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:"))
        while len(self.buf) < length:
            self._read()
        body, self.buf = self.buf[:length], self.buf[length:]
        real = body.decode().strip()
        if real not in self.reals:
            self.reals.append(real)
        self.answers += 1
        self.last = time.monotonic()

    def _read(self):
        data = self.sock.recv(4096)
        if not data:
            raise ConnectionError("closed by the server")
        self.buf += data

    def loop(self):
        while not stop.wait(period):
            try:
                self.get()
            except socket.timeout:
                self.error = "timeout after %gs" % timeout
                return
            except OSError as e:
                self.error = "%s: %s" % (type(e).__name__, e)
                return


conns = []
for _ in range(count):
    c = Conn()
    c.get()
    conns.append(c)
for c in conns:
    threading.Thread(target=c.loop, daemon=True).start()
print(json.dumps({"ready": len(conns)}), flush=True)
for line in sys.stdin:
    if line.strip() == "report":
        print(json.dumps({"now": time.monotonic(), "conns": [
            {"port": c.port, "reals": c.reals, "answers": c.answers, "last": c.last, "error": c.error} for c in conns]}),
            flush=True)
    elif line.strip() == "quit":
        break
stop.set()
