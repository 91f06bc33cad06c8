package io.nightshift.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;

/** Jars and classes for jobs in tests and local mode, compiled here by the running JDK's compiler. */
public final class TestJars {
    private TestJars() {
    }

    /** Compiles {@code source} (one top-level class {@code className}, default package) into {@code dir}; returns {@code dir}. */
    public static Path classes(Path dir, String className, String source) {
        try {
            Path src = Files.createDirectories(dir.resolve("src")).resolve(className + ".java");
            Files.writeString(src, source);
            Path classes = Files.createDirectories(dir.resolve("classes"));
            int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.toString());
            if (rc != 0) throw new IllegalStateException("javac failed (" + rc + ") on " + src);
            return classes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same, as the bytes of a jar holding the class (built in {@code dir}). */
    public static byte[] jar(Path dir, String className, String source) {
        Path classes = classes(dir, className, source);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream j = new JarOutputStream(bytes)) {
            j.putNextEntry(new JarEntry(className + ".class"));
            j.write(Files.readAllBytes(classes.resolve(className + ".class")));
            j.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
