package io.marketplaceindex.api.docs;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.PathParameter;

import java.math.BigDecimal;
import java.util.List;

import static io.marketplaceindex.api.docs.ApiDocs.ACCOUNTS;
import static io.marketplaceindex.api.docs.ApiDocsConfig.describe;
import static io.marketplaceindex.api.docs.ApiDocsConfig.jsonBody;
import static io.marketplaceindex.api.docs.ApiDocsConfig.responses;
import static io.marketplaceindex.api.docs.ApiDocsConfig.secured;
import static io.marketplaceindex.api.docs.ApiDocsConfig.uuid;

/**
 * The accounts and API tokens endpoints' part of the description {@link ApiDocsConfig} writes (roles,
 * limits, error answers), kept apart only for the length of one file. docs/security.md says the rest.
 */
final class AccountApiDocs {

    private static final String UNAUTHENTICATED = "no valid token or session";

    private AccountApiDocs() {
    }

    static void describeAll(OpenAPI api) {
        users(api);
        tokens(api);
    }

    private static void users(OpenAPI api) {
        describe(api, "/api/settings/users", PathItem.HttpMethod.GET, op -> secured(op, ACCOUNTS, "List accounts",
                "Every account: id, email, role, disabled, createdAt, createdBy, updatedAt; never a password hash.",
                "admin")
                .responses(responses(200, "{users: [account]}", 401, UNAUTHENTICATED, 403, "role below admin")));
        describe(api, "/api/settings/users", PathItem.HttpMethod.POST, op -> secured(op, ACCOUNTS, "Create an account",
                "email: an address, at most 254 characters, one account per address (case-insensitive); password: at "
                        + "least 12 characters and at most 72 bytes in UTF-8 (bcrypt reads no more); role: viewer, "
                        + "operator or admin. createdBy records who asked.", "admin")
                .requestBody(jsonBody(true, new ObjectSchema()
                        .addProperty("email", new StringSchema().format("email").maxLength(254))
                        .addProperty("password", new StringSchema().format("password").minLength(12))
                        .addProperty("role", role())
                        .required(List.of("email", "password", "role"))))
                .responses(responses(201, "the account", 400, "missing body, or an invalid email, password or role",
                        401, UNAUTHENTICATED, 403, "role below admin", 409, "an account with this email exists")));
        describe(api, "/api/settings/users/{id}", PathItem.HttpMethod.PATCH, op -> secured(op, ACCOUNTS,
                "Re-role, disable or enable an account",
                "Either or both of role and disabled; an absent field is kept. Ends the account's sessions on every "
                        + "replica; its tokens follow its role and disabled flag at their next request.", "admin")
                .parameters(List.of(new PathParameter().name("id").description("account id")
                        .schema(new IntegerSchema().format("int64"))))
                .requestBody(jsonBody(true, new ObjectSchema().addProperty("role", role())
                        .addProperty("disabled", new BooleanSchema())))
                .responses(responses(200, "the account as it is now", 400, "neither role nor disabled, or an invalid role",
                        401, UNAUTHENTICATED, 403, "role below admin", 404, "no such account",
                        409, "the last enabled admin can be neither disabled nor demoted")));
    }

    private static void tokens(OpenAPI api) {
        describe(api, "/api/settings/tokens", PathItem.HttpMethod.GET, op -> secured(op, ACCOUNTS, "List API tokens",
                "The caller's own tokens (an admin's answer has every token): id, name, role, owner, createdBy, "
                        + "createdAt, expiresAt, lastUsedAt, revokedAt; never a secret or hash.", "viewer")
                .responses(responses(200, "{tokens: [token]}", 401, UNAUTHENTICATED)));
        describe(api, "/api/settings/tokens", PathItem.HttpMethod.POST, op -> secured(op, ACCOUNTS, "Issue an API token",
                "A token of the caller's account (or of none, issued with MARKETPLACE_ADMIN_TOKEN). name: 1..100 "
                        + "characters, no control characters; role: at most the caller's own, the caller's when "
                        + "absent; expiresInDays: 1..366, 90 when absent. The answer (Cache-Control: no-store) is the "
                        + "only place the secret (token, mit_...) ever appears: only its SHA-256 is stored. A token "
                        + "acts with the lower of its role and its account's current role.", "viewer")
                .requestBody(jsonBody(true, new ObjectSchema()
                        .addProperty("name", new StringSchema().minLength(1).maxLength(100))
                        .addProperty("role", role())
                        .addProperty("expiresInDays", new IntegerSchema().minimum(BigDecimal.ONE)
                                .maximum(BigDecimal.valueOf(366))._default(90))
                        .required(List.of("name"))))
                .responses(responses(201, "id, name, role, expiresAt and the secret, token",
                        400, "missing body, an invalid name, role or expiresInDays", 401, UNAUTHENTICATED,
                        403, "a role above the caller's own")));
        describe(api, "/api/settings/tokens/{id}", PathItem.HttpMethod.DELETE, op -> secured(op, ACCOUNTS,
                "Revoke an API token", "Refused at its next request on every replica; revoking twice keeps the first "
                        + "time. An admin revokes any token, anyone else their own.", "viewer")
                .parameters(List.of(new PathParameter().name("id").description("token id").schema(uuid())))
                .responses(responses(200, "the token, revokedAt set", 400, "not a UUID", 401, UNAUTHENTICATED,
                        404, "no such token of the caller's")));
    }

    private static StringSchema role() {
        StringSchema role = new StringSchema();
        role._enum(List.of("viewer", "operator", "admin"));
        return role;
    }
}
