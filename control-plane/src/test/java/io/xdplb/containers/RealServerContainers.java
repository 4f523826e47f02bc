package io.xdplb.containers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import io.xdplb.libbpf.Netns;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.images.builder.ImageFromDockerfile;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Real servers as containers, through Testcontainers: an image built here FROM scratch with
 * Debian's static busybox (nothing is pulled from any registry), a user-defined Docker network
 * on documentation subnets, and one container per real whose busybox httpd answers GET / with
 * the container's name. Everything carries the label {@link #LABEL}, so the test can show that
 * nothing it made is left.
 */
final class RealServerContainers implements AutoCloseable {
    static final String LABEL = "io.xdplb.test";
    static final String LABEL_VALUE = "containers";
    static final String IMAGE = "xdplb-test-real:containers";
    static final String NETWORK = "xdplb-test-reals";
    static final String SUBNET4 = "192.0.2.0/24";
    static final String GATEWAY4 = "192.0.2.1";
    static final String SUBNET6 = "2001:db8:2::/64";
    static final String GATEWAY6 = "2001:db8:2::1";
    static final Path BUSYBOX = Path.of("/bin/busybox");

    private final String engineNetns;
    private final Network network;
    private final List<GenericContainer<?>> containers = new ArrayList<>();
    final List<String> names = new ArrayList<>();
    final List<String> addresses4 = new ArrayList<>();

    RealServerContainers(String engineNetns, int count) {
        this.engineNetns = engineNetns;
        ImageFromDockerfile image = new ImageFromDockerfile(IMAGE, false)
                .withFileFromPath("busybox", BUSYBOX)
                .withDockerfileFromBuilder(b -> b.from("scratch")
                        .copy("busybox", "/bin/busybox")
                        .run("/bin/busybox", "--install", "-s", "/bin")
                        .label(Map.of(LABEL, LABEL_VALUE))
                        .build());
        network = Network.builder()
                .enableIpv6(true)
                .createNetworkCmdModifier(cmd -> cmd.withName(NETWORK)
                        .withLabels(Map.of(LABEL, LABEL_VALUE))
                        .withIpam(new com.github.dockerjava.api.model.Network.Ipam().withConfig(
                                new com.github.dockerjava.api.model.Network.Ipam.Config().withSubnet(SUBNET4)
                                        .withGateway(GATEWAY4),
                                new com.github.dockerjava.api.model.Network.Ipam.Config().withSubnet(SUBNET6)
                                        .withGateway(GATEWAY6))))
                .build();
        try {
            for (int i = 1; i <= count; i++) {
                String name = "xc-rs" + i;
                String ip4 = "192.0.2." + (10 + i);
                String ip6 = "2001:db8:2::" + (10 + i);
                GenericContainer<?> c = new GenericContainer<>(image)
                        .withNetwork(network)
                        .withEnv("NAME", name)
                        .withLabel(LABEL, LABEL_VALUE)
                        .withCreateContainerCmdModifier(cmd -> cmd.withName(name).withIpv4Address(ip4).withIpv6Address(ip6))
                        .withCommand("sh", "-c", "mkdir -p /www && echo \"$NAME\" > /www/index.html"
                                + " && exec httpd -f -p 80 -h /www")
                        // the default strategies exec /bin/sh in the container or need a published port
                        .waitingFor(new AnswersHttp(engineNetns, ip4, name));
                containers.add(c);
                c.start();
                names.add(name);
                addresses4.add(ip4);
            }
        } catch (RuntimeException e) {
            try {
                close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The image is busybox alone: it must be Debian's static build (the dynamic one needs libc in the image). */
    static boolean staticBusybox() {
        return io.xdplb.testing.Sh.run("dpkg-query", "-W", "-f=${Status}", "busybox-static").out()
                .contains("install ok installed");
    }

    static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }

    /** The Linux bridge Docker made for the network (in the engine's namespace). */
    String bridge() {
        return "br-" + network.getId().substring(0, 12);
    }

    void stop(String name) {
        docker().stopContainerCmd(name).withTimeout(2).exec();
    }

    /** Starts a stopped container again (a new process, so a new network namespace) and waits until it serves. */
    void start(String name) {
        docker().startContainerCmd(name).exec();
        int i = names.indexOf(name);
        AnswersHttp.waitFor(engineNetns, addresses4.get(i), name, Duration.ofSeconds(30));
    }

    int pid(String name) {
        InspectContainerResponse r = docker().inspectContainerCmd(name).exec();
        return r.getState().getPidLong().intValue();
    }

    /** Containers, networks and images with the test's label that the engine still has. */
    static List<String> leftovers() {
        DockerClient d = docker();
        List<String> out = new ArrayList<>();
        d.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(LABEL, LABEL_VALUE)).exec()
                .forEach(c -> out.add("container " + String.join(",", c.getNames())));
        d.listNetworksCmd().exec().stream().filter(n -> LABEL_VALUE.equals(n.getLabels().get(LABEL)))
                .forEach(n -> out.add("network " + n.getName()));
        d.listImagesCmd().withLabelFilter(Map.of(LABEL, LABEL_VALUE)).exec()
                .forEach(i -> out.add("image " + i.getId()));
        return out;
    }

    /** Removes the containers, the network and the image (Ryuk is off: nobody else will). */
    @Override
    public void close() {
        for (GenericContainer<?> c : containers) c.stop();
        containers.clear();
        network.close();
        try {
            docker().removeImageCmd(IMAGE).withForce(true).exec();
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            // never built
        }
    }

    /** Ready when GET http://ADDR/ from the engine's namespace answers the container's name. */
    static final class AnswersHttp extends AbstractWaitStrategy {
        private final String netns;
        private final String address;
        private final String name;

        AnswersHttp(String netns, String address, String name) {
            this.netns = netns;
            this.address = address;
            this.name = name;
            withStartupTimeout(Duration.ofSeconds(30));
        }

        @Override
        protected void waitUntilReady() {
            waitFor(netns, address, name, startupTimeout);
        }

        static void waitFor(String netns, String address, String name, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            String last = "";
            while (System.nanoTime() < deadline) {
                last = Netns.run(netns, () -> get("http://" + address + "/"));
                if (last.equals(name)) return;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            throw new AssertionError(name + " at " + address + " did not answer HTTP within " + timeout + ": " + last);
        }

        private static String get(String url) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(1000);
                try (var in = c.getInputStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                } finally {
                    c.disconnect();
                }
            } catch (IOException e) {
                return e.toString();
            }
        }
    }
}
