package io.nightshift.coordinator;

import io.nightshift.api.config.Setting;
import java.util.List;

/** The coordinator's settings for secrets and abuse limits (issue 9), declared once; part of {@link CoordinatorSettings#ALL}. */
public final class SecuritySettings {
    private SecuritySettings() {
    }

    public static final Setting<String> SECRETS_KEY_FILE = Setting.string("coordinator.secrets.key-file", "",
            "File holding the AES-256 key (32 bytes, base64) that encrypts stored secrets; created with mode 0600 when "
                    + "absent. Empty: secrets.key in the data directory. Every coordinator of a cluster needs the same file.");

    public static final List<Setting<?>> ALL = List.of(SECRETS_KEY_FILE);
}
