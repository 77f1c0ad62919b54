package io.marketplaceindex.api.account;

import io.marketplaceindex.api.web.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * API tokens: issued with a role no higher than the issuer's, shown once, kept as a SHA-256 hash.
 *
 * <p>A plain SHA-256 suffices (no bcrypt) because the secret is 256 random bits, not something a
 * person chose: there is no dictionary to try, so a slow hash would add nothing but cost to every
 * request, while a fast one lets the hash be the lookup key of a unique index.
 */
@Service
public class ApiTokens {

    /** Secrets start with this, so that one found in a log or a repository is recognised as ours. */
    static final String PREFIX = "mit_";
    static final int MAX_NAME_LENGTH = 100;
    static final int MAX_DAYS = 366;
    static final int DEFAULT_DAYS = 90;

    private final TokenRepository tokens;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    ApiTokens(TokenRepository tokens, Clock clock) {
        this.tokens = tokens;
        this.clock = clock;
    }

    /** The one answer that carries the secret. */
    public record Issued(UUID id, String name, String role, OffsetDateTime expiresAt, String token) {
        @Override
        public String toString() {
            return "Issued[id=" + id + ", name=" + name + ", role=" + role + "]";
        }
    }

    public Issued issue(Caller issuer, String name, Role role, Integer days) {
        String label = name == null ? "" : name.trim();
        if (label.isEmpty() || label.length() > MAX_NAME_LENGTH || label.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("name is required: 1 to " + MAX_NAME_LENGTH + " characters, no control characters");
        }
        Role granted = role == null ? issuer.role() : role;
        if (!issuer.role().atLeast(granted)) {
            throw new ApiException(HttpStatus.FORBIDDEN, "a token's role can be at most your own (" + issuer.role().id() + ")");
        }
        int lifetime = days == null ? DEFAULT_DAYS : days;
        if (lifetime < 1 || lifetime > MAX_DAYS) {
            throw ApiException.badRequest("expiresInDays must be between 1 and " + MAX_DAYS);
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        UUID id = UUID.randomUUID();
        OffsetDateTime expiresAt = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC)
                .plus(Duration.ofDays(lifetime));
        tokens.insert(id, label, hash(secret), granted, issuer.userId(), issuer.requestedBy(), expiresAt);
        return new Issued(id, label, granted.id(), expiresAt, secret);
    }

    /**
     * The caller a bearer secret stands for: an unknown, revoked or expired token, or one whose
     * account is disabled, stands for nobody. Its role is capped by its account's current role.
     */
    public Optional<Caller> authenticate(String secret) {
        Optional<TokenRepository.Presented> found = tokens.findBySecretHash(hash(secret));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        TokenRepository.Presented token = found.get();
        if (token.revoked() || token.expired() || token.ownerDisabled()
                || (token.ownerId() != null && token.ownerRole() == null)) {
            return Optional.empty();
        }
        if (token.touchDue()) {
            tokens.touch(token.id());
        }
        Role role = token.ownerId() == null ? token.role() : Role.lower(token.role(), token.ownerRole());
        return Optional.of(Caller.byToken(token.ownerId(), token.ownerEmail(), role, token.name()));
    }

    /** An admin sees every token; anyone else their own. */
    public List<TokenRepository.TokenView> visibleTo(Caller caller) {
        if (caller.role() == Role.ADMIN) {
            return tokens.list(null);
        }
        return caller.userId() == null ? List.of() : tokens.list(caller.userId());
    }

    /** An admin revokes any token, anyone else their own; another's is "not found", not "forbidden". */
    public TokenRepository.TokenView revoke(Caller caller, UUID id) {
        TokenRepository.TokenView token = tokens.find(id)
                .filter(t -> caller.role() == Role.ADMIN || (caller.userId() != null && caller.userId().equals(t.ownerId())))
                .orElseThrow(() -> ApiException.notFound("no token " + id));
        tokens.revoke(id);
        return tokens.find(token.id()).orElseThrow();
    }

    static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
