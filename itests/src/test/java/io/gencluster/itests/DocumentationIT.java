package io.gencluster.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation stays what a newcomer can use: the README reads in five minutes, every
 * reference in {@code docs/} is reachable from it, and no relative link of any Markdown file in
 * the repository leads nowhere — the file exists and, for {@code #anchor} links, so does the
 * heading (anchors as GitHub makes them from a heading's text).
 */
class DocumentationIT {

    /** The README's budget: what it is, the two commands, a node in three files, a map, links. */
    private static final int README_MAX_LINES = 250;
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    private final Path root = Path.of(System.getProperty("repository.root")).toAbsolutePath().normalize();

    @Test
    void theReadmeReadsInFiveMinutes() throws IOException {
        List<String> lines = Files.readAllLines(root.resolve("README.md"));
        assertTrue(lines.size() <= README_MAX_LINES,
                "README.md has " + lines.size() + " lines, more than " + README_MAX_LINES + ": move the reference into docs/");
    }

    @Test
    void everyDocumentInDocsIsLinkedFromTheReadme() throws IOException {
        Set<Path> linked = new TreeSet<>();
        for (Link link : links(root.resolve("README.md"))) {
            linked.add(link.file());
        }
        List<Path> docs;
        try (Stream<Path> files = Files.list(root.resolve("docs"))) {
            docs = files.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
        assertFalse(docs.isEmpty(), "no documents in " + root.resolve("docs"));
        List<String> unlinked = docs.stream().filter(d -> !linked.contains(d)).map(d -> root.relativize(d).toString()).toList();
        assertEquals(List.of(), unlinked, "documents the README does not link to");
    }

    @Test
    void everyRelativeLinkNamesAFileThatExistsAndAHeadingItHas() throws IOException {
        List<Path> markdown = markdownFiles();
        assertTrue(markdown.contains(root.resolve("README.md")), "README.md not found under " + root);
        Map<Path, Set<String>> anchors = new HashMap<>();
        List<String> broken = new ArrayList<>();
        for (Path file : markdown) {
            for (Link link : links(file)) {
                String where = root.relativize(file) + ":" + link.line() + " (" + link.target() + ")";
                if (!Files.exists(link.file())) {
                    broken.add(where + ": no such file");
                } else if (link.anchor() != null) {
                    if (!link.file().toString().endsWith(".md")) {
                        broken.add(where + ": an anchor into a file that is not Markdown");
                    } else if (!anchors.computeIfAbsent(link.file(), DocumentationIT::headingAnchors).contains(link.anchor())) {
                        broken.add(where + ": no heading with that anchor");
                    }
                }
            }
        }
        assertEquals(List.of(), broken, "broken relative links");
    }

    @Test
    void onlyTheReadmeComparesWithTheErlangOriginal() throws IOException {
        Pattern original = Pattern.compile("\\bseed\\b|\\bgen_cluster\\b", Pattern.CASE_INSENSITIVE);
        List<String> found = new ArrayList<>();
        for (Path file : markdownFiles()) {
            if (file.equals(root.resolve("README.md"))) {
                continue;
            }
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (original.matcher(lines.get(i)).find()) {
                    found.add(root.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        assertEquals(List.of(), found, "the comparison with the Erlang original belongs in the README's own section");
    }

    /** One relative link: where it is, what it says, the file it names and the anchor, if any. */
    record Link(int line, String target, Path file, String anchor) {
    }

    /** The relative links of a Markdown file, outside fenced code blocks and code spans. */
    private List<Link> links(Path file) throws IOException {
        List<Link> links = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        boolean fenced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.strip().startsWith("```") || line.strip().startsWith("~~~")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher m = LINK.matcher(CODE_SPAN.matcher(line).replaceAll("``"));
            while (m.find()) {
                String target = m.group(1);
                if (SCHEME.matcher(target).find()) {
                    continue;
                }
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = path.isEmpty() ? file
                        : path.startsWith("/") ? root.resolve(path.substring(1)) : file.getParent().resolve(path);
                links.add(new Link(i + 1, target, resolved.normalize(), anchor));
            }
        }
        return links;
    }

    /** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces as dashes, repeats numbered. */
    private static Set<String> headingAnchors(Path file) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.strip().startsWith("```") || line.strip().startsWith("~~~")) {
                    fenced = !fenced;
                }
                Matcher h = HEADING.matcher(line);
                if (fenced || !h.matches()) {
                    continue;
                }
                String text = h.group(1).replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "").replace("*", "");
                String anchor = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "").replace(' ', '-');
                int repeat = seen.merge(anchor, 1, Integer::sum) - 1;
                anchors.add(repeat == 0 ? anchor : anchor + "-" + repeat);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
        return anchors;
    }

    /** Every Markdown file of the repository, build output and hidden directories (.git, .m2) left out. */
    private List<Path> markdownFiles() throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String name = dir.getFileName().toString();
                return !dir.equals(root) && (name.equals("target") || name.startsWith("."))
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && file.getFileName().toString().endsWith(".md")) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        found.sort(null);
        return found;
    }
}
