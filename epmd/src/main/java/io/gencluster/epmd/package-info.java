/**
 * Erlang's port mapper daemon protocol (EPMD), for whoever needs to find a node's port by name.
 *
 * <p>{@link io.gencluster.epmd.EpmdCodec} documents every byte of the wire format and is the only
 * place that reads or writes it. {@link io.gencluster.epmd.EpmdClient} asks one host's EPMD
 * (NAMES, PORT_PLEASE2) and registers a name (ALIVE2); {@link io.gencluster.epmd.EpmdRegistrar}
 * keeps a node registered for as long as its transport runs; {@link io.gencluster.epmd.PortMapper}
 * is an EPMD-compatible port mapper that a node serves itself when no EPMD runs. Discovery
 * strategies and transports use these classes; none of them is meant to be implemented elsewhere.
 */
@Version("1.1.0")
@Export
package io.gencluster.epmd;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
