package io.marketplaceindex.api.account;

import org.springframework.security.core.AuthenticatedPrincipal;

import java.io.Serializable;

/**
 * Who a request acts for: an account (by session or by one of its tokens) or the environment's
 * bootstrap token, which has no account. Kept in the session, hence serializable; its name is what
 * sessions are indexed by, so that an account's sessions can be ended.
 *
 * @param userId the account, or null for the bootstrap token
 * @param name   the account's email, or a fixed name for the bootstrap token
 * @param role   the role the request has (a token's may be below its account's)
 * @param via    how it authenticated: session, token or bootstrap-token
 */
public record Caller(Long userId, String name, Role role, String via) implements AuthenticatedPrincipal, Serializable {

    public static final String BOOTSTRAP_TOKEN = "bootstrap-token";

    @Override
    public String getName() {
        return name;
    }
}
