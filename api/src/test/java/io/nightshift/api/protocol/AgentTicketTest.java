package io.nightshift.api.protocol;

import io.nightshift.api.protocol.AgentTicket.Check;
import java.time.Instant;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AgentTicketTest {
    static final String CREDENTIAL = AgentProof.newCredential();
    static final Instant NOW = Instant.parse("2026-12-02T03:00:00Z");

    @Test
    void aTicketSignedWithTheAgentsCredentialIsValidForItsScopeUntilItExpires() {
        String t = AgentTicket.sign(CREDENTIAL, "agent-1", AgentTicket.logs("job.r1.0.1"), NOW.plusSeconds(60));
        assertThat(AgentTicket.check(t, CREDENTIAL, "agent-1", "logs:job.r1.0.1", NOW)).isEqualTo(Check.VALID);
        assertThat(AgentTicket.check(t, CREDENTIAL, "agent-1", "logs:job.r1.0.1", NOW.plusSeconds(60))).isEqualTo(Check.VALID);
        assertThat(AgentTicket.check(t, CREDENTIAL, "agent-1", "logs:job.r1.0.1", NOW.plusSeconds(61)))
                .isEqualTo(Check.UNAUTHENTICATED);
    }

    @Test
    void aGenuineTicketForAnotherAttemptIsTheWrongScopeNotAnUnknownCaller() {
        String t = AgentTicket.sign(CREDENTIAL, "agent-1", AgentTicket.logs("job.r1.0.1"), NOW.plusSeconds(60));
        assertThat(AgentTicket.check(t, CREDENTIAL, "agent-1", "logs:other.r1.0.1", NOW)).isEqualTo(Check.WRONG_SCOPE);
        assertThat(AgentTicket.check(t, CREDENTIAL, "agent-1", AgentTicket.METRICS, NOW)).isEqualTo(Check.WRONG_SCOPE);
    }

    @Test
    void anotherCredentialAnotherAgentOrAnEditedTicketIsUnauthenticated() {
        String t = AgentTicket.sign(CREDENTIAL, "agent-1", AgentTicket.METRICS, NOW.plusSeconds(60));
        assertThat(AgentTicket.check(t, AgentProof.newCredential(), "agent-1", AgentTicket.METRICS, NOW)).isEqualTo(Check.UNAUTHENTICATED);
        assertThat(AgentTicket.check(t, CREDENTIAL, "agent-2", AgentTicket.METRICS, NOW)).isEqualTo(Check.UNAUTHENTICATED);
        String later = t.replace(" " + NOW.plusSeconds(60).getEpochSecond() + " ", " " + NOW.plusSeconds(6000).getEpochSecond() + " ");
        assertThat(AgentTicket.check(later, CREDENTIAL, "agent-1", AgentTicket.METRICS, NOW.plusSeconds(100)))
                .isEqualTo(Check.UNAUTHENTICATED);
        String widened = t.replace("metrics ", "logs:job.r1.0.1 ");
        assertThat(AgentTicket.check(widened, CREDENTIAL, "agent-1", "logs:job.r1.0.1", NOW)).isEqualTo(Check.UNAUTHENTICATED);
    }

    @Test
    void missingOrMalformedTicketsAreUnauthenticated() {
        for (String bad : new String[]{null, "", "metrics", "metrics 1 x", "metrics abc " + "A".repeat(43),
                "logs:../x 99999999999 " + "A".repeat(43), "x".repeat(300)})
            assertThat(AgentTicket.check(bad, CREDENTIAL, "agent-1", AgentTicket.METRICS, NOW)).as(String.valueOf(bad))
                    .isEqualTo(Check.UNAUTHENTICATED);
    }
}
