package io.nightshift.agent.sandbox;

import io.nightshift.api.json.Json;
import io.nightshift.api.protocol.CoordinatorMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One attempt's private working directory. The layout on disk is a contract (also in
 * {@code executors/SANDBOX.md}; keep both in step):
 * <pre>
 * &lt;agent.work-dir&gt;/
 * ├── agent-id                  this agent's id, generated once when agent.id is not set
 * ├── status-journal            status updates not yet acknowledged, one JSON line each
 * ├── epoch                     highest leader epoch seen in a Registered ("7\n"; fencing)
 * ├── seq                       (agents before the journal: last seq issued; still read once as a floor)
 * ├── artifact-cache/           the artifact cache: blobs/&lt;sha256&gt;, keys/, tmp/ (see ArtifactCache)
 * └── sandboxes/
 *     └── &lt;attemptId&gt;/          0750; the task's working directory (cwd)
 *         ├── task.json         the Launch message as received without its secrets' values, mode 0600 (env may hold secrets)
 *         ├── checkpoint.json   what a restarted agent needs to find the attempt again, mode 0600
 *         ├── stdout            the task's standard output, appended by the process itself
 *         ├── stderr            the task's standard error, appended by the process itself
 *         ├── exit              the command's exit code in decimal ("137\n"), written by the wrapper (a
 *         │                     plain redirection: only a whole line counts) or by the agent
 *         ├── &lt;destination&gt;     each artifact: hard link to its cache blob, or an unpacked archive's directory
 *         └── ...               anything the task writes
 * </pre>
 * The journal is {@code io.nightshift.agent.channel.StatusJournal}, the epoch file
 * {@code io.nightshift.agent.channel.Fencing}, the checkpoint {@link Checkpoint}; the wrapper that
 * writes {@code exit} is {@code io.nightshift.agent.process.Supervisor}'s.
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
    public static final String CHECKPOINT = "checkpoint.json";

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
        Files.writeString(tmp, Json.write(launch.withoutSecrets()), StandardCharsets.UTF_8); // secret values only in the task's env
        Files.move(tmp, sb.taskJson(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return sb;
    }

    /** An existing sandbox, or empty when there is none for that (valid) id. */
    public static Optional<Sandbox> open(Path sandboxesRoot, String attemptId) {
        if (!isValidAttemptId(attemptId)) return Optional.empty();
        Path dir = dirOf(sandboxesRoot, attemptId);
        return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                ? Optional.of(new Sandbox(attemptId, dir)) : Optional.empty();
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

    public Path checkpointFile() {
        return dir.resolve(CHECKPOINT);
    }

    /** Replaces the checkpoint atomically and durably (temp file, fsync, rename); mode 0600. */
    public void writeCheckpoint(Checkpoint checkpoint) throws IOException {
        if (!checkpoint.attemptId().equals(attemptId))
            throw new IllegalArgumentException("checkpoint of " + checkpoint.attemptId() + " in the sandbox of " + attemptId);
        Path tmp = dir.resolve(".checkpoint.json.tmp");
        byte[] bytes = Json.write(checkpoint).getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(false);
        }
        Files.move(tmp, checkpointFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The checkpoint, or empty when there is none (or it is unreadable: logged by the caller). */
    public Optional<Checkpoint> readCheckpoint() throws IOException {
        Path f = checkpointFile();
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        Checkpoint c = Json.mapper().readValue(Files.readString(f, StandardCharsets.UTF_8), Checkpoint.class);
        if (!c.attemptId().equals(attemptId)) throw new IOException("checkpoint names another attempt");
        return Optional.of(c);
    }

    /** The Launch kept in {@code task.json}. */
    public CoordinatorMessage.Launch readLaunch() throws IOException {
        CoordinatorMessage m = Json.mapper().readValue(Files.readString(taskJson(), StandardCharsets.UTF_8),
                CoordinatorMessage.class);
        if (!(m instanceof CoordinatorMessage.Launch l) || !attemptId.equals(l.attemptId()))
            throw new IOException("task.json does not hold this attempt's launch");
        return l;
    }

    /** Records the leader's exit code (atomically replaced, so a reader never sees half a number). */
    public void writeExitCode(int code) throws IOException {
        Path tmp = dir.resolve(".exit.tmp");
        Files.writeString(tmp, code + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, exitFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The recorded exit code, if any: a whole line (the wrapper writes its status with a plain shell redirection,
     * so an empty file or a line without its newline is one whose writer was killed before it finished).
     */
    public OptionalInt exitCode() {
        try {
            return parseExitCode(Files.readString(exitFile(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return OptionalInt.empty();
        }
    }

    static OptionalInt parseExitCode(String content) {
        if (!content.endsWith("\n")) return OptionalInt.empty();
        try {
            return OptionalInt.of(Integer.parseInt(content.trim()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
