package io.nightshift.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.json.Json;
import io.nightshift.api.spec.JobSpecParser;
import io.nightshift.api.spec.Problem;
import io.nightshift.coordinator.auth.SecretStore;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/secrets} (admin only): store or replace a secret ({@code PUT /v1/secrets/NAME} with
 * {@code {value, queues}}), list them (names, queues, who and when; never a value), delete one. Jobs
 * reference a secret by name in their spec's {@code secrets}; the value goes only into the task's
 * environment. Values are never logged; answers carry {@code Cache-Control: no-store}.
 */
final class SecretsApi {
    private static final Logger log = LoggerFactory.getLogger(SecretsApi.class);
    static final int MAX_VALUE_CHARS = 32_768, MAX_QUEUES = 64;
    static final int MAX_BODY_BYTES = 4 * MAX_VALUE_CHARS + 8 * 1024;
    private static final Pattern QUEUE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private final SecretStore store;
    private final WorkerExecutor workers;

    SecretsApi(SecretStore store, WorkerExecutor workers) {
        this.store = store;
        this.workers = workers;
    }

    private boolean enabled(RoutingContext ctx) {
        if (store != null) return true;
        Problems.send(ctx, 409, "secrets-off", "Secrets are not set up", "this coordinator has no secret store");
        return false;
    }

    void list(RoutingContext ctx) {
        if (!enabled(ctx)) return;
        workers.executeBlocking(store::list, false).onComplete(ar -> {
            if (ar.failed()) ctx.fail(500, ar.cause());
            else {
                ctx.response().putHeader("Cache-Control", "no-store");
                Responses.json(ctx, 200, Map.of("secrets", ar.result()));
            }
        });
    }

    void put(RoutingContext ctx) {
        if (!enabled(ctx)) return;
        String name = ctx.pathParam("name");
        List<Problem> problems = new ArrayList<>();
        if (!JobSpecParser.SECRET_NAME.matcher(name).matches())
            problems.add(new Problem("/name", "a secret name is 1 to 64 lower-case letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit"));
        String ct = ctx.request().getHeader("Content-Type");
        if (ct == null || !ct.split(";", 2)[0].trim().equalsIgnoreCase("application/json")) {
            Problems.send(ctx, 415, "unsupported-media-type", "Unsupported media type", "send the secret as application/json");
            return;
        }
        Buffer body = ctx.body().buffer();
        JsonNode root = null;
        try {
            root = Json.mapper().readTree(body == null ? "" : body.toString());
        } catch (Exception e) {
            problems.add(new Problem("", "not JSON")); // the parser's message could quote the value
        }
        String value = null;
        List<String> queues = new ArrayList<>();
        if (root != null && !root.isObject()) problems.add(new Problem("", "expected an object {value, queues}"));
        else if (root != null) {
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("value") && !f.equals("queues")) problems.add(new Problem("/" + f, "unknown field; known fields: value, queues"));
            }
            JsonNode v = root.get("value");
            if (v == null || !v.isTextual() || v.textValue().isEmpty() || v.textValue().length() > MAX_VALUE_CHARS
                    || v.textValue().indexOf('\0') >= 0)
                problems.add(new Problem("/value", "is required: a string of 1 to " + MAX_VALUE_CHARS + " characters without NUL"));
            else value = v.textValue();
            JsonNode q = root.get("queues");
            if (q == null || !q.isArray() || q.isEmpty() || q.size() > MAX_QUEUES)
                problems.add(new Problem("/queues", "is required: 1 to " + MAX_QUEUES + " queue names whose jobs may use "
                        + "this secret, or [\"*\"] for every queue"));
            else for (int i = 0; i < q.size(); i++) {
                String s = q.get(i).isTextual() ? q.get(i).textValue() : null;
                if (s == null || !(s.equals("*") || QUEUE.matcher(s).matches()))
                    problems.add(new Problem("/queues/" + i, "must be a queue name or \"*\""));
                else queues.add(s);
            }
        }
        if (!problems.isEmpty()) {
            Problems.send(ctx, 400, "invalid-secret", "Invalid secret", problems.size() + " problem(s)", problems);
            return;
        }
        String who = Guard.principal(ctx).subject();
        String v = value;
        List<String> qs = List.copyOf(new LinkedHashSet<>(queues));
        workers.executeBlocking(() -> {
            boolean created = store.put(name, v, qs, who, Instant.now());
            return Map.entry(created, store.info(name).orElseThrow());
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(500, ar.cause());
                return;
            }
            log.info("secret '{}' {} by '{}' for queues {}", name, ar.result().getKey() ? "stored" : "replaced", who, qs);
            ctx.response().putHeader("Location", "/v1/secrets/" + name).putHeader("Cache-Control", "no-store");
            Responses.json(ctx, ar.result().getKey() ? 201 : 200, ar.result().getValue());
        });
    }

    void delete(RoutingContext ctx) {
        if (!enabled(ctx)) return;
        String name = ctx.pathParam("name");
        if (!JobSpecParser.SECRET_NAME.matcher(name).matches()) {
            Problems.send(ctx, 404, "not-found", "Secret not found", "no secret '" + HttpApi.shorten(name) + "'");
            return;
        }
        String who = Guard.principal(ctx).subject();
        workers.executeBlocking(() -> store.delete(name), false).onComplete(ar -> {
            if (ar.failed()) ctx.fail(500, ar.cause());
            else if (!ar.result()) Problems.send(ctx, 404, "not-found", "Secret not found", "no secret '" + name + "'");
            else {
                log.info("secret '{}' deleted by '{}'", name, who);
                ctx.response().setStatusCode(204).end();
            }
        });
    }

    /** Problems with a spec's secrets for a job of {@code queue}: unknown names, or secrets not for this queue. */
    static List<Problem> check(SecretStore store, Map<String, String> secrets, String queue) {
        List<Problem> out = new ArrayList<>();
        if (secrets.isEmpty()) return out;
        if (store == null) {
            out.add(new Problem("/secrets", "this coordinator has no secret store"));
            return out;
        }
        for (Map.Entry<String, String> e : secrets.entrySet()) {
            var info = store.info(e.getValue());
            String at = "/secrets/" + e.getKey();
            if (info.isEmpty()) out.add(new Problem(at, "no secret '" + e.getValue() + "' is stored (an admin stores it with PUT /v1/secrets/"
                    + e.getValue() + ")"));
            else if (!info.get().allows(queue)) out.add(new Problem(at, "secret '" + e.getValue() + "' may not be used by jobs of queue '"
                    + queue + "' (it is for " + info.get().queues() + ")"));
        }
        return out;
    }
}
