package io.gencluster.erlang;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Whatever bytes a message carries, decoding either yields a term that encodes and decodes back
 * to itself, or fails with a TermFormatException naming the problem; never another exception, and
 * never an unbounded allocation. Regression mode runs the committed inputs in mvn verify;
 * JAZZER_FUZZ=1 fuzzes (see README).
 */
class TermFuzzTest {

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void decodingAnyBytesIsBoundedAndRoundTrips(byte[] bytes) {
        Term t;
        try {
            t = TermCodec.decode(bytes);
        } catch (TermFormatException expected) {
            return; // refused, with a reason
        }
        try {
            Term again = TermCodec.decode(TermCodec.encode(t));
            if (!again.equals(t)) {
                throw new AssertionError("round trip changed " + t + " into " + again);
            }
        } catch (TermFormatException e) {
            throw new AssertionError("our own encoding of " + t + " does not decode: " + e.getMessage(), e);
        }
    }
}
