package io.gencluster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Node names and peers come from configuration, DNS answers, EPMD replies and the wire: any text
 * either parses (and survives a round trip) or is refused with IllegalArgumentException.
 * Regression mode runs the committed inputs in mvn verify; JAZZER_FUZZ=1 fuzzes (see README).
 */
class NameFuzzTest {

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void nodeNamesParseOrAreRefused(String text) {
        if (text == null) {
            return; // null is a programming error (NullPointerException), never input
        }
        try {
            NodeName n = NodeName.parse(text);
            assertEquals(n, NodeName.parse(n.toString()));
        } catch (IllegalArgumentException expected) {
            // refused, with a message naming the bad part
        }
    }

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void peersParseOrAreRefused(String text) {
        if (text == null) {
            return;
        }
        try {
            Peer p = Peer.parse(text);
            assertEquals(p, Peer.parse(p.toString()));
        } catch (IllegalArgumentException expected) {
            // refused
        }
    }
}
