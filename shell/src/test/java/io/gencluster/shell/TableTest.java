package io.gencluster.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void columnsAlignOnTheWidestCellOfEachColumnAndNoLineEndsInSpaces() {
        String out = new Table("NODE", "STATUS", "LAST ERROR")
                .row("b@127.0.0.1", "connected", null)
                .row("long-name@10.0.0.22", "backing off", "connection refused")
                .render();
        assertEquals(""
                + "NODE                 STATUS       LAST ERROR\n"
                + "b@127.0.0.1          connected    -\n"
                + "long-name@10.0.0.22  backing off  connection refused\n", out);
        for (String line : out.split("\n")) {
            assertTrue(!line.endsWith(" "), "'" + line + "'");
        }
    }

    @Test
    void aHeaderWiderThanEveryCellSetsTheWidth() {
        assertEquals("DISCOVERED  X\nyes         1\n", new Table("DISCOVERED", "X").row("yes", 1).render());
    }

    @Test
    void anEmptyTableIsItsHeader() {
        assertEquals("NODE  PORT\n", new Table("NODE", "PORT").render());
    }

    @Test
    void emptyCellsAndLineBreaksCannotBreakTheLayout() {
        assertEquals("A  B\n-  x y\n", new Table("A", "B").row("", "x\ny").render());
    }

    @Test
    void aRowWithTheWrongNumberOfCellsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Table("A", "B").row("only one"));
        assertTrue(e.getMessage().contains("1 cells for 2 columns"), e.getMessage());
    }
}
