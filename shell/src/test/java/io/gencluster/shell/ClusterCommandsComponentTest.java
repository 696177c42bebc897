package io.gencluster.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What an operator reads when a command fails: one line naming the command and why, never an exception. */
class ClusterCommandsComponentTest {

    /** No Cluster, ClusterControl or Messenger bound: what a shell sees before io.gencluster.cfg exists. */
    private final ClusterCommandsComponent shell = new ClusterCommandsComponent();

    @Test
    void aCommandThatCannotRunPrintsOneLineNamingItAndWhy() {
        assertEquals("cluster:connect: " + ClusterCommands.NO_CLUSTER + "\n", shell.connect("b@127.0.0.1"));
        assertEquals("cluster:status: " + ClusterCommands.NO_CLUSTER + "\n", shell.status());
        assertEquals("cluster:send: no Messenger service: no transport that carries messages is running\n",
                shell.send("b@127.0.0.1", "inbox", "hi"));
    }

    @Test
    void everyCommandHasTheDescriptionHelpShows() {
        for (java.lang.reflect.Method m : ClusterCommandsComponent.class.getDeclaredMethods()) {
            if (java.lang.reflect.Modifier.isPublic(m.getModifiers())) {
                assertTrue(m.isAnnotationPresent(org.apache.felix.service.command.Descriptor.class), m.getName());
            }
        }
    }

    @Test
    void aBadNodeNameIsOneLineToo() {
        String out = shell.connect("no-at-sign");
        assertTrue(out.startsWith("cluster:connect: ") && out.endsWith("\n") && out.indexOf('\n') == out.length() - 1, out);
        assertTrue(out.contains("no-at-sign"), out);
    }
}
