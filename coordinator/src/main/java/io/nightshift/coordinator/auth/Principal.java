package io.nightshift.coordinator.auth;

import io.nightshift.api.model.Job;
import io.nightshift.api.queue.QueueAcl;
import io.nightshift.api.queue.QueueSpec;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Who is calling: the subject and roles of a valid token (see {@link Roles}). Pure; the answers
 * combine the token's roles with the queues' ACLs ({@link QueueAcl}).
 */
public record Principal(String subject, Set<String> roles, String tokenId) {
    /** Everyone, when auth is turned off with {@code coordinator.auth.insecure}. */
    public static final Principal INSECURE = new Principal("anonymous", Set.of(Roles.ADMIN), null);

    public Principal {
        roles = Set.copyOf(roles);
    }

    public boolean admin() {
        return roles.contains(Roles.ADMIN);
    }

    /** Sees every queue (admin or read). */
    public boolean readsAll() {
        return admin() || roles.contains(Roles.READ);
    }

    public boolean agent() {
        return admin() || roles.contains(Roles.AGENT);
    }

    public boolean canSubmit(QueueSpec q) {
        return admin() || roles.contains("submit:*") || roles.contains("submit:" + q.name()) || q.acl().submits(subject);
    }

    public boolean canRead(QueueSpec q) {
        return readsAll() || roles.contains("read:" + q.name()) || canSubmit(q) || q.acl().reads(subject);
    }

    public boolean administers(QueueSpec q) {
        return admin() || q.acl().administers(subject);
    }

    /** May kill or change {@code job} of queue {@code q}: its owner, an admin of its queue, an admin. */
    public boolean canManage(Job job, QueueSpec q) {
        return administers(q) || (job.owner() != null && job.owner().equals(subject));
    }

    /** May read at least one queue (or might, once a queue it names exists). */
    public boolean readsSome(Collection<QueueSpec> queues) {
        if (readsAll()) return true;
        for (String r : roles) if (r.startsWith("read:") || r.startsWith("submit:")) return true;
        for (QueueSpec q : queues) if (q.acl().reads(subject)) return true;
        return false;
    }

    /** May submit into at least one queue. */
    public boolean submitsSome(Collection<QueueSpec> queues) {
        if (admin()) return true;
        for (String r : roles) if (r.startsWith("submit:")) return true;
        for (QueueSpec q : queues) if (q.acl().submits(subject)) return true;
        return false;
    }

    public List<String> sortedRoles() {
        return roles.stream().sorted().toList();
    }
}
