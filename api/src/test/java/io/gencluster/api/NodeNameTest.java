package io.gencluster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NodeNameTest {

    @Test
    void parsesNameAndHost() {
        NodeName n = NodeName.parse("app_1-a@host.example.com");
        assertEquals("app_1-a", n.name());
        assertEquals("host.example.com", n.host());
        assertEquals("app_1-a@host.example.com", n.toString());
        assertEquals(n, NodeName.of("app_1-a", "host.example.com"));
    }

    @Test
    void acceptsIpAddressesAsHosts() {
        assertEquals("10.0.0.7", NodeName.parse("a@10.0.0.7").host());
        assertEquals("::1", NodeName.parse("a@::1").host());
    }

    @Test
    void aMissingAtSignIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeName.parse("justname"));
        assertTrue(e.getMessage().contains("'justname'") && e.getMessage().contains("name@host"), e.getMessage());
    }

    @Test
    void aBadNamePartIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeName.parse("bad.name@h"));
        assertTrue(e.getMessage().contains("name part 'bad.name'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NodeName.parse("@h"));
        assertThrows(IllegalArgumentException.class, () -> NodeName.parse("a!@h"));
        assertThrows(IllegalArgumentException.class, () -> NodeName.of("a".repeat(256), "h"));
    }

    @Test
    void aBadHostPartIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeName.parse("a@"));
        assertTrue(e.getMessage().contains("host part ''"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NodeName.parse("a@my host"));
        assertTrue(e.getMessage().contains("host part 'my host'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NodeName.parse("a@b@c"));
    }

    @Test
    void ordersByHostThenName() {
        assertTrue(NodeName.parse("z@a").compareTo(NodeName.parse("a@b")) < 0);
        assertTrue(NodeName.parse("a@h").compareTo(NodeName.parse("b@h")) < 0);
        assertEquals(0, NodeName.parse("a@h").compareTo(NodeName.parse("a@h")));
    }
}
