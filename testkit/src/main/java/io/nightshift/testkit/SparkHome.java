package io.nightshift.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * The Spark home this build assembled from Spark's jars on Maven Central (module {@code spark-home}:
 * {@code spark-home/target/spark-home}, with {@code bin/spark-submit} and {@code jars/}), found through the
 * {@code io/nightshift/spark-home.properties} its jar carries.
 */
public record SparkHome(String version, Path path) {

    /** The built Spark home; empty when the properties are not on the classpath or the directory is gone. */
    public static Optional<SparkHome> local() {
        try (InputStream in = SparkHome.class.getResourceAsStream("/io/nightshift/spark-home.properties")) {
            if (in == null) return Optional.empty();
            Properties p = new Properties();
            p.load(in);
            Path path = Path.of(p.getProperty("path"));
            if (!Files.isExecutable(path.resolve("bin/spark-submit")) || !Files.isDirectory(path.resolve("jars")))
                return Optional.empty();
            return Optional.of(new SparkHome(p.getProperty("version"), path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The built Spark home, or an error saying how to build it. */
    public static SparkHome require() {
        return local().orElseThrow(() -> new IllegalStateException(
                "no Spark home: build it with ./mvnw -pl spark-home package (it assembles spark-home/target/spark-home)"));
    }

    /** The value of {@code agent.spark.homes} for this home alone. */
    public String setting() {
        return version + "=" + path;
    }

    /** Its jars, as a classpath entry ({@code jars/*}). */
    public String jarsClasspath() {
        return path.resolve("jars") + "/*";
    }
}
