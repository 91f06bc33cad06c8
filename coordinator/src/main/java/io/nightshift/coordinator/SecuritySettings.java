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

    public static final Setting<java.nio.file.Path> TLS_CERT_FILE = Setting.path("coordinator.tls.cert-file", null,
            "PEM certificate chain of the REST API, event streams and agent channel; with coordinator.tls.key-file the "
                    + "coordinator serves https/wss only (a plain-http client cannot connect). Unset: plain http.");
    public static final Setting<java.nio.file.Path> TLS_KEY_FILE = Setting.path("coordinator.tls.key-file", null,
            "PEM private key (PKCS#8 or PKCS#1) of coordinator.tls.cert-file.");
    public static final Setting<java.nio.file.Path> TLS_CA_FILE = Setting.path("coordinator.tls.ca-file", null,
            "PEM bundle of the certificate authorities the coordinator trusts when it calls agents' https log servers and "
                    + "other coordinators (forwarded writes); default the JDK's.");
    public static final Setting<Boolean> TLS_SELF_SIGNED = Setting.bool("coordinator.tls.self-signed", false,
            "Serve https with a self-signed pair made once under <coordinator.data-dir>/tls (cert.pem, key.pem 0600), "
                    + "trusted by the local agents, the CLI and the Java client from there ('nightshift local --tls'); "
                    + "ignored when coordinator.tls.cert-file is set.");

    public static final Setting<String> JWT_ISSUER = Setting.string("coordinator.auth.jwt.issuer", "",
            "Also accept JWTs of this OIDC/OAuth issuer (the exact 'iss'), checked against coordinator.auth.jwt.jwks-url; "
                    + "empty: only tokens made by 'nightshift tokens create'.");
    public static final Setting<String> JWT_JWKS_URL = Setting.string("coordinator.auth.jwt.jwks-url", "",
            "URL of the issuer's JSON Web Key Set (its jwks_uri), fetched when needed and cached; required with an issuer.");
    public static final Setting<String> JWT_AUDIENCE = Setting.string("coordinator.auth.jwt.audience", "nightshift",
            "The audience ('aud') a JWT must name to be accepted here.");
    public static final Setting<String> JWT_ROLES_CLAIM = Setting.string("coordinator.auth.jwt.roles-claim", "roles",
            "The claim holding a JWT's Nightshift roles (a list, or space-separated like 'scope'): admin, read, read:Q, "
                    + "submit:Q, submit:*, agent; other values are ignored.");

    public static final List<Setting<?>> ALL = List.of(SECRETS_KEY_FILE, SUBMIT_RATE, SUBMIT_BURST, MAX_QUEUED,
            MAX_CONNECTIONS, IDLE_TIMEOUT, TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE, TLS_SELF_SIGNED,
            JWT_ISSUER, JWT_JWKS_URL, JWT_AUDIENCE, JWT_ROLES_CLAIM);
}
