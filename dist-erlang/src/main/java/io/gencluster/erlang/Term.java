package io.gencluster.erlang;

/**
 * An Erlang term. Every implementation is an immutable value: equal terms are {@code equals},
 * safe to share between threads, and encode to the same bytes.
 */
public sealed interface Term permits ErlAtom, ErlInteger, ErlFloat, ErlBinary, ErlList, ErlTuple, ErlMap,
        ErlPid, ErlRef, ErlPort {
}
