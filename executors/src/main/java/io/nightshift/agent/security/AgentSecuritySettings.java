package io.nightshift.agent.security;

import io.nightshift.api.config.Setting;
import java.nio.file.Path;
import java.util.List;

/** The agent's settings for its HTTP port's access and TLS. */
public final class AgentSecuritySettings {
    private AgentSecuritySettings() {
    }

    public static final Setting<Boolean> METRICS_OPEN = Setting.bool("agent.metrics.open", false,
            "Serve GET /metrics on the agent's HTTP port without a ticket (for a Prometheus that scrapes agents directly; "
                    + "metrics carry no logs or specs). By default, once the agent holds its credential, only the coordinator "
                    + "can read its logs and metrics.");
    public static final Setting<Path> TLS_CERT_FILE = Setting.path("agent.tls.cert-file", null,
            "PEM certificate chain of the agent's HTTP (log) server; with agent.tls.key-file it serves https. Unset: http.");
    public static final Setting<Path> TLS_KEY_FILE = Setting.path("agent.tls.key-file", null,
            "PEM private key (PKCS#8 or PKCS#1) of agent.tls.cert-file.");
    public static final Setting<Path> TLS_CA_FILE = Setting.path("agent.tls.ca-file", null,
            "PEM bundle of the certificate authorities the agent trusts for https/wss coordinator URLs; default the JDK's.");

    public static final List<Setting<?>> ALL = List.of(METRICS_OPEN, TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE);
}
