package io.gencluster.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loopback ports that nothing listens on, for the nodes a test starts. Ports asked for one at a
 * time, each socket closed before the next is opened, can come back the same (the kernel may
 * hand out a port it just freed): every socket here stays open until all are chosen.
 */
public final class FreePorts {

    private FreePorts() {
    }

    /** One port of 127.0.0.1, free when this returns. */
    public static int one() throws IOException {
        return distinct(1)[0];
    }

    /** A port of its own for each of {@code names}, in their order. */
    public static Map<String, Integer> forNames(String... names) throws IOException {
        int[] free = distinct(names.length);
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            ports.put(names[i], free[i]);
        }
        return ports;
    }

    /** {@code n} distinct ports of 127.0.0.1, free when this returns. */
    public static int[] distinct(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }
}
