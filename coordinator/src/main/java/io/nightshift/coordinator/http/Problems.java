package io.nightshift.coordinator.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nightshift.api.json.Json;
import io.nightshift.api.spec.Problem;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** RFC 9457 {@code application/problem+json} answers. A user's mistake never becomes a 500. */
final class Problems {
    static final String CONTENT_TYPE = "application/problem+json";

    private Problems() {
    }

    static void send(RoutingContext ctx, int status, String slug, String title, String detail) {
        send(ctx, status, slug, title, detail, List.of());
    }

    static void send(RoutingContext ctx, int status, String slug, String title, String detail, List<Problem> problems) {
        send(ctx, status, slug, title, detail, problems, java.util.Map.of());
    }

    /** With extension members (RFC 9457 §3.2) beside the standard ones, such as the numbers behind a refusal. */
    static void send(RoutingContext ctx, int status, String slug, String title, String detail, List<Problem> problems,
                     java.util.Map<String, Object> extensions) {
        if (ctx.response().headWritten() || ctx.response().closed()) {
            if (!ctx.response().closed()) ctx.response().end();
            return;
        }
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("type", "urn:nightshift:problem:" + slug);
        body.put("title", title);
        body.put("status", status);
        if (detail != null) body.put("detail", detail);
        body.put("instance", ctx.request().path());
        if (!problems.isEmpty()) {
            ArrayNode arr = body.putArray("problems");
            for (Problem p : problems) arr.addObject().put("path", p.path()).put("message", p.message());
        }
        extensions.forEach((k, v) -> body.set(k, Json.mapper().valueToTree(v)));
        ctx.response().setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).end(body.toString());
    }
}
