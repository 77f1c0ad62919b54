package io.marketplaceindex.api.docs;

/** The names the OpenAPI document and the controllers' annotations share: tags and security schemes. */
public final class ApiDocs {

    public static final String CATALOG = "catalog";
    public static final String REGISTRIES = "registries";
    public static final String REBUILD = "rebuild";
    public static final String AUTH = "auth";
    public static final String ACCOUNTS = "accounts";
    /** An API token as a bearer token. */
    public static final String BEARER = "bearerToken";
    /** The session cookie of POST /api/auth/login. */
    public static final String SESSION = "session";
    public static final String UNAUTHENTICATED = "no valid token or session";

    private ApiDocs() {
    }
}
