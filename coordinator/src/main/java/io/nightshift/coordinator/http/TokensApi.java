package io.nightshift.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.json.Json;
import io.nightshift.api.queue.QueueAcl;
import io.nightshift.api.spec.Problem;
import io.nightshift.coordinator.auth.Authenticator;
import io.nightshift.coordinator.auth.Roles;
import io.nightshift.coordinator.auth.TokenStore;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/tokens} (admin only): create (the token is in the answer once, never again), list
 * (ids, subjects, roles; never a token or its hash), revoke.
 */
final class TokensApi {
    private static final Logger log = LoggerFactory.getLogger(TokensApi.class);
    static final int MAX_BODY_BYTES = 16 * 1024;
    private static final Pattern SUBJECT = Pattern.compile(QueueAcl.SUBJECT);
    private static final Pattern TOKEN_ID = Pattern.compile("tok-[0-9a-f]{12}");

    private final Authenticator auth;
    private final WorkerExecutor workers;

    TokensApi(Authenticator auth, WorkerExecutor workers) {
        this.auth = auth;
        this.workers = workers;
    }

    private boolean enabled(RoutingContext ctx) {
        if (auth != null) return true;
        Problems.send(ctx, 409, "auth-off", "Authentication is off",
                "this coordinator runs with coordinator.auth.insecure=true: there are no tokens to manage");
        return false;
    }

    void list(RoutingContext ctx) {
        if (!enabled(ctx)) return;
        workers.executeBlocking(() -> auth.store().list(), false).onComplete(ar -> {
            if (ar.failed()) ctx.fail(500, ar.cause());
            else Responses.json(ctx, 200, Map.of("tokens", ar.result()));
        });
    }

    void create(RoutingContext ctx) {
        if (!enabled(ctx)) return;
        String ct = ctx.request().getHeader("Content-Type");
        if (ct == null || !ct.split(";", 2)[0].trim().equalsIgnoreCase("application/json")) {
            Problems.send(ctx, 415, "unsupported-media-type", "Unsupported media type", "send the token request as application/json");
            return;
        }
        Buffer body = ctx.body().buffer();
        List<Problem> problems = new ArrayList<>();
        JsonNode root = null;
        try {
            root = Json.mapper().readTree(body == null ? "" : body.toString());
        } catch (Exception e) {
            problems.add(new Problem("", "not JSON: " + HttpApi.shorten(String.valueOf(e.getMessage()))));
        }
        String subject = null;
        List<String> roles = new ArrayList<>();
        if (root != null && !root.isObject()) problems.add(new Problem("", "expected an object {subject, roles}"));
        else if (root != null) {
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("subject") && !f.equals("roles")) problems.add(new Problem("/" + f, "unknown field; known fields: subject, roles"));
            }
            JsonNode s = root.get("subject");
            if (s == null || !s.isTextual() || !SUBJECT.matcher(s.textValue()).matches())
                problems.add(new Problem("/subject", "is required: 1 to 128 letters, digits, '.', '_', '@' or '-' naming who holds the token"));
            else subject = s.textValue();
            JsonNode r = root.get("roles");
            if (r == null || !r.isArray()) problems.add(new Problem("/roles", "is required: an array of roles (admin, read, agent, "
                    + "read:QUEUE, submit:QUEUE, submit:*), possibly empty"));
            else if (r.size() > Roles.MAX_ROLES) problems.add(new Problem("/roles", "at most " + Roles.MAX_ROLES + " roles"));
            else for (int i = 0; i < r.size(); i++) {
                String role = r.get(i).isTextual() ? r.get(i).textValue() : null;
                String p = Roles.problem(role);
                if (p != null) problems.add(new Problem("/roles/" + i, p));
                else roles.add(role);
            }
        }
        if (!problems.isEmpty()) {
            Problems.send(ctx, 400, "invalid-token-request", "Invalid token request", problems.size() + " problem(s)", problems);
            return;
        }
        String who = Guard.principal(ctx).subject();
        String forSubject = subject;
        workers.executeBlocking(() -> auth.store().create(forSubject, roles, who, Instant.now()), false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(500, ar.cause());
                return;
            }
            TokenStore.Created c = ar.result();
            log.info("token {} created for '{}' with roles {} by '{}'", c.info().id(), c.info().subject(), c.info().roles(), who);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("token", c.token());
            out.put("info", c.info());
            ctx.response().putHeader("Location", "/v1/tokens/" + c.info().id()).putHeader("Cache-Control", "no-store");
            Responses.json(ctx, 201, out);
        });
    }

    void revoke(RoutingContext ctx) {
        if (!enabled(ctx)) return;
        String id = ctx.pathParam("id");
        if (!TOKEN_ID.matcher(id).matches()) {
            Problems.send(ctx, 404, "not-found", "Token not found", "no token '" + HttpApi.shorten(id) + "'");
            return;
        }
        String who = Guard.principal(ctx).subject();
        workers.executeBlocking(() -> auth.revoke(id), false).onComplete(ar -> {
            if (ar.failed()) ctx.fail(500, ar.cause());
            else if (!ar.result()) Problems.send(ctx, 404, "not-found", "Token not found", "no token '" + id + "'");
            else {
                log.info("token {} revoked by '{}'", id, who);
                ctx.response().setStatusCode(204).end();
            }
        });
    }
}
