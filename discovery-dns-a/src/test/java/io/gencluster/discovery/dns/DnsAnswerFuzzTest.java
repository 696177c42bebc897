package io.gencluster.discovery.dns;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gencluster.api.Peer;
import io.gencluster.spi.DiscoveryException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;

/**
 * Whatever a DNS server answers, discovery returns peers or fails with a {@link DiscoveryException}
 * naming the problem, never anything else: the seed crashes its application on a bad answer. The
 * bytes are decoded as a DNS message, as the resolver decodes a datagram, and answer every query
 * of a lookup (its ID and, when the first byte says so, its question made to match, so that the
 * records reach the answer handling rather than being dropped as a mismatch). Regression mode
 * runs the committed inputs in mvn verify; JAZZER_FUZZ=1 fuzzes (see README).
 */
class DnsAnswerFuzzTest {

    private static final String[][] SHAPES = {
        {"A", "ip"}, {"A", "hostname"}, {"AAAA", "ip"}, {"SRV", "hostname"}, {"SRV", "ip"}, {"AAAA", "hostname"},
    };

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void anyAnswerGivesPeersOrADiscoveryError(FuzzedDataProvider data) {
        int control = data.consumeInt(0, 255);
        String[] shape = SHAPES[(control >>> 1) % SHAPES.length];
        byte[] answer = data.consumeRemainingAsBytes();
        DnsSettings settings = new DnsSettings("nodes.test", shape[0], "", shape[1], List.of(), 0, List.of("search.test"), 1000);
        DnsDiscovery discovery = new DnsDiscovery(settings, () -> "self", new Answering(answer, (control & 1) == 1));
        try {
            Set<Peer> peers = discovery.peers();
            for (Peer p : peers) {
                if (!p.node().name().equals("self")) {
                    throw new AssertionError("peer " + p + " does not carry the basename");
                }
            }
        } catch (DiscoveryException expected) {
            if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                throw new AssertionError("a discovery error without a reason", expected);
            }
        }
    }

    /** A resolver whose every reply is the fuzzed message. */
    private static final class Answering implements Resolver {
        private final byte[] wire;
        private final boolean matchQuestion;

        Answering(byte[] wire, boolean matchQuestion) {
            this.wire = wire;
            this.matchQuestion = matchQuestion;
        }

        @Override
        public CompletionStage<Message> sendAsync(Message query, Executor executor) {
            Message reply;
            try {
                reply = new Message(wire); // what SimpleResolver does with a datagram
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            reply.getHeader().setID(query.getHeader().getID());
            if (matchQuestion) {
                reply.removeAllRecords(Section.QUESTION);
                reply.addRecord(query.getQuestion(), Section.QUESTION);
            }
            return CompletableFuture.completedFuture(reply);
        }

        @Override
        public Message send(Message query) throws IOException {
            try {
                return sendAsync(query, Runnable::run).toCompletableFuture().join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof IOException) {
                    throw (IOException) e.getCause();
                }
                throw e;
            }
        }

        @Override
        public CompletionStage<Message> sendAsync(Message query) {
            return sendAsync(query, Runnable::run);
        }

        @Override
        public void setPort(int port) {
        }

        @Override
        public void setTCP(boolean flag) {
        }

        @Override
        public void setIgnoreTruncation(boolean flag) {
        }

        @Override
        public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
        }

        @Override
        public void setTSIGKey(TSIG key) {
        }

        @Override
        public void setTimeout(Duration timeout) {
        }
    }
}
