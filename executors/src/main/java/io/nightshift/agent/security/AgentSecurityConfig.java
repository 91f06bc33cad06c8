package io.nightshift.agent.security;

import io.nightshift.api.config.Config;
import io.nightshift.api.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who may read the agent's HTTP port and whether it speaks TLS. {@code certFile}/{@code keyFile}: both
 * or neither (https when both); {@code caFile}: the CAs trusted for the coordinator (null: the JDK's).
 */
public record AgentSecurityConfig(boolean metricsOpen, Path certFile, Path keyFile, Path caFile) {
    public static final AgentSecurityConfig DEFAULTS = new AgentSecurityConfig(false, null, null, null);

    public AgentSecurityConfig {
        if ((certFile == null) != (keyFile == null))
            throw new ConfigException(AgentSecuritySettings.TLS_CERT_FILE.name() + " and " + AgentSecuritySettings.TLS_KEY_FILE.name()
                    + " go together: set both for https, or neither");
        for (Path p : new Path[]{certFile, keyFile, caFile})
            if (p != null && !Files.isReadable(p)) throw new ConfigException("cannot read " + p.toAbsolutePath());
    }

    /** True when the HTTP server speaks https. */
    public boolean tls() {
        return certFile != null;
    }

    public static AgentSecurityConfig from(Config c) {
        return new AgentSecurityConfig(c.get(AgentSecuritySettings.METRICS_OPEN), c.get(AgentSecuritySettings.TLS_CERT_FILE),
                c.get(AgentSecuritySettings.TLS_KEY_FILE), c.get(AgentSecuritySettings.TLS_CA_FILE));
    }
}
