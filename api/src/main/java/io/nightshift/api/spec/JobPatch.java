package io.nightshift.api.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;

/**
 * The body of {@code PATCH /v1/jobs/{id}}: {@code {"instances": N}} with N in 1..{@value #MAX_INSTANCES} (the
 * limit of a submitted job's instances). Any other field, or none, is a problem at its JSON path. Pure.
 */
public record JobPatch(int instances) {
    public static final int MAX_INSTANCES = 100;
    /** A patch body is a handful of bytes; the HTTP layer answers 413 above this. */
    public static final int MAX_BODY_BYTES = 4096;

    public static JobPatch parse(byte[] body) {
        Problems problems = new Problems();
        ObjectNode o = JsonBodyReader.read(body, problems);
        if (o == null) throw problems.exception();
        for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("instances"))
                problems.add(Problems.child("", name), "unknown field; a job patch may only set 'instances'");
        }
        JsonNode n = o.get("instances");
        int instances = 0;
        if (n == null) {
            problems.add("/instances", "is required: the number of instances the job should run (1.." + MAX_INSTANCES + ")");
        } else if (!n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() < 1 || n.intValue() > MAX_INSTANCES) {
            problems.add("/instances", "must be an integer from 1 to " + MAX_INSTANCES + ", got " + Problems.describe(n));
        } else {
            instances = n.intValue();
        }
        if (!problems.isEmpty()) throw problems.exception();
        return new JobPatch(instances);
    }
}
