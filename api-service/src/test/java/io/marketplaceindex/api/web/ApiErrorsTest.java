package io.marketplaceindex.api.web;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockServletContext;
import org.springframework.web.context.support.GenericWebApplicationContext;
import org.springframework.web.method.annotation.ExceptionHandlerMethodResolver;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.method.annotation.ExceptionHandlerExceptionResolver;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the API answers when the database cannot be reached. The whole path (PostgreSQL stopped under a
 * running api-service) is exercised end to end by the e2e suite's infrastructure fault test.
 */
class ApiErrorsTest {

    private final ApiErrors errors = new ApiErrors();

    @Test
    void aDatabaseThatCannotBeReachedAnswers503WithRetryAfterAndAReason() {
        SQLTransientConnectionException poolTimeout = new SQLTransientConnectionException(
                "api - Connection is not available, request timed out after 3000ms");
        for (Exception e : new Exception[] {
                new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection", poolTimeout),
                // the failure of a query another request ran for this one (single flight)
                new CompletionException(new DataAccessResourceFailureException("I/O error", null)),
                new IllegalStateException(new SQLException("terminating connection due to administrator command",
                        "57P01")),
                new IllegalStateException(new SQLException("the database system is starting up", "57P03")),
                new IllegalStateException(new SQLException("An I/O error occurred", "08006")),
                // the read budget's transaction: its rollback on the lost connection fails as well
                rollbackFailedAfter(new DataAccessResourceFailureException("I/O error while sending to the backend"))}) {
            ResponseEntity<Map<String, Object>> answer = errors.unexpected(e);
            assertThat(answer.getStatusCode().value()).as(e.toString()).isEqualTo(503);
            assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
            assertThat(answer.getBody()).containsEntry("status", 503)
                    .containsEntry("error", "the database is unavailable; retry later");
        }
    }

    @Test
    void otherFailuresStayInternalErrors() {
        for (Exception e : new Exception[] {new IllegalStateException("bug"),
                new RedisConnectionFailureException("Redis down")}) {
            ResponseEntity<Map<String, Object>> answer = errors.unexpected(e);
            assertThat(answer.getStatusCode().value()).as(e.toString()).isEqualTo(500);
            assertThat(answer.getBody()).containsEntry("error", "internal error");
        }
    }

    @Test
    void aClientThatWentAwayIsNotAnError() {
        var resolver = new ExceptionHandlerMethodResolver(ApiErrors.class);
        assertThat(resolver.resolveMethod(new AsyncRequestNotUsableException("ServletOutputStream failed to write",
                new IOException("Broken pipe"))).getName()).isEqualTo("clientGone");
        assertThat(resolver.resolveMethod(new IOException("Broken pipe")).getName()).isEqualTo("unexpected");
    }

    /** Through Spring's own resolver, as a request meets it: handled, and not one byte written. */
    @Test
    void nothingIsWrittenToAClientThatWentAway() {
        var context = new GenericWebApplicationContext(new MockServletContext());
        context.registerBean(ApiErrors.class);
        context.refresh();
        var resolver = new ExceptionHandlerExceptionResolver();
        resolver.setApplicationContext(context);
        resolver.afterPropertiesSet();
        var response = new MockHttpServletResponse();

        ModelAndView handled = resolver.resolveException(new MockHttpServletRequest("GET", "/api/marketplace"),
                response, null, new AsyncRequestNotUsableException("ServletOutputStream failed to write",
                        new IOException("Broken pipe")));

        assertThat(handled).as("handled, not passed on to the container's error page").isNotNull();
        assertThat(handled.isEmpty()).isTrue();
        assertThat(response.getContentAsByteArray()).isEmpty();
        assertThat(response.isCommitted()).isFalse();
        context.close();
    }

    private static TransactionSystemException rollbackFailedAfter(RuntimeException failure) {
        TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed",
                new SQLException("Connection is closed"));
        rollback.initApplicationException(failure);
        return rollback;
    }
}
