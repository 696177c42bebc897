/**
 * Erlang terms for Java: immutable values for the external term format's integers, floats,
 * atoms, binaries, lists (improper ones included), tuples, maps, pids, references and ports; the
 * codec that reads and writes them ({@link io.gencluster.erlang.TermCodec}, every decode bounded);
 * and {@link io.gencluster.erlang.ErlangMessenger}, the service dist-erlang registers for sending
 * terms to Erlang processes.
 *
 * <p>Messages from Erlang reach a {@link io.gencluster.api.MessageHandler} as the message's
 * external-term-format bytes (version byte 131 first): decode them with
 * {@link io.gencluster.erlang.TermCodec#decode(byte[])}, or extend
 * {@link io.gencluster.erlang.TermMailbox}, which does.
 */
@Version("1.0.0")
@Export
package io.gencluster.erlang;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
