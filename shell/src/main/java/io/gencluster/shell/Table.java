package io.gencluster.shell;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A text table with a header row and columns aligned by padding, two spaces apart; the last
 * column is not padded, so no line ends in spaces. An absent cell ({@code null} or empty) prints
 * as {@code -}, so every column of every row has a word and the output splits on whitespace.
 */
final class Table {

    static final String ABSENT = "-";
    private static final String GAP = "  ";

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
        if (headers.length == 0) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        this.headers = List.of(headers);
    }

    /** Adds a row of exactly one cell per column; cells are printed with {@code toString()}. */
    Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("row " + Arrays.toString(cells) + " has " + cells.length
                    + " cells for " + headers.size() + " columns " + headers);
        }
        List<String> row = new ArrayList<>(cells.length);
        for (Object c : cells) {
            String text = c == null ? "" : c.toString().replace('\n', ' ');
            row.add(text.isEmpty() ? ABSENT : text);
        }
        rows.add(row);
        return this;
    }

    /** The table, one line per row after the header, each line ending in a newline. */
    String render() {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headers, widths);
        rows.forEach(r -> line(out, r, widths));
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] widths) {
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            out.append(cell);
            if (i < cells.size() - 1) {
                out.append(" ".repeat(widths[i] - cell.length())).append(GAP);
            }
        }
        out.append('\n');
    }
}
