package io.marketplaceindex.api.account;

import io.marketplaceindex.api.control.ControlDatabase;
import io.marketplaceindex.api.web.ApiException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Accounts: sign-in, and what admins do with them (create, disable, re-role). */
@Service
public class Accounts {

    /** bcrypt reads at most 72 bytes of a password; a longer one is refused rather than cut short. */
    static final int MAX_PASSWORD_BYTES = 72;
    static final int MIN_PASSWORD_CHARS = 12;

    private final UserRepository users;
    private final ControlDatabase control;
    private final PasswordEncoder encoder;
    /** Checked against when the email is unknown, so that the answer takes as long as for a known one. */
    private final String decoyHash;

    Accounts(UserRepository users, ControlDatabase control, PasswordEncoder encoder) {
        this.users = users;
        this.control = control;
        this.encoder = encoder;
        this.decoyHash = encoder.encode(UUID.randomUUID().toString());
    }

    /** @return the caller for a right email and password of an enabled account, else empty */
    public Optional<Caller> signIn(String email, String password) {
        Optional<UserRepository.SignInRow> row = users.findForSignIn(email.trim());
        boolean matches = encoder.matches(password, row.map(UserRepository.SignInRow::passwordHash).orElse(decoyHash));
        if (row.isEmpty() || !matches || row.get().disabled()) {
            return Optional.empty();
        }
        UserRepository.SignInRow user = row.get();
        return Optional.of(Caller.signedIn(user.id(), user.email(), user.role()));
    }

    public List<UserRepository.UserView> list() {
        return users.list();
    }

    public UserRepository.UserView create(String email, String password, Role role, Caller by) {
        String address = validEmail(email);
        try {
            return users.create(address, encoder.encode(validPassword(password)), role, by.requestedBy());
        } catch (DuplicateKeyException e) {
            throw new ApiException(HttpStatus.CONFLICT, "an account with this email exists");
        }
    }

    /**
     * Changes an account's role and whether it is disabled, and ends its sessions on every replica
     * (its tokens follow by themselves: they are checked against the account on every request).
     * The last enabled admin can be neither disabled nor demoted.
     */
    public UserRepository.UserView update(long id, Role role, Boolean disabled) {
        return control.inTransaction(tx -> {
            List<Long> admins = users.lockEnabledAdmins();
            UserRepository.UserView user = users.findForUpdate(id)
                    .orElseThrow(() -> ApiException.notFound("no account " + id));
            Role newRole = role == null ? Role.parse(user.role()) : role;
            boolean newDisabled = disabled == null ? user.disabled() : disabled;
            boolean staysAdmin = newRole == Role.ADMIN && !newDisabled;
            if (admins.contains(id) && admins.size() == 1 && !staysAdmin) {
                throw new ApiException(HttpStatus.CONFLICT, "this is the last enabled admin: make another admin first");
            }
            UserRepository.UserView updated = users.update(id, newRole, newDisabled);
            users.endSessions(user.email());
            return updated;
        });
    }

    static String validEmail(String email) {
        if (email == null || email.isBlank()) {
            throw ApiException.badRequest("email is required");
        }
        String address = email.trim();
        int at = address.indexOf('@');
        if (address.length() > 254 || at < 1 || at != address.lastIndexOf('@') || at == address.length() - 1
                || address.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw ApiException.badRequest("email must be an address like name@example.org (at most 254 characters)");
        }
        return address;
    }

    static String validPassword(String password) {
        if (password == null || password.codePointCount(0, password.length()) < MIN_PASSWORD_CHARS) {
            throw ApiException.badRequest("password must have at least " + MIN_PASSWORD_CHARS + " characters");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw ApiException.badRequest("password must be at most " + MAX_PASSWORD_BYTES + " bytes in UTF-8");
        }
        return password;
    }
}
