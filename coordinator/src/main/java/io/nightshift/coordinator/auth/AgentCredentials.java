package io.nightshift.coordinator.auth;

import io.nightshift.api.protocol.AgentProof;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Per-agent credentials ({@code ns_agent_credentials}): the first registration of an agent id gets
 * one; every later connection with that id must present it. Blocking: call off the event loop.
 */
public final class AgentCredentials {
    private final DataSource db;

    public AgentCredentials(DataSource db) {
        this.db = db;
    }

    /** What a registration is told. */
    public sealed interface Admission {
        /** Admitted with {@code credential}; {@code issued}: it is new and must be handed to the agent. */
        record Admitted(String credential, boolean issued) implements Admission {
        }

        record Refused(String reason) implements Admission {
        }
    }

    /** Admits {@code agentId} presenting {@code presented} (null when it has none yet). */
    public Admission admit(String agentId, String presented, Instant now) {
        Optional<String> stored = secret(agentId);
        if (stored.isPresent()) {
            if (presented != null && AgentProof.equal(stored.get(), presented)) return new Admission.Admitted(stored.get(), false);
            return new Admission.Refused("agent id '" + agentId + "' belongs to an agent with another credential"
                    + (presented == null ? " (this one presented none)" : "") + "; an admin can release the id with "
                    + "DELETE /v1/agents/" + agentId + "/credential");
        }
        String fresh = AgentProof.newCredential();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO ns_agent_credentials (agent_id, secret, issued_at) VALUES (?, ?, ?)")) {
            ps.setString(1, agentId);
            ps.setString(2, fresh);
            ps.setLong(3, now.toEpochMilli());
            ps.executeUpdate();
        } catch (SQLException e) { // most likely another connection of this id won the race
            return new Admission.Refused("agent id '" + agentId + "' was just registered by another connection");
        }
        return new Admission.Admitted(fresh, true);
    }

    public Optional<String> secret(String agentId) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT secret FROM ns_agent_credentials WHERE agent_id = ?")) {
            ps.setString(1, agentId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("agent credentials: " + e.getMessage(), e);
        }
    }

    /** Forgets the credential of {@code agentId}, so that the next agent registering with it gets a new one. */
    public boolean release(String agentId) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM ns_agent_credentials WHERE agent_id = ?")) {
            ps.setString(1, agentId);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("agent credentials: " + e.getMessage(), e);
        }
    }
}
