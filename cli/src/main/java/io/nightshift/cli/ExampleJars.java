package io.nightshift.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The example jobs as a jar of their own, as a Spark or Hadoop driver needs it: only {@code io/nightshift/examples/}
 * classes, copied from wherever they are on this classpath (the examples jar, a classes directory in a development
 * build, or the CLI's shaded jar, whose Jackson and Hadoop-free classes must not reach a Spark driver's classpath).
 */
final class ExampleJars {
    static final String PREFIX = "io/nightshift/examples/";

    private ExampleJars() {
    }

    /** The example classes (and their resources) as jar bytes; at most 64 MiB. */
    static byte[] examples() {
        Path where = DemoCommand.examplesJar();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes)) {
            if (Files.isDirectory(where)) {
                try (Stream<Path> files = Files.walk(where.resolve(PREFIX))) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                        out.putNextEntry(new JarEntry(where.relativize(f).toString().replace('\\', '/')));
                        Files.copy(f, out);
                        out.closeEntry();
                    }
                }
            } else {
                try (JarFile jar = new JarFile(where.toFile())) {
                    for (JarEntry e : (Iterable<JarEntry>) jar.stream().filter(e -> !e.isDirectory()
                            && e.getName().startsWith(PREFIX)).sorted(java.util.Comparator.comparing(JarEntry::getName))::iterator) {
                        out.putNextEntry(new JarEntry(e.getName()));
                        try (InputStream in = jar.getInputStream(e)) {
                            in.transferTo(out);
                        }
                        out.closeEntry();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the examples jar from " + where + ": " + e.getMessage(), e);
        }
        if (bytes.size() > 64 << 20) throw new IllegalStateException("the examples jar is over 64 MiB");
        return bytes.toByteArray();
    }

    /** {@link #examples()} written to {@code file}. */
    static Path examples(Path file) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, examples());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
