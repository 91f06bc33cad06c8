package io.nightshift.coordinator.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/** A stored token as listed: never the token itself nor its hash. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiToken(String id, String subject, List<String> roles, Instant createdAt, String createdBy, Instant revokedAt) {
    public ApiToken {
        roles = List.copyOf(roles);
    }

    public boolean revoked() {
        return revokedAt != null;
    }
}
