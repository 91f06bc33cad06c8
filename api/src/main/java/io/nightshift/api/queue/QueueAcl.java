package io.nightshift.api.queue;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Who may use a queue besides what their tokens' roles grant, by token subject. {@code admins} may
 * kill or change any job of the queue; {@code submitters} may submit into it (and read it);
 * {@code readers} may see its jobs and logs. An admin token may do everything anyway.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record QueueAcl(List<String> admins, List<String> submitters, List<String> readers) {
    public static final QueueAcl EMPTY = new QueueAcl(List.of(), List.of(), List.of());
    /** Subjects: what a token's subject may be. */
    public static final String SUBJECT = "[A-Za-z0-9][A-Za-z0-9._@-]{0,127}";
    public static final int MAX_ENTRIES = 256;

    public QueueAcl {
        admins = admins == null ? List.of() : List.copyOf(admins);
        submitters = submitters == null ? List.of() : List.copyOf(submitters);
        readers = readers == null ? List.of() : List.copyOf(readers);
    }

    public boolean administers(String subject) {
        return admins.contains(subject);
    }

    public boolean submits(String subject) {
        return administers(subject) || submitters.contains(subject);
    }

    public boolean reads(String subject) {
        return submits(subject) || readers.contains(subject);
    }

    public boolean mentions(String subject) {
        return reads(subject);
    }
}
