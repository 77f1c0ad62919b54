package io.marketplaceindex.api.account;

import io.marketplaceindex.api.web.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/** Accounts, for admins (the security configuration lets only them in). */
@RestController
@RequestMapping("/api/settings/users")
class UserController {

    private final Accounts accounts;

    UserController(Accounts accounts) {
        this.accounts = accounts;
    }

    record CreateUser(String email, String password, String role) {
        @Override
        public String toString() {
            return "CreateUser[email=" + email + ", role=" + role + "]";
        }
    }

    /** Either or both; absent fields stay as they are. */
    record UpdateUser(String role, Boolean disabled) {
    }

    @GetMapping
    Map<String, List<UserRepository.UserView>> list() {
        return Map.of("users", accounts.list());
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<UserRepository.UserView> create(@RequestBody CreateUser body, @AuthenticationPrincipal Caller caller) {
        if (body == null) {
            throw ApiException.badRequest("a JSON body {email, password, role} is required");
        }
        UserRepository.UserView created = accounts.create(body.email(), body.password(), Role.parse(body.role()), caller);
        return ResponseEntity.status(HttpStatus.CREATED).body(created);
    }

    @PatchMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    UserRepository.UserView update(@PathVariable long id, @RequestBody UpdateUser body) {
        if (body == null || (body.role() == null && body.disabled() == null)) {
            throw ApiException.badRequest("give role and/or disabled");
        }
        return accounts.update(id, body.role() == null ? null : Role.parse(body.role()), body.disabled());
    }
}
