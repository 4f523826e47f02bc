package io.xdplb.e2e;

import io.xdplb.libbpf.Netns;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One long-lived HTTP/1.1 connection from the client namespace: the socket is created on a
 * thread inside the namespace, so it belongs there, and is then used from the test thread.
 */
final class HttpConnection implements AutoCloseable {
    private final Socket socket;

    HttpConnection(String clientNetns, String address, int port) {
        this(clientNetns, address, port, 3000);
    }

    /** readTimeoutMs: how long one answer may take (a failover test lets TCP retransmit first). */
    HttpConnection(String clientNetns, String address, int port, int readTimeoutMs) {
        this.socket = Netns.run(clientNetns, () -> {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(InetAddress.ofLiteral(address), port), 3000);
            s.setSoTimeout(readTimeoutMs);
            return s;
        });
    }

    /** The client's port of this connection (how the directors' connection tables name it). */
    int localPort() {
        return socket.getLocalPort();
    }

    /** GET / on this connection; returns the body (the answering real's name). */
    String get() throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: vip\r\nConnection: keep-alive\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) throw new IOException("connection closed by the server after: " + head);
            head.append((char) c);
        }
        int length = -1;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).strip());
        }
        if (length < 0) throw new IOException("no Content-Length (not keep-alive?): " + head);
        byte[] body = in.readNBytes(length);
        return new String(body, StandardCharsets.UTF_8).strip();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
