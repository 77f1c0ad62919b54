package io.marketplaceindex.testsupport;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParseResult;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.body.BodyDeclaration;
import com.github.javaparser.ast.body.CallableDeclaration;
import com.github.javaparser.ast.body.CompactConstructorDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The size rules of the project's guide for main code, over every module's {@code src/main/java}:
 * methods (and constructors) of at most 60 lines, files under 400. A method that grows past the limit
 * fails here, in seconds and without any service, rather than in a later read of the tree.
 */
class SourceSizeTest {

    private static final int MAX_METHOD_LINES = 60;
    private static final int MAX_FILE_LINES = 399;
    private final Path root = findRoot();
    private final JavaParser parser = new JavaParser(new ParserConfiguration()
            .setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17));

    @Test
    void mainCodeMethodsStayWithinSixtyLines() {
        List<String> tooLong = new ArrayList<>();
        for (Path file : mainSources()) {
            for (Measured method : methods(parse(file))) {
                if (method.lines() > MAX_METHOD_LINES) {
                    tooLong.add(method.name() + " (" + method.lines() + " lines, " + root.relativize(file) + ")");
                }
            }
        }
        assertThat(tooLong).as("main-code methods over " + MAX_METHOD_LINES + " lines").isEmpty();
    }

    @Test
    void mainCodeFilesStayUnderFourHundredLines() {
        List<String> tooLong = new ArrayList<>();
        for (Path file : mainSources()) {
            int lines = lines(file);
            if (lines > MAX_FILE_LINES) {
                tooLong.add(root.relativize(file) + " (" + lines + " lines)");
            }
        }
        assertThat(tooLong).as("main-code files of 400 lines or more").isEmpty();
    }

    @Test
    void aMethodCountsFromItsFirstAnnotationToItsClosingBraceWithoutItsComment() {
        CompilationUnit unit = parser.parse("""
                record Settings(int size) {
                    /** not counted */
                    Settings {
                        check(size);
                    }

                    @Deprecated
                    static int twice(int size) {
                        int doubled = size * 2;
                        return doubled;
                    }

                    class Inner {
                        Inner() {
                        }
                    }
                }
                """).getResult().orElseThrow();

        assertThat(methods(unit)).containsExactly(new Measured("Settings.Settings", 3),
                new Measured("Settings.twice", 5), new Measured("Inner.Inner", 2));
    }

    /** A method, constructor or compact constructor as {@code Type.name}, and its length in lines. */
    record Measured(String name, int lines) {
    }

    private List<Measured> methods(CompilationUnit unit) {
        List<Measured> measured = new ArrayList<>();
        for (BodyDeclaration<?> declaration : unit.findAll(BodyDeclaration.class)) {
            String name;
            if (declaration instanceof CallableDeclaration<?> callable) {
                name = callable.getNameAsString();
            } else if (declaration instanceof CompactConstructorDeclaration compact) {
                name = compact.getNameAsString();
            } else {
                continue;
            }
            String type = declaration.findAncestor(TypeDeclaration.class).map(t -> t.getNameAsString()).orElse("?");
            measured.add(new Measured(type + "." + name, lines(declaration)));
        }
        return measured;
    }

    private static int lines(Node node) {
        return node.getEnd().orElseThrow().line - node.getBegin().orElseThrow().line + 1;
    }

    private CompilationUnit parse(Path file) {
        try {
            ParseResult<CompilationUnit> result = parser.parse(file);
            assertThat(result.isSuccessful()).as("parses: " + file + " " + result.getProblems()).isTrue();
            return result.getResult().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int lines(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return (int) lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every {@code .java} file under a module's {@code src/main/java}. */
    private List<Path> mainSources() {
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.sorted().toList()) {
                Path main = module.resolve("src/main/java");
                if (Files.isDirectory(main)) {
                    try (Stream<Path> files = Files.walk(main)) {
                        files.filter(p -> p.toString().endsWith(".java")).sorted().forEach(sources::add);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(sources).as("main sources found under " + root).isNotEmpty();
        return sources;
    }

    /** The project's root, found from the working directory (a module's, in a build) upwards. */
    private static Path findRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("test-support/pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("project root not found from " + Path.of("").toAbsolutePath());
    }
}
