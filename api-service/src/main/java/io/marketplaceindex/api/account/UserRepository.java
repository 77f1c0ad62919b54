package io.marketplaceindex.api.account;

import io.marketplaceindex.api.control.ControlDatabase;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * Accounts in marketplace_control.users. Reads on their own go through the main pool; writes, and the
 * transactions they belong to, through the control pool ({@link ControlDatabase}).
 */
@Repository
public class UserRepository {

    /** An account as an admin sees it: never its password hash. */
    public record UserView(long id, String email, String role, boolean disabled, OffsetDateTime createdAt,
                           String createdBy, OffsetDateTime updatedAt) {
    }

    record SignInRow(long id, String email, String passwordHash, Role role, boolean disabled) {
        @Override
        public String toString() {
            return "SignInRow[id=" + id + ", email=" + email + ", role=" + role + ", disabled=" + disabled + "]";
        }
    }

    private static final String VIEW_COLUMNS = "id, email, role, disabled, created_at, created_by, updated_at";

    private final JdbcClient jdbc;
    private final ControlDatabase control;

    UserRepository(JdbcClient jdbc, ControlDatabase control) {
        this.jdbc = jdbc;
        this.control = control;
    }

    /** By users_email_key (lower(email)). */
    Optional<SignInRow> findForSignIn(String email) {
        return jdbc.sql("""
                        SELECT id, email, password_hash, role, disabled
                        FROM marketplace_control.users
                        WHERE lower(email) = lower(:email)""")
                .param("email", email)
                .query((rs, n) -> new SignInRow(rs.getLong(1), rs.getString(2), rs.getString(3),
                        Role.parse(rs.getString(4)), rs.getBoolean(5)))
                .optional();
    }

    List<UserView> list() {
        return jdbc.sql("SELECT " + VIEW_COLUMNS + " FROM marketplace_control.users ORDER BY id")
                .query(UserRepository::view).list();
    }

    /** @throws org.springframework.dao.DuplicateKeyException when the email is taken (users_email_key) */
    UserView create(String email, String passwordHash, Role role, String createdBy) {
        return control.jdbc().sql("""
                        INSERT INTO marketplace_control.users (email, password_hash, role, created_by)
                        VALUES (:email, :hash, :role, :createdBy)
                        RETURNING""" + " " + VIEW_COLUMNS)
                .param("email", email).param("hash", passwordHash).param("role", role.id())
                .param("createdBy", createdBy)
                .query(UserRepository::view).single();
    }

    /**
     * The first account, only while there is none. Replicas starting together may both try: the
     * advisory lock (held to the end of the transaction) makes the second one see the first one's row.
     *
     * @return whether this call created it
     */
    boolean createFirst(String email, String passwordHash) {
        return control.inTransaction(tx -> {
            control.jdbc().sql("SELECT pg_advisory_xact_lock(hashtext('marketplace_control.users bootstrap'))")
                    .query().singleRow();
            return control.jdbc().sql("""
                            INSERT INTO marketplace_control.users (email, password_hash, role, created_by)
                            SELECT :email, :hash, 'admin', 'bootstrap'
                            WHERE NOT EXISTS (SELECT 1 FROM marketplace_control.users)""")
                    .param("email", email).param("hash", passwordHash).update() == 1;
        });
    }

    boolean anyExists() {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM marketplace_control.users)").query(Boolean.class).single();
    }

    /**
     * Locks the enabled admins' rows until the transaction ends, so that two admins demoting each
     * other at once cannot leave none. Within {@link ControlDatabase#inTransaction}.
     */
    List<Long> lockEnabledAdmins() {
        return control.jdbc().sql("""
                        SELECT id FROM marketplace_control.users
                        WHERE role = 'admin' AND NOT disabled
                        ORDER BY id
                        FOR UPDATE""")
                .query(Long.class).list();
    }

    /** The account, its row locked until the transaction ends; within {@link ControlDatabase#inTransaction}. */
    Optional<UserView> findForUpdate(long id) {
        return control.jdbc().sql("SELECT " + VIEW_COLUMNS + " FROM marketplace_control.users WHERE id = :id FOR UPDATE")
                .param("id", id).query(UserRepository::view).optional();
    }

    UserView update(long id, Role role, boolean disabled) {
        return control.jdbc().sql("""
                        UPDATE marketplace_control.users
                        SET role = :role, disabled = :disabled, updated_at = now()
                        WHERE id = :id
                        RETURNING""" + " " + VIEW_COLUMNS)
                .param("id", id).param("role", role.id()).param("disabled", disabled)
                .query(UserRepository::view).single();
    }

    /**
     * Ends every session of the account on every replica (spring_session_ix3): a disabled or re-roled
     * account must not keep acting with what its session said at sign-in.
     */
    int endSessions(String email) {
        return control.jdbc().sql("DELETE FROM marketplace_control.spring_session WHERE principal_name = :email")
                .param("email", email).update();
    }

    private static UserView view(ResultSet rs, int n) throws SQLException {
        return new UserView(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                rs.getObject(5, OffsetDateTime.class), rs.getString(6), rs.getObject(7, OffsetDateTime.class));
    }
}
