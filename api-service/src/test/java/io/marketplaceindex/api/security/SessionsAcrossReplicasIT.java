package io.marketplaceindex.api.security;

import io.marketplaceindex.api.ApiServiceApplication;
import io.marketplaceindex.api.ApiTestSupport;
import io.marketplaceindex.api.account.SignIns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas of the api-service on one database, as behind one load balancer: a session signed
 * in on one is good on the other, CSRF token included, and signing out on one ends it on both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionsAcrossReplicasIT extends ApiTestSupport {

    @Autowired
    Environment environment;

    private ConfigurableApplicationContext second;
    private int secondPort;
    private final SignIns signIns = new SignIns(this::send);

    @BeforeAll
    void startSecondReplica() {
        List<String> shared = List.of("spring.datasource.url", "spring.datasource.username", "spring.datasource.password",
                "spring.data.redis.url", "spring.kafka.bootstrap-servers", "marketplace.kafka.topic-prefix",
                "marketplace.cache.key-prefix", "marketplace.admin-token", "marketplace.admin-email",
                "marketplace.admin-password");
        // command-line arguments: they take precedence over application.yml, as the first replica's test properties do
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.datasource.hikari.maximum-pool-size=2",
                "--spring.datasource.hikari.minimum-idle=1", "--marketplace.rate-limit.anonymous-per-minute=0",
                "--marketplace.rate-limit.login-per-minute=0",
                "--marketplace.rate-limit.login-failures-per-account-per-hour=0"));
        for (String key : shared) {
            args.add("--" + key + "=" + environment.getRequiredProperty(key));
        }
        second = new SpringApplicationBuilder(ApiServiceApplication.class).run(args.toArray(String[]::new));
        secondPort = ((WebServerApplicationContext) second).getWebServer().getPort();
    }

    @AfterAll
    void stopSecondReplica() {
        if (second != null) {
            second.close();
        }
    }

    @Test
    void aSessionHoldsOnEveryReplicaAndEndsOnAll() throws Exception {
        SignIns.Session admin = signIns.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        assertThat(onSecond("GET", "/api/settings/tokens", admin.headers()).statusCode()).isEqualTo(200);
        assertThat(onSecond("POST", "/api/settings/tokens", admin.cookieOnly()).statusCode())
                .as("the CSRF token is the session's, wherever it is checked").isEqualTo(403);
        assertThat(onSecond("POST", "/api/settings/tokens", admin.headers()).statusCode()).isEqualTo(400);

        assertThat(onSecond("POST", "/api/auth/logout", admin.headers()).statusCode()).isEqualTo(200);
        assertThat(get("/api/settings/tokens", admin.headers()).status()).as("signed out on the first too")
                .isEqualTo(401);
    }

    private HttpResponse<String> onSecond(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + secondPort + path))
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json")
                .headers(headers);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
