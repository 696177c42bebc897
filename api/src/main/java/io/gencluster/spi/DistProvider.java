package io.gencluster.spi;

import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Starts a transport without OSGi. A transport module offers one through
 * {@link java.util.ServiceLoader} (a {@code provides} clause, or {@code META-INF/services} on the
 * class path); the runtime's plain-Java launcher uses it. In OSGi the transport's DS component
 * does the same job and this interface is not used.
 *
 * <p>Configuration stays typed: {@link #configurationType()} is the same annotation interface the
 * DS component reads, and the launcher fills it from the same keys as the transport's
 * {@code .cfg} file, as DS does (method {@code tick_ms()} is key {@code tick.ms}; an absent key
 * gives the method's default).
 *
 * @param <C> the configuration type, an annotation interface
 */
@ConsumerType
public interface DistProvider<C> {

    /** The configuration PID, as in OSGi, such as {@code io.gencluster.dist.tcp}. */
    String pid();

    /** The annotation interface that describes the configuration. */
    Class<C> configurationType();

    /**
     * Starts the transport: it listens when this returns.
     *
     * @throws IllegalArgumentException naming the key and the value of a bad setting
     * @throws IOException when it cannot listen
     */
    Dist start(C configuration) throws IOException;

    /** Stops a transport started by {@link #start}: every connection closed, every thread ended. */
    void stop(Dist dist);
}
