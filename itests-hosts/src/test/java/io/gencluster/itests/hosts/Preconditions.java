package io.gencluster.itests.hosts;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the multi-host tests need before they make anything: root (to create network namespaces and
 * mount them), CAP_NET_ADMIN and CAP_SYS_ADMIN in effect, and the programs {@code ip}, {@code nft},
 * {@code epmd} and {@code dnsmasq} on the PATH. Each missing piece is named with the way to get it.
 */
final class Preconditions {

    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_SYS_ADMIN = 21;

    private Preconditions() {
    }

    /** Throws naming every missing right and program; returns quietly when nothing is missing. */
    static void require(String... programs) {
        List<String> missing = new ArrayList<>();
        String status = procStatus();
        if (!field(status, "Uid:").map(v -> v.split("\\s+")[1]).orElse("").equals("0")) {
            missing.add("multi-host tests need root to create network namespaces (ip netns add):"
                    + " run bin/test as root");
        }
        long caps = field(status, "CapEff:").map(v -> Long.parseUnsignedLong(v, 16)).orElse(0L);
        if ((caps & (1L << CAP_NET_ADMIN)) == 0) {
            missing.add("CAP_NET_ADMIN is not in effect (needed for links, addresses and nftables):"
                    + " run as root outside a restricted container, or give the container NET_ADMIN");
        }
        if ((caps & (1L << CAP_SYS_ADMIN)) == 0) {
            missing.add("CAP_SYS_ADMIN is not in effect (ip netns add/exec mount namespaces):"
                    + " run as root outside a restricted container, or give the container SYS_ADMIN");
        }
        for (String program : programs) {
            if (which(program).isEmpty()) {
                missing.add("'" + program + "' is not on the PATH (" + System.getenv("PATH") + "): "
                        + "apt-get install -y " + debianPackage(program));
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("cannot build the test network:\n  - "
                    + String.join("\n  - ", missing));
        }
    }

    static Optional<Path> which(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static String debianPackage(String program) {
        return switch (program) {
            case "ip" -> "iproute2";
            case "nft" -> "nftables";
            case "epmd" -> "erlang-base";
            case "dnsmasq" -> "dnsmasq-base";
            default -> program;
        };
    }

    private static String procStatus() {
        try {
            return Files.readString(Path.of("/proc/self/status"));
        } catch (IOException e) {
            throw new IllegalStateException("multi-host tests need Linux (/proc/self/status unreadable)", e);
        }
    }

    private static Optional<String> field(String status, String name) {
        return status.lines().filter(l -> l.startsWith(name))
                .map(l -> l.substring(name.length()).strip()).findFirst();
    }
}
