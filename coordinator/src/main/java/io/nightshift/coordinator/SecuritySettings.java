package io.nightshift.coordinator;

import io.nightshift.api.config.Setting;
import java.time.Duration;
import java.util.List;

/** The coordinator's settings for secrets and abuse limits (issue 9), declared once; part of {@link CoordinatorSettings#ALL}. */
public final class SecuritySettings {
    private SecuritySettings() {
    }

    public static final Setting<String> SECRETS_KEY_FILE = Setting.string("coordinator.secrets.key-file", "",
            "File holding the AES-256 key (32 bytes, base64) that encrypts stored secrets; created with mode 0600 when "
                    + "absent. Empty: secrets.key in the data directory. Every coordinator of a cluster needs the same file.");

    public static final Setting<Double> SUBMIT_RATE = Setting.decimal("coordinator.submit.rate", 100.0, 0.01, 1_000_000.0,
            "Job submissions per second one token may sustain (a token bucket per token); over it: 429 with Retry-After.");
    public static final Setting<Integer> SUBMIT_BURST = Setting.integer("coordinator.submit.burst", 1_000, 1, 10_000_000,
            "Job submissions one token may make at once before coordinator.submit.rate applies (the bucket's size).");
    public static final Setting<Integer> MAX_QUEUED = Setting.integer("coordinator.queue.max-queued", 10_000, 1, 10_000_000,
            "Most jobs waiting (QUEUED) in one queue; a submit into a full queue gets 429 naming the queue and the cap.");
    public static final Setting<Integer> MAX_CONNECTIONS = Setting.integer("coordinator.http.max-connections", 20_000, 1, 10_000_000,
            "Most HTTP connections this coordinator keeps open at once (agents, event streams and API calls together); "
                    + "the first request of a connection over it gets 503 with Retry-After and the connection is closed.");
    public static final Setting<Duration> IDLE_TIMEOUT = Setting.duration("coordinator.http.idle-timeout", Duration.ofMinutes(10),
            Duration.ofSeconds(1), Duration.ofHours(24),
            "An HTTP connection that sends and receives nothing for this long is closed (event streams send a comment "
                    + "every 15 s and agents heartbeat, so they stay open; a log follow of a task that prints nothing for this long is closed).");

    public static final List<Setting<?>> ALL = List.of(SECRETS_KEY_FILE, SUBMIT_RATE, SUBMIT_BURST, MAX_QUEUED,
            MAX_CONNECTIONS, IDLE_TIMEOUT);
}
