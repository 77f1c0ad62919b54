package io.marketplaceindex.api.account;

import io.marketplaceindex.api.web.ApiException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * viewer &lt; operator &lt; admin. A caller carries its one role; what it implies comes from the
 * security configuration's role hierarchy, so that an authority never says more than the role.
 */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    public String authority() {
        return "ROLE_" + name();
    }

    public List<GrantedAuthority> authorities() {
        return List.of(new SimpleGrantedAuthority(authority()));
    }

    /** As stored and as the API speaks it: lower case. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean atLeast(Role other) {
        return ordinal() >= other.ordinal();
    }

    public static Role lower(Role a, Role b) {
        return a.ordinal() <= b.ordinal() ? a : b;
    }

    /** @throws ApiException 400 naming the accepted values */
    public static Role parse(String value) {
        if (value != null) {
            for (Role role : values()) {
                if (role.id().equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return role;
                }
            }
        }
        throw ApiException.badRequest("role must be one of " + Arrays.stream(values()).map(Role::id)
                .collect(Collectors.joining(", ")));
    }

    /** The caller's role from its authorities (one role each, see {@link #authorities()}); null for none. */
    public static Role of(Iterable<? extends GrantedAuthority> authorities) {
        Role best = null;
        for (GrantedAuthority authority : authorities) {
            for (Role role : values()) {
                if (role.authority().equals(authority.getAuthority()) && (best == null || role.atLeast(best))) {
                    best = role;
                }
            }
        }
        return best;
    }
}
