package io.nightshift.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP against a coordinator, for tests (no client library in between). */
final class Api {
    final URI base;
    final String token;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code token}: sent as {@code Authorization: Bearer} (the cluster's admin token), null for none. */
    Api(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    Api(LocalCluster cluster) {
        this(cluster.url(), cluster.adminToken());
    }

    Api(CoordinatorProcess coordinator) {
        this(coordinator.url(), coordinator.adminToken());
    }

    /** A request to {@code uri} carrying the token. */
    HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b;
    }

    /** A request to {@code path} carrying the token. */
    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b;
    }

    HttpResponse<String> post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    HttpResponse<String> patch(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)).build());
    }

    HttpResponse<String> delete(String path) {
        return send(request(path).DELETE().build());
    }

    JsonNode json(String path) {
        HttpResponse<String> r = get(path);
        if (r.statusCode() != 200) throw new AssertionError("GET " + path + " -> " + r.statusCode() + " " + r.body());
        return tree(r.body());
    }

    /** Submits and returns the job id; fails the test unless 201. */
    String submit(String json) {
        HttpResponse<String> r = post("/v1/jobs", json);
        if (r.statusCode() != 201) throw new AssertionError("submit -> " + r.statusCode() + " " + r.body());
        return tree(r.body()).path("id").asText();
    }

    String jobState(String id) {
        return json("/v1/jobs/" + id).path("job").path("state").asText();
    }

    JsonNode task(String jobId) {
        return json("/v1/jobs/" + jobId).path("runs").get(0).path("tasks").get(0);
    }

    String log(String taskId, String stream) {
        return get("/v1/tasks/" + taskId + "/logs/" + stream).body();
    }

    static JsonNode tree(String s) {
        try {
            return Json.mapper().readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    HttpResponse<String> send(HttpRequest req) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(req.method() + " " + req.uri() + " failed", e);
        }
    }
}
