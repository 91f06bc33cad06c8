package io.nightshift.agent.sandbox;

import io.nightshift.api.json.Json;
import io.nightshift.api.protocol.CoordinatorMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * One attempt's private working directory. The layout on disk is a contract (also in
 * {@code executors/SANDBOX.md}; keep both in step):
 * <pre>
 * &lt;agent.work-dir&gt;/
 * ├── agent-id                  this agent's id, generated once when agent.id is not set
 * ├── seq                       last status-update sequence number issued (never goes backwards)
 * └── sandboxes/
 *     └── &lt;attemptId&gt;/          0750; the task's working directory (cwd)
 *         ├── task.json         the Launch message as received, mode 0600 (env may hold secrets)
 *         ├── stdout            the task's standard output, appended by the process itself
 *         ├── stderr            the task's standard error, appended by the process itself
 *         ├── exit              the leader's exit code in decimal ("137\n"), once it is known
 *         └── ...               anything the task writes (artifacts, later: fetched files)
 * </pre>
 * {@code attemptId} must match {@link #ATTEMPT_ID} (letters, digits, {@code _ - .}, not starting
 * with a dot), so it is always exactly one path component inside {@code sandboxes/}.
 */
public final class Sandbox {
    /** Valid attempt ids, e.g. {@code myjob.r1.0.1}: one safe path component, at most 200 characters. */
    public static final Pattern ATTEMPT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,199}");

    public static final String STDOUT = "stdout";
    public static final String STDERR = "stderr";
    public static final String TASK_JSON = "task.json";
    public static final String EXIT = "exit";

    private final String attemptId;
    private final Path dir;

    private Sandbox(String attemptId, Path dir) {
        this.attemptId = attemptId;
        this.dir = dir;
    }

    public static boolean isValidAttemptId(String attemptId) {
        return attemptId != null && ATTEMPT_ID.matcher(attemptId).matches();
    }

    /** The directory of {@code attemptId} under {@code sandboxesRoot}; rejects an id that is not one safe component. */
    public static Path dirOf(Path sandboxesRoot, String attemptId) {
        if (!isValidAttemptId(attemptId))
            throw new IllegalArgumentException("invalid attempt id: must match " + ATTEMPT_ID.pattern());
        Path dir = sandboxesRoot.resolve(attemptId).normalize();
        if (!dir.getParent().equals(sandboxesRoot.normalize()))
            throw new IllegalArgumentException("invalid attempt id: resolves outside the sandboxes directory");
        return dir;
    }

    /**
     * Creates (or, when called again for the same attempt, re-uses) the sandbox: the directory, empty
     * {@code stdout}/{@code stderr}, and {@code task.json} written with mode 0600 from the start.
     * Safe to repeat.
     */
    public static Sandbox create(Path sandboxesRoot, CoordinatorMessage.Launch launch) throws IOException {
        Path dir = dirOf(sandboxesRoot, launch.attemptId());
        Files.createDirectories(sandboxesRoot);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
        }
        Sandbox sb = new Sandbox(launch.attemptId(), dir);
        for (Path f : new Path[]{sb.stdout(), sb.stderr()}) {
            if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) Files.createFile(f);
        }
        Path tmp = dir.resolve(".task.json.tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, Json.write(launch), StandardCharsets.UTF_8);
        Files.move(tmp, sb.taskJson(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return sb;
    }

    /** An existing sandbox, or empty when there is none for that (valid) id. */
    public static java.util.Optional<Sandbox> open(Path sandboxesRoot, String attemptId) {
        if (!isValidAttemptId(attemptId)) return java.util.Optional.empty();
        Path dir = dirOf(sandboxesRoot, attemptId);
        return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                ? java.util.Optional.of(new Sandbox(attemptId, dir)) : java.util.Optional.empty();
    }

    public String attemptId() {
        return attemptId;
    }

    public Path dir() {
        return dir;
    }

    public Path stdout() {
        return dir.resolve(STDOUT);
    }

    public Path stderr() {
        return dir.resolve(STDERR);
    }

    public Path taskJson() {
        return dir.resolve(TASK_JSON);
    }

    public Path exitFile() {
        return dir.resolve(EXIT);
    }

    /** Records the leader's exit code (atomically replaced, so a reader never sees half a number). */
    public void writeExitCode(int code) throws IOException {
        Path tmp = dir.resolve(".exit.tmp");
        Files.writeString(tmp, code + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, exitFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The recorded exit code, if any. */
    public OptionalInt exitCode() {
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(exitFile(), StandardCharsets.US_ASCII).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
