package io.marketplaceindex.api.account;

import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.api.web.Uuids;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/** API tokens: every signed-in caller manages their own; admins see and revoke all. */
@RestController
@RequestMapping("/api/settings/tokens")
class TokenController {

    private final ApiTokens tokens;

    TokenController(ApiTokens tokens) {
        this.tokens = tokens;
    }

    /** @param role at most the caller's own; defaults to it. @param expiresInDays 1 to 366, default 90 */
    record CreateToken(String name, String role, Integer expiresInDays) {
    }

    @GetMapping
    Map<String, List<TokenRepository.TokenView>> list(@AuthenticationPrincipal Caller caller) {
        return Map.of("tokens", tokens.visibleTo(caller));
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ApiTokens.Issued> create(@RequestBody CreateToken body, @AuthenticationPrincipal Caller caller) {
        if (body == null) {
            throw ApiException.badRequest("a JSON body {name, role, expiresInDays} is required");
        }
        Role role = body.role() == null ? null : Role.parse(body.role());
        ApiTokens.Issued issued = tokens.issue(caller, body.name(), role, body.expiresInDays());
        // the secret is in this answer only: no cache or proxy may keep it
        return ResponseEntity.status(HttpStatus.CREATED).header("Cache-Control", "no-store").body(issued);
    }

    @DeleteMapping("/{id}")
    TokenRepository.TokenView revoke(@PathVariable String id, @AuthenticationPrincipal Caller caller) {
        return tokens.revoke(caller, Uuids.parse(id, "id must be a UUID"));
    }
}
