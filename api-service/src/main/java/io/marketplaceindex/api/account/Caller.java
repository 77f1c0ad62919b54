package io.marketplaceindex.api.account;

import org.springframework.security.core.AuthenticatedPrincipal;

import java.io.Serializable;

/**
 * Who a request acts for, and who asked, as recorded: an account (by session or by one of its tokens)
 * or the environment's bootstrap token, which has no account. Kept in the session, hence serializable;
 * its name is what sessions are indexed by, so that an account's sessions can be ended.
 *
 * @param userId the account, or null for the bootstrap token and the tokens it issued
 * @param name   the account's email, or {@value #BOOTSTRAP_TOKEN} where there is no account
 * @param role   the role the request has (a token's may be below its account's)
 * @param via    how it authenticated: session, token or bootstrap-token
 * @param token  the API token's name when one authenticated the request, else null
 */
public record Caller(Long userId, String name, Role role, String via, String token)
        implements AuthenticatedPrincipal, Serializable {

    public static final String BOOTSTRAP_TOKEN = "bootstrap-token";

    static Caller signedIn(long userId, String email, Role role) {
        return new Caller(userId, email, role, "session", null);
    }

    /** @param ownerId null for a token issued with the bootstrap token */
    static Caller byToken(Long ownerId, String ownerEmail, Role role, String tokenName) {
        return new Caller(ownerId, ownerId == null ? BOOTSTRAP_TOKEN : ownerEmail, role, "token", tokenName);
    }

    /** The environment's token (MARKETPLACE_ADMIN_TOKEN): admin, of no account. */
    public static Caller bootstrapToken() {
        return new Caller(null, BOOTSTRAP_TOKEN, Role.ADMIN, BOOTSTRAP_TOKEN, null);
    }

    /**
     * Who asked, as commands (requested_by), accounts and tokens (created_by) record it: the account's
     * email, with the token's name when one of its tokens asked ({@code alice@example.com (token ci-bot)}),
     * or {@value #BOOTSTRAP_TOKEN}.
     */
    public String requestedBy() {
        return token == null ? name : name + " (token " + token + ")";
    }

    @Override
    public String getName() {
        return name;
    }
}
