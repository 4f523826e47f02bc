package io.xdplb.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.Messages;
import io.xdplb.UserError;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The few questions xdplb asks a Docker engine, through its HTTP API on the engine's socket
 * (DOCKER_HOST as the docker CLI reads it: unix:///path or tcp://host:port without TLS;
 * default unix:///var/run/docker.sock). Only reads: which process runs a container, so that
 * its network namespace (/proc/PID/ns/net) can be entered.
 */
public final class DockerEngine {
    public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TIMEOUT_SECONDS = 10;

    private final String host;
    private final SocketAddress address;

    /** A running container: its full id, its name (without the leading '/') and its init process. */
    public record Container(String id, String name, int pid) {
        /** The container's network namespace, as nsenter --net= takes it. */
        public Path netnsPath() {
            return Path.of("/proc", Integer.toString(pid), "ns", "net");
        }
    }

    private DockerEngine(String host, SocketAddress address) {
        this.host = host;
        this.address = address;
    }

    /** The engine DOCKER_HOST names (as the docker CLI does), or the default socket. */
    public static DockerEngine fromEnvironment() {
        return of(System.getenv(), System.getenv("DOCKER_HOST"));
    }

    static DockerEngine of(Map<String, String> env, String dockerHost) {
        String host = dockerHost == null || dockerHost.isBlank() ? DEFAULT_HOST : dockerHost.strip();
        String tls = env.get("DOCKER_TLS_VERIFY");
        if (tls != null && !tls.isEmpty() && !tls.equals("0")) {
            throw new UserError("DOCKER_TLS_VERIFY is set, and xdplb speaks to the Docker engine only without TLS"
                    + " (its unix socket, or plain tcp://): give the container's namespace with --netns /proc/PID/ns/net"
                    + " (PID from `docker inspect -f '{{.State.Pid}}' NAME`)");
        }
        return new DockerEngine(host, parse(host));
    }

    static SocketAddress parse(String host) {
        if (host.startsWith("unix://")) {
            String path = host.substring("unix://".length());
            if (!path.startsWith("/")) throw badHost(host);
            return UnixDomainSocketAddress.of(path);
        }
        if (host.startsWith("tcp://")) {
            URI u;
            try {
                u = new URI("tcp://" + host.substring("tcp://".length()));
            } catch (java.net.URISyntaxException e) {
                throw badHost(host);
            }
            if (u.getHost() == null || u.getPort() < 1 || (u.getPath() != null && !u.getPath().isEmpty()
                    && !u.getPath().equals("/"))) {
                throw badHost(host);
            }
            return InetSocketAddress.createUnresolved(u.getHost(), u.getPort());
        }
        throw badHost(host);
    }

    private static UserError badHost(String host) {
        return new UserError("bad DOCKER_HOST " + Messages.quote(host) + ": xdplb understands unix:///path/to/docker.sock"
                + " and tcp://HOST:PORT");
    }

    public String host() {
        return host;
    }

    /** True when the engine answers its ping (GET /_ping → OK). */
    public boolean ping() {
        try {
            Response r = get("/_ping");
            return r.status() == 200;
        } catch (UserError e) {
            return false;
        }
    }

    /** The running container NAME_OR_ID (a name, a full id or an unambiguous id prefix). */
    public Container running(String nameOrId) {
        if (nameOrId == null || nameOrId.isBlank() || !nameOrId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,254}")) {
            throw new UserError("bad container name or id " + Messages.quote(nameOrId) + ": letters, digits, '_', '.' or '-',"
                    + " as `docker ps` shows them");
        }
        Response r = get("/containers/" + URLEncoder.encode(nameOrId, StandardCharsets.UTF_8) + "/json");
        if (r.status() == 404) {
            throw new UserError("no container " + Messages.quote(nameOrId) + " in the Docker engine at " + host
                    + " (`docker ps -a` lists them; DOCKER_HOST selects another engine)");
        }
        if (r.status() != 200) {
            throw new UserError("the Docker engine at " + host + " answered " + r.status() + " about container "
                    + Messages.quote(nameOrId) + ": " + Messages.oneLine(message(r.body())));
        }
        JsonNode c;
        try {
            c = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UserError("the Docker engine at " + host + " sent unreadable JSON about container " + Messages.quote(nameOrId)
                    + ": " + Messages.oneLine(e.getMessage()));
        }
        String name = c.path("Name").asText("").replaceFirst("^/", "");
        JsonNode state = c.path("State");
        int pid = state.path("Pid").asInt(0);
        if (!state.path("Running").asBoolean(false) || pid <= 0) {
            throw new UserError("container " + name + " is not running (" + state.path("Status").asText("?")
                    + "): start it first (`docker start " + name + "`)");
        }
        return new Container(c.path("Id").asText(), name, pid);
    }

    private static String message(String body) {
        try {
            String m = JSON.readTree(body).path("message").asText("");
            if (!m.isEmpty()) return m.replace('\n', ' ');
        } catch (IOException e) {
            // not JSON: show it as it is
        }
        return body.strip().replace('\n', ' ');
    }

    record Response(int status, String body) {}

    /**
     * One HTTP/1.0 GET (so the engine closes the connection after the answer and never
     * chunks it), bounded in time: a hung engine makes the command fail, not hang.
     */
    private Response get(String path) {
        byte[] request = ("GET " + path + " HTTP/1.0\r\nHost: docker\r\nUser-Agent: xdplb\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "docker-timeout");
            t.setDaemon(true);
            return t;
        });
        try (SocketChannel ch = open()) {
            var deadline = timer.schedule(() -> {
                try {
                    ch.close();
                } catch (IOException e) {
                    // closing is all we wanted
                }
            }, TIMEOUT_SECONDS, TimeUnit.SECONDS);
            ch.connect(resolved());
            ch.write(ByteBuffer.wrap(request));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(16384);
            while (ch.read(buf) >= 0) {
                all.write(buf.array(), 0, buf.position());
                buf.clear();
                if (all.size() > 16 << 20) throw new UserError("the Docker engine at " + host + " sent more than 16 MiB");
            }
            deadline.cancel(false);
            return parseResponse(all.toString(StandardCharsets.UTF_8));
        } catch (java.nio.channels.AsynchronousCloseException e) {
            throw new UserError("the Docker engine at " + host + " did not answer within " + TIMEOUT_SECONDS + " s");
        } catch (IOException e) {
            throw new UserError("cannot reach the Docker engine at " + host + " (" + e.getMessage()
                    + "): is dockerd running? DOCKER_HOST selects another engine");
        } finally {
            timer.shutdownNow();
        }
    }

    private SocketChannel open() throws IOException {
        return address instanceof UnixDomainSocketAddress ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open();
    }

    private SocketAddress resolved() {
        if (address instanceof InetSocketAddress a && a.isUnresolved()) return new InetSocketAddress(a.getHostString(), a.getPort());
        return address;
    }

    static Response parseResponse(String raw) {
        int end = raw.indexOf("\r\n\r\n");
        String head = end < 0 ? raw : raw.substring(0, end);
        String body = end < 0 ? "" : raw.substring(end + 4);
        String[] status = head.lines().findFirst().orElse("").split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/")) {
            throw new UserError("the Docker engine did not answer in HTTP: " + Messages.quote(head.lines().findFirst().orElse("")));
        }
        try {
            return new Response(Integer.parseInt(status[1]), body);
        } catch (NumberFormatException e) {
            throw new UserError("the Docker engine sent a bad HTTP status line: " + Messages.quote(head.lines().findFirst().orElse("")));
        }
    }
}
