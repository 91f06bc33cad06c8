package io.nightshift.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Properties;
import java.security.SecureRandom;

/** The agent's id (configured, or generated once and kept in {@code <work-dir>/agent-id}) and version. */
public final class AgentIdentity {
    public static final String ID_FILE = "agent-id";

    private AgentIdentity() {
    }

    /**
     * The configured id if given; otherwise the one in the work dir; otherwise a new one
     * ({@code <host>-<8 hex>}), written there so a restart keeps it.
     */
    public static String resolve(String configured, Path workDir, String host) {
        if (configured != null) return configured;
        Path file = workDir.resolve(ID_FILE);
        try {
            if (Files.exists(file)) {
                String id = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (id.matches(AgentSettings.ID_PATTERN)) return id;
                throw new IllegalStateException(file + " holds an invalid agent id; fix or delete it");
            }
            byte[] rnd = new byte[4];
            new SecureRandom().nextBytes(rnd);
            String prefix = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+", "");
            if (prefix.isEmpty()) prefix = "agent";
            if (prefix.length() > 60) prefix = prefix.substring(0, 60);
            String id = prefix + "-" + HexFormat.of().formatHex(rnd);
            Files.createDirectories(workDir);
            Path tmp = workDir.resolve(ID_FILE + ".tmp");
            Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the agent id in " + file, e);
        }
    }

    /** This build's version (from the jar's resources), "dev" when unknown. */
    public static String version() {
        try (InputStream in = AgentIdentity.class.getResourceAsStream("agent-version.properties")) {
            if (in == null) return "dev";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "dev");
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }
}
