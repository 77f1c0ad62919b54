package io.marketplaceindex.api.security;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

import java.util.List;

/** viewer < operator < admin: each role carries the authorities of the ones below it. */
enum Roles {
    VIEWER, OPERATOR, ADMIN;

    List<GrantedAuthority> authorities() {
        return java.util.Arrays.stream(values()).filter(r -> r.ordinal() <= ordinal())
                .map(r -> (GrantedAuthority) new SimpleGrantedAuthority("ROLE_" + r.name())).toList();
    }
}
