package io.gencluster.itests.hosts;

import java.util.Hashtable;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.InitialDirContext;

/**
 * A command run inside a host ({@code java -cp test-classes ... SrvLookup NAME}): prints the SRV
 * records of NAME, one per line ("priority weight port target"), asking the name servers of the
 * host's /etc/resolv.conf (the one {@code ip netns exec} bind-mounts from /etc/netns). Exits 2 when
 * the name has none. There is no dig on the test machines; the JDK's DNS provider does the query.
 */
public final class SrvLookup {

    private SrvLookup() {
    }

    public static void main(String[] args) throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, "dns:");
        env.put("com.sun.jndi.dns.timeout.initial", "1000");
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        InitialDirContext ctx = new InitialDirContext(env);
        try {
            Attribute srv = ctx.getAttributes(args[0], new String[] {"SRV"}).get("SRV");
            if (srv == null) {
                System.exit(2);
            }
            NamingEnumeration<?> values = srv.getAll();
            while (values.hasMore()) {
                System.out.println(values.next());
            }
        } catch (javax.naming.NameNotFoundException e) {
            System.exit(2);
        } finally {
            ctx.close();
        }
    }
}
