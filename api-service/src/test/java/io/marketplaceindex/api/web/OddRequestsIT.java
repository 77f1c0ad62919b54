package io.marketplaceindex.api.web;

import io.marketplaceindex.api.ApiTestSupport;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests the fuzz test found answering 500: each now a clear 4xx with a JSON reason. */
class OddRequestsIT extends ApiTestSupport {

    @Test
    void anAcceptHeaderWithoutJsonIsA406WithAReason() throws Exception {
        for (String accept : new String[]{"text/html", "image/png", "garbage", ";q=0", "*/*;q=abc"}) {
            HttpResponse<String> answer = raw("GET", "/api/marketplace", accept, null, null);
            assertThat(answer.statusCode()).as(accept).isEqualTo(406);
            assertThat(answer.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
            assertThat(JSON.readTree(answer.body()).get("error").asString()).contains("application/json");
        }
    }

    @Test
    void anErrorIsAnsweredInJsonWhateverTheAcceptHeader() throws Exception {
        HttpResponse<String> answer = raw("GET", "/api/marketplace/changes?limit=-1", "text/html", null, null);
        assertThat(answer.statusCode()).isBetween(400, 499);
        assertThat(JSON.readTree(answer.body()).get("error").asString()).isNotBlank();
    }

    @Test
    void aSignInWithAWildcardContentTypeIsA415() throws Exception {
        for (String type : new String[]{"*/*", "application/*"}) {
            HttpResponse<String> answer = raw("POST", "/api/auth/login", null, type, "{\"email\":\"a\",\"password\":\"b\"}");
            assertThat(answer.statusCode()).as(type).isEqualTo(415);
            assertThat(JSON.readTree(answer.body()).get("error").asString()).isEqualTo("send application/json");
        }
    }

    @Test
    void anUpdatedSinceBeyondTheDatabasesTimestampsIsA400() {
        for (String since : new String[]{"%2B999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
                "%2B10000-01-01T00:00:00Z"}) {
            Answer answer = get("/api/marketplace/changes?updatedSince=" + since);
            assertThat(answer.status()).as(since).isEqualTo(400);
            assertThat(answer.body().get("error").asString()).contains("between the years 0001 and 9999");
        }
        assertThat(get("/api/marketplace/changes?updatedSince=9999-12-31T00:00:00Z").status()).isEqualTo(200);
        assertThat(get("/api/marketplace/changes?updatedSince=0001-01-01T00:00:00Z").status()).isEqualTo(200);
    }

    @Test
    void aMultipartContentTypeIsNotParsed() throws Exception {
        HttpResponse<String> login = raw("POST", "/api/auth/login", null, "multipart/form-data", "--x\r\n");
        assertThat(login.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(login.body()).get("error").asString()).isEqualTo("send application/json");
        HttpResponse<String> health = raw("PROPFIND", "/actuator/health", null, "multipart/form-data; boundary=x", "");
        assertThat(health.statusCode()).isBetween(400, 499);
    }

    private HttpResponse<String> raw(String method, String path, String accept, String contentType, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
