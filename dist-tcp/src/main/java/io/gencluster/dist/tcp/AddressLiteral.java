package io.gencluster.dist.tcp;

/**
 * A host written out as an IPv4 or IPv6 address, which {@link java.net.InetSocketAddress} parses
 * without asking DNS: dialling such a host cannot block, and a certificate names it by an IP
 * address entry rather than a DNS name.
 */
public final class AddressLiteral {

    private AddressLiteral() {
    }

    public static boolean is(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }
}
