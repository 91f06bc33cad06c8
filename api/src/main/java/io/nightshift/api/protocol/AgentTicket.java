package io.nightshift.api.protocol;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A short-lived ticket that lets a coordinator read one thing from an agent's HTTP port: the logs of
 * one attempt ({@code logs:<attemptId>}) or the agent's metrics ({@code metrics}). The coordinator
 * signs it with the agent's credential (issued at the agent's first registration, kept by both in
 * their stores), so nothing new has to be distributed and a released credential
 * ({@code DELETE /v1/agents/{id}/credential}) stops the old tickets at once. Sent as the header
 * {@value #HEADER}: {@code <scope> <expires epoch seconds> <HMAC-SHA256 base64url>}, the HMAC over
 * {@code "nightshift-agent-http\n" + agentId + "\n" + scope + "\n" + expires}. Pure.
 *
 * <p>Why a signed ticket and not a bearer token the agent checks with the coordinator: the agent stays
 * independent of the coordinators' reachability (logs of a finished attempt stay readable during a
 * failover), checking costs one HMAC and no round trip, and a ticket names one attempt, so a leaked
 * one reads one log for a minute, not everything.
 */
public final class AgentTicket {
    public static final String HEADER = "X-Nightshift-Ticket";
    /** The scope of a ticket for the agent's {@code /metrics}. */
    public static final String METRICS = "metrics";
    static final int MAX_LENGTH = 256;
    private static final Pattern SCOPE = Pattern.compile("metrics|logs:[A-Za-z0-9][A-Za-z0-9_.-]{0,199}");
    private static final Pattern MAC = Pattern.compile("[A-Za-z0-9_-]{43}");

    private AgentTicket() {
    }

    /** The scope of a ticket for one attempt's logs. */
    public static String logs(String attemptId) {
        return "logs:" + attemptId;
    }

    /** A ticket for {@code scope} valid until {@code expires}. */
    public static String sign(String credential, String agentId, String scope, Instant expires) {
        long exp = expires.getEpochSecond();
        return scope + " " + exp + " " + mac(credential, agentId, scope, exp);
    }

    /** What checking a ticket found. */
    public enum Check {
        /** Signed by the holder of the credential, unexpired, for the scope asked. */
        VALID,
        /** Missing, malformed, expired or not signed with this agent's credential: 401. */
        UNAUTHENTICATED,
        /** Genuine and unexpired, but for another scope (another attempt): 403. */
        WRONG_SCOPE
    }

    /** Checks {@code ticket} (the header's value, may be null) for {@code wanted} at {@code now}. */
    public static Check check(String ticket, String credential, String agentId, String wanted, Instant now) {
        if (ticket == null || ticket.length() > MAX_LENGTH) return Check.UNAUTHENTICATED;
        String[] parts = ticket.split(" ", -1);
        if (parts.length != 3 || !SCOPE.matcher(parts[0]).matches() || !parts[1].matches("\\d{1,12}")
                || !MAC.matcher(parts[2]).matches())
            return Check.UNAUTHENTICATED;
        long exp = Long.parseLong(parts[1]);
        if (!AgentProof.equal(mac(credential, agentId, parts[0], exp), parts[2])) return Check.UNAUTHENTICATED;
        if (now.getEpochSecond() > exp) return Check.UNAUTHENTICATED;
        return parts[0].equals(wanted) ? Check.VALID : Check.WRONG_SCOPE;
    }

    private static String mac(String credential, String agentId, String scope, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(credential.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] out = mac.doFinal(("nightshift-agent-http\n" + agentId + "\n" + scope + "\n" + expires)
                    .getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
