package io.nightshift.api.protocol;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How an agent and the coordinator prove themselves to each other on the agent channel. The agent
 * connects with its join token (role {@code agent}), its credential (once it has one) and a fresh
 * nonce, as headers; the coordinator answers {@code Registered} with an HMAC-SHA256 over the agent
 * id, the leader epoch and that nonce, keyed by the agent's credential. A coordinator that does not
 * know the credential (an impostor, or a forged frame with a huge epoch) cannot produce it. Pure.
 */
public final class AgentProof {
    public static final String CREDENTIAL_HEADER = "X-Nightshift-Agent-Credential";
    public static final String NONCE_HEADER = "X-Nightshift-Agent-Nonce";
    public static final String CREDENTIAL_PREFIX = "nsa_";
    private static final Pattern CREDENTIAL = Pattern.compile("nsa_[A-Za-z0-9_-]{43}");
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{22,128}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private AgentProof() {
    }

    /** A new agent credential: {@code nsa_} + 32 random bytes, base64url. */
    public static String newCredential() {
        return CREDENTIAL_PREFIX + random(32);
    }

    /** A new connection nonce: 16 random bytes, base64url. */
    public static String newNonce() {
        return random(16);
    }

    public static boolean wellFormedCredential(String s) {
        return s != null && CREDENTIAL.matcher(s).matches();
    }

    public static boolean wellFormedNonce(String s) {
        return s != null && NONCE.matcher(s).matches();
    }

    /** HMAC-SHA256(credential, agentId \n epoch \n nonce), base64url. */
    public static String proof(String credential, String agentId, long epoch, String nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(credential.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] out = mac.doFinal((agentId + "\n" + epoch + "\n" + nonce).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when {@code proof} is right, compared in constant time. */
    public static boolean verify(String credential, String agentId, long epoch, String nonce, String proof) {
        if (proof == null) return false;
        return equal(proof(credential, agentId, epoch, nonce), proof);
    }

    /** Constant-time equality of two strings. */
    public static boolean equal(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
