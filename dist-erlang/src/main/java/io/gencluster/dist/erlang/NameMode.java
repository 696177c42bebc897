package io.gencluster.dist.erlang;

import io.gencluster.api.NodeName;

/**
 * Short names ({@code erl -sname}: a host without dots) or long names ({@code erl -name}: a fully
 * qualified host, or an IP address). Erlang nodes of one kind refuse the other, so a Java node
 * takes the kind its own name implies and refuses the other kind with a log line saying so.
 */
enum NameMode {
    SHORT, LONG;

    static NameMode of(NodeName node) {
        String host = node.host();
        return host.indexOf('.') >= 0 || host.indexOf(':') >= 0 ? LONG : SHORT;
    }

    String option() {
        return this == SHORT ? "short names (-sname)" : "long names (-name)";
    }
}
