package io.gencluster.itests.hosts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code .cfg} files a pod of {@code examples/kubernetes} gets, read from the shipped
 * {@code configmap.yaml} and completed as its {@code deployment.yaml} does: the init container
 * writes the transport's template with the pod's IP and copies every file, and the cookie is the
 * Secret mounted at {@code /etc/gen-cluster/cookie}. Nothing else is changed, so a test of these
 * files is a test of what the example tells a user to deploy.
 */
final class KubernetesExample {

    /** Where deployment.yaml mounts the cookie Secret; a test puts its own file there instead. */
    static final String SECRET_COOKIE = "/etc/gen-cluster/cookie/cookie";
    private static final String TEMPLATE_SUFFIX = ".template";

    private final Map<String, String> files;

    private KubernetesExample(Map<String, String> files) {
        this.files = files;
    }

    /** Reads the ConfigMap's data: each key a file name, each value a literal block ({@code |}). */
    static KubernetesExample read(Path examples) throws IOException {
        List<String> lines = Files.readAllLines(examples.resolve("kubernetes/configmap.yaml"));
        Map<String, String> files = new LinkedHashMap<>();
        boolean inData = false;
        String file = null;
        StringBuilder body = new StringBuilder();
        for (String line : lines) {
            if (line.equals("data:")) {
                inData = true;
                continue;
            }
            if (!inData) {
                continue;
            }
            if (line.startsWith("  ") && !line.startsWith("    ") && line.trim().endsWith(": |")) {
                if (file != null) {
                    files.put(file, body.toString());
                }
                file = line.trim().substring(0, line.trim().length() - 3);
                body.setLength(0);
            } else if (line.startsWith("    ") && file != null) {
                body.append(line.substring(4)).append('\n');
            } else if (!line.isBlank()) {
                throw new IOException("configmap.yaml: unexpected line in data: '" + line + "'");
            }
        }
        if (file != null) {
            files.put(file, body.toString());
        }
        if (files.isEmpty()) {
            throw new IOException("configmap.yaml has no data files");
        }
        return new KubernetesExample(files);
    }

    /**
     * Writes one pod's configuration directory: templates with {@code ${POD_IP}} replaced and
     * renamed without {@code .template} (the init container's sed), the cookie path pointing at
     * {@code cookieFile} (the Secret's mount).
     */
    void writePodConf(Path conf, String podIp, Path cookieFile) throws IOException {
        Files.createDirectories(conf);
        for (Map.Entry<String, String> f : files.entrySet()) {
            String name = f.getKey();
            String text = f.getValue().replace(SECRET_COOKIE, cookieFile.toString());
            if (name.endsWith(TEMPLATE_SUFFIX)) {
                name = name.substring(0, name.length() - TEMPLATE_SUFFIX.length());
                text = text.replace("${POD_IP}", podIp);
            }
            Files.writeString(conf.resolve(name), text);
        }
    }

    /**
     * One pod of {@code statefulset.yaml}: its init container names the node
     * {@code app@<pod>.gen-cluster.default.svc.cluster.local} and sets {@code host.type = hostname};
     * its comment says to use SRV records with {@code record.type = SRV} and
     * {@code domain = _dist._tcp.gen-cluster.default}, which the user writes into the DNS file.
     */
    void writeStatefulSetPodConf(Path conf, String podName, Path cookieFile) throws IOException {
        writePodConf(conf, "${POD_IP}", cookieFile);
        Path tcp = conf.resolve("io.gencluster.dist.tcp.cfg");
        Files.writeString(tcp, Files.readString(tcp).replace("app@${POD_IP}",
                "app@" + podName + ".gen-cluster.default.svc.cluster.local"));
        Path dns = conf.resolve("io.gencluster.discovery.dns.cfg");
        String text = Files.readString(dns).replace("host.type = ip", "host.type = hostname")
                .replace("domain = gen-cluster.default", "domain = _dist._tcp.gen-cluster.default")
                .replace("record.type = A", "record.type = SRV");
        Files.writeString(dns, text);
    }

    /** The value of {@code key} in the ConfigMap's file {@code name}, or null. */
    String value(String name, String key) {
        String text = files.get(name);
        if (text == null) {
            return null;
        }
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0 && line.substring(0, eq).trim().equals(key)) {
                return line.substring(eq + 1).trim();
            }
        }
        return null;
    }
}
