package io.gencluster.itests.hosts;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Network faults made the way networks fail, each reversible. Packet faults live in an nftables
 * table of our own, {@code inet gct}, inside the faulty host's namespace (chains on the input and
 * output hooks); they DROP, never reject, so a peer sees silence and timeouts, not refusals.
 * {@link #heal} deletes a host's table. Link faults set the host's {@code eth0} down (inside the
 * host) or the switch's port {@code p<i>} down (a cable pulled at the switch). Deleting the
 * namespaces on {@link Network#close()} removes tables and links with them; {@link #healAll()}
 * undoes every fault while the network lives.
 */
public final class Faults {

    private static final Duration NFT_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+)");

    /** Packets a host's loss rules saw on eth0 and how many of them they dropped (both directions). */
    public record LossCount(long seen, long dropped) {
    }

    private final Set<Host> tables = new LinkedHashSet<>();
    private final Set<Host> linksDown = new LinkedHashSet<>();
    private final Set<Host> portsDown = new LinkedHashSet<>();

    Faults() {
    }

    /** Every packet between a and each of others dropped, both directions, in a's namespace. */
    public synchronized void blackHole(Host a, Collection<Host> others) {
        StringBuilder rules = new StringBuilder();
        for (Host o : others) {
            rules.append("add rule inet gct input ip saddr ").append(o.address()).append(" counter drop\n");
            rules.append("add rule inet gct output ip daddr ").append(o.address()).append(" counter drop\n");
        }
        nft(a, rules.toString());
    }

    /** Packets from→to dropped as they leave from; to→from still delivered. */
    public synchronized void dropOneWay(Host from, Host to) {
        nft(from, "add rule inet gct output ip daddr " + to.address() + " counter drop\n");
    }

    /** Random loss of {@code percent}% of the packets on h's eth0, in each direction. */
    public synchronized void loss(Host h, int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("percent: 0..100, not " + percent);
        }
        StringBuilder rules = new StringBuilder();
        for (String[] hook : new String[][] {{"input", "iifname"}, {"output", "oifname"}}) {
            String match = "add rule inet gct " + hook[0] + " " + hook[1] + " \"eth0\" ";
            rules.append(match).append("counter\n");
            if (percent > 0) { // a number mod 100 is 0..99: "< 100" is out of nft's range, "<= 99" is not
                rules.append(match).append("numgen random mod 100 <= ").append(percent - 1)
                        .append(" counter drop\n");
            }
        }
        nft(h, rules.toString());
    }

    /** What h's loss rules counted so far. */
    public synchronized LossCount lossCount(Host h) {
        String table = h.check(NFT_TIMEOUT, "nft", "list", "table", "inet", "gct").output();
        long seen = 0;
        long dropped = 0;
        for (String line : table.split("\n")) {
            if (!line.contains("eth0")) {
                continue;
            }
            Matcher m = COUNTER.matcher(line);
            if (m.find()) {
                long n = Long.parseLong(m.group(1));
                if (line.contains("numgen")) {
                    dropped += n;
                } else {
                    seen += n;
                }
            }
        }
        return new LossCount(seen, dropped);
    }

    /** Packets h's rules have dropped so far, all rules and both directions together. */
    public synchronized long dropped(Host h) {
        long n = 0;
        for (String line : rules(h).split("\n")) {
            Matcher m = COUNTER.matcher(line);
            if (line.strip().endsWith("drop") && m.find()) {
                n += Long.parseLong(m.group(1));
            }
        }
        return n;
    }

    /** Removes every packet fault of h (deletes its table). */
    public synchronized void heal(Host h) {
        if (tables.remove(h)) {
            h.check(NFT_TIMEOUT, "nft", "delete", "table", "inet", "gct");
        }
    }

    public synchronized void linkDown(Host h) {
        Network.ip("-n", h.namespace(), "link", "set", "eth0", "down");
        linksDown.add(h);
    }

    public synchronized void linkUp(Host h) {
        Network.ip("-n", h.namespace(), "link", "set", "eth0", "up");
        linksDown.remove(h);
    }

    /** The switch's port for h set down: h's own eth0 loses carrier, as with a pulled cable. */
    public synchronized void portDown(Host h) {
        Network.ip("-n", Network.switchNamespace(), "link", "set", h.switchPort(), "down");
        portsDown.add(h);
    }

    public synchronized void portUp(Host h) {
        Network.ip("-n", Network.switchNamespace(), "link", "set", h.switchPort(), "up");
        portsDown.remove(h);
    }

    /** Undoes every fault made through this object. */
    public synchronized void healAll() {
        List.copyOf(tables).forEach(this::heal);
        List.copyOf(linksDown).forEach(this::linkUp);
        List.copyOf(portsDown).forEach(this::portUp);
    }

    /** The packet rules of h as nft lists them (empty when h has none). */
    public synchronized String rules(Host h) {
        return tables.contains(h) ? h.check(NFT_TIMEOUT, "nft", "list", "table", "inet", "gct").output() : "";
    }

    private void nft(Host h, String rules) {
        String script = "add table inet gct\n"
                + "add chain inet gct input { type filter hook input priority 0; policy accept; }\n"
                + "add chain inet gct output { type filter hook output priority 0; policy accept; }\n"
                + rules;
        tables.add(h);
        Command.run(NFT_TIMEOUT, h.exec("nft", "-f", "-"), script).orThrow();
    }
}
