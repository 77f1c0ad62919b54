package io.marketplaceindex.api.security;

import io.marketplaceindex.api.ApiTestSupport;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A refused anonymous request leaves no state on the server: a loop of them cannot grow the session
 * table (each row held for the session timeout) until the database fills up.
 */
class AnonymousSessionIT extends ApiTestSupport {

    private static final int REQUESTS = 2_000;

    @Test
    void refusedAnonymousRequestsCreateNoSession() {
        double before = sessionsCreated();
        String pad = "x".repeat(1_000);
        List<String> headers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            headers.add("X-Pad-" + i);
            headers.add(pad);
        }
        String[] padded = headers.toArray(String[]::new);
        String[] paths = {"/actuator/metrics", "/api/settings/registries", "/actuator/env"};
        for (int i = 0; i < REQUESTS; i++) {
            Answer answer = i % 4 == 3
                    ? send("POST", "/api/marketplace/index-rebuild", "{}", padded)
                    : get(paths[i % 3] + "?n=" + i, padded);
            assertThat(answer.status()).as("request %d", i).isEqualTo(401);
            assertThat(answer.raw().headers().allValues("Set-Cookie")).as("request %d", i).isEmpty();
        }
        assertThat(sessionsCreated()).isEqualTo(before);
    }

    /** The one request that may create a session still does. */
    @Test
    void aSignInStillCreatesOne() {
        double before = sessionsCreated();
        Answer signedIn = send("POST", "/api/auth/login",
                "{\"email\":\"" + ADMIN_EMAIL + "\",\"password\":\"" + ADMIN_PASSWORD + "\"}");
        assertThat(signedIn.status()).isEqualTo(200);
        assertThat(signedIn.raw().headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c)
                .startsWith("SESSION="));
        assertThat(sessionsCreated()).isEqualTo(before + 1);
    }

    /** Sessions are rows of the shared session table (Spring Session JDBC), whichever replica made them. */
    private double sessionsCreated() {
        Answer metric = get("/actuator/metrics/http.server.requests", admin());
        assertThat(metric.status()).as("an admin request with a bearer token").isEqualTo(200);
        assertThat(metric.raw().headers().allValues("Set-Cookie")).isEmpty();
        return ((Long) sql("SELECT count(*) FROM marketplace_control.spring_session")).doubleValue();
    }
}
