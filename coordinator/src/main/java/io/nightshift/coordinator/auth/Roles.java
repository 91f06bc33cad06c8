package io.nightshift.coordinator.auth;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The roles a token may carry, as strings:
 * <pre>
 * admin            everything: queues, tokens, agents, every job
 * read             see every queue's jobs and logs, agents, offers, events, metrics
 * read:QUEUE       see that queue's jobs and logs
 * submit:QUEUE     submit into that queue (and see it); submit:* for every queue
 * agent            join the cluster as an agent (a join token)
 * </pre>
 */
public final class Roles {
    public static final String ADMIN = "admin";
    public static final String READ = "read";
    public static final String AGENT = "agent";
    public static final int MAX_ROLES = 64;
    private static final Pattern ROLE = Pattern.compile("admin|read|agent|read:[a-z0-9][a-z0-9_-]{0,63}"
            + "|submit:(\\*|[a-z0-9][a-z0-9_-]{0,63})");

    private Roles() {
    }

    /** Null when {@code role} is well formed, else what is wrong with it. */
    public static String problem(String role) {
        if (role == null) return "must be a string";
        if (!ROLE.matcher(role).matches())
            return "unknown role '" + (role.length() > 70 ? role.substring(0, 70) + "…" : role)
                    + "'; roles are admin, read, agent, read:QUEUE, submit:QUEUE, submit:*";
        return null;
    }

    /** The roles in order, without duplicates; throws {@link IllegalArgumentException} naming the first bad one. */
    public static List<String> checked(List<String> roles) {
        if (roles.size() > MAX_ROLES) throw new IllegalArgumentException("at most " + MAX_ROLES + " roles");
        Set<String> out = new LinkedHashSet<>();
        for (String r : roles) {
            String p = problem(r);
            if (p != null) throw new IllegalArgumentException(p);
            out.add(r);
        }
        return new ArrayList<>(out);
    }
}
