package io.marketplaceindex.api.docs;

import io.marketplaceindex.api.catalog.CatalogQuery;
import io.marketplaceindex.api.catalog.RelevanceTerms;
import io.marketplaceindex.api.changes.ChangeQuery;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.QueryParameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.tags.Tag;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.marketplaceindex.api.docs.ApiDocs.ACCOUNTS;
import static io.marketplaceindex.api.docs.ApiDocs.AUTH;
import static io.marketplaceindex.api.docs.ApiDocs.BEARER;
import static io.marketplaceindex.api.docs.ApiDocs.CATALOG;
import static io.marketplaceindex.api.docs.ApiDocs.REBUILD;
import static io.marketplaceindex.api.docs.ApiDocs.REGISTRIES;
import static io.marketplaceindex.api.docs.ApiDocs.SESSION;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The OpenAPI document ({@code /v3/api-docs}, browsable at {@code /swagger-ui.html}). springdoc finds
 * the endpoints and describes the answers from their records; the rebuild and registry controllers say
 * the rest in annotations. What annotations cannot say is here: the document's security schemes and
 * tags, that every answer of 400 and above is the Error schema, and the endpoints whose answers are raw
 * JSON (the catalog, the changes feed) or whose description is still kept by path (sign-in, accounts).
 */
@Configuration(proxyBeanMethods = false)
class ApiDocsConfig {

    private static final String ERROR = "#/components/schemas/Error";

    @Bean
    OpenAPI marketplaceOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Marketplace Index API").version("v1").description("""
                        A federated, searchable catalog of AI agents. Catalog reads are public by default \
                        (MARKETPLACE_PUBLIC_CATALOG) and rate limited per client for anonymous callers; operator \
                        actions need a bearer API token or a session from POST /api/auth/login. Every error \
                        answers {"error": reason, "status": code}."""))
                .components(new Components()
                        .addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("an API token from POST /api/settings/tokens (its role), or MARKETPLACE_ADMIN_TOKEN (admin)"))
                        .addSecuritySchemes(SESSION, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.COOKIE).name("SESSION")
                                .description("session cookie set by POST /api/auth/login"))
                        .addSchemas("Error", new ObjectSchema()
                                .addProperty("error", new StringSchema().description("why, for a human"))
                                .addProperty("status", new IntegerSchema().description("the HTTP status")))
                        .addSchemas("CatalogPage", catalogPageSchema()))
                .tags(List.of(
                        new Tag().name(CATALOG).description("The agent catalog (compatible API)"),
                        new Tag().name(REBUILD).description("Rebuilds of the index (operator)"),
                        new Tag().name(REGISTRIES).description("Registry management (operator)"),
                        new Tag().name(ACCOUNTS).description("Accounts (admin) and API tokens (everyone signed in)"),
                        new Tag().name(AUTH).description("Session sign-in for the web page")));
    }

    @Bean
    OpenApiCustomizer marketplaceOperations() {
        return api -> {
            if (api.getPaths() == null) {
                return;
            }
            describe(api, "/api/marketplace", PathItem.HttpMethod.GET, ApiDocsConfig::catalog);
            describe(api, "/api/marketplace/changes", PathItem.HttpMethod.GET, ApiDocsConfig::changes);
            describe(api, "/api/marketplace/changes/head", PathItem.HttpMethod.GET, op -> op.tags(List.of(CATALOG))
                    .summary("Where the changes feed stands now")
                    .description("""
                            No changes, and in meta.nextCursor the cursor of a client that has everything \
                            written so far. To mirror the catalog without a gap: take the head, read \
                            GET /api/marketplace, then follow the feed from the head's cursor (a change seen in \
                            both comes twice; none is missed). updatedSince cannot promise that: a change's time \
                            is when its transaction began."""));
            describe(api, "/api/auth/login", PathItem.HttpMethod.POST, op -> op.tags(List.of(AUTH))
                    .summary("Sign in").description("Starts a session (cookie, SameSite=Strict) with the account's role.")
                    .requestBody(jsonBody(true, new ObjectSchema().addProperty("email", new StringSchema())
                            .addProperty("password", new StringSchema().format("password"))
                            .required(List.of("email", "password"))))
                    .responses(responses(200, "{user, role}", 400, "email and password are required",
                            401, "wrong email or password",
                            429, "too many sign-in attempts from this client this minute; see Retry-After")));
            describe(api, "/api/auth/logout", PathItem.HttpMethod.POST, op -> op.tags(List.of(AUTH))
                    .summary("Sign out").description("Ends the session.").responses(responses(200, "{loggedOut: true}")));
            describe(api, "/api/auth/me", PathItem.HttpMethod.GET, op -> op.tags(List.of(AUTH))
                    .summary("Who am I").description("{authenticated, user, role}; authenticated=false without a session.")
                    .responses(responses(200, "the caller")));
            AccountApiDocs.describeAll(api);
            api.getPaths().values().forEach(path -> path.readOperations().forEach(ApiDocsConfig::errorAnswers));
        };
    }

    /** Every answer of 400 and above is {"error", "status"}, whichever controller or filter gives it. */
    private static void errorAnswers(Operation op) {
        if (op.getResponses() == null) {
            return;
        }
        op.getResponses().forEach((status, response) -> {
            if (status.matches("[45]\\d\\d")) {
                response.content(new Content().addMediaType("application/json",
                        new MediaType().schema(new Schema<>().$ref(ERROR))));
            }
        });
    }

    private static void catalog(Operation op) {
        op.tags(List.of(CATALOG)).summary("Browse and search the catalog").description("""
                Agents of every enabled registry. Public unless MARKETPLACE_PUBLIC_CATALOG=false; anonymous \
                callers are rate limited per client (X-RateLimit-* headers, 429 past the limit). Answers carry \
                an ETag and honour If-None-Match with 304. meta.catalog says where the answer comes from: \
                "db" (the index), "db_fallback" (the index is empty, so the registries were asked directly) or \
                "redis" (MARKETPLACE_CATALOG_SOURCE=live).""");
        List<Parameter> parameters = new ArrayList<>();
        parameters.add(new QueryParameter().name("limit").description("page size; larger values are clamped to "
                + CatalogQuery.MAX_LIMIT).schema(new IntegerSchema().minimum(BigDecimal.ONE)
                ._default(CatalogQuery.DEFAULT_LIMIT).maximum(BigDecimal.valueOf(CatalogQuery.MAX_LIMIT))));
        parameters.add(new QueryParameter().name("offset").description("agents to skip; ignored with cursor")
                .schema(new IntegerSchema().minimum(BigDecimal.ZERO)._default(0)));
        parameters.add(new QueryParameter().name("sort").description("name: case-insensitive on the name, falling "
                + "back to the handle; handle: by handle. Ties are broken by handle and registry id. relevance (only "
                + "with q): the words of q ranked by field and rarity, offset paging only (docs/search.md)")
                .schema(new StringSchema()._enum(List.of("name", "handle", "relevance"))._default("name")));
        parameters.add(new QueryParameter().name("q").description("case-insensitive substring of name, description, "
                + "handle, author or any tag (% and _ are literal)").schema(new StringSchema().maxLength(256)));
        parameters.add(new QueryParameter().name("match").description("how q matches: substring (default of "
                + "sort=name|handle) or words (every word in any order, the last as a prefix, small typos corrected; "
                + "at most " + RelevanceTerms.MAX_WORDS + " words; only with sort=relevance, its default)")
                .schema(new StringSchema()._enum(List.of("substring", "words"))));
        parameters.add(new QueryParameter().name("tags").description("comma-separated; agents having any of them "
                + "(exact match); at most 32").schema(new StringSchema()).example("translation,search"));
        parameters.add(new QueryParameter().name("registryUrl").description("only agents of this registry; "
                + "trailing slashes ignored").schema(new StringSchema().format("uri")));
        parameters.add(new QueryParameter().name("cursor").description("meta.nextCursor of the previous page, for "
                + "keyset paging at any depth; bound to the same sort and filters").schema(new StringSchema()));
        parameters.add(new QueryParameter().name("verified").description("true: only agents whose record proof "
                + "verifies (proof.status valid); false: all").schema(new StringSchema()._enum(List.of("true", "false"))
                ._default("false")));
        parameters.add(new HeaderParameter().name("If-None-Match").description("ETag of an earlier answer")
                .schema(new StringSchema()));
        op.parameters(parameters);
        ApiResponses responses = responses(400, "invalid limit, offset, sort, match, q, tags, cursor or verified",
                401, "the catalog is not public and the caller is not signed in",
                429, "anonymous rate limit exceeded; see Retry-After");
        responses.addApiResponse("200", new ApiResponse().description("a page of the catalog")
                .headers(rateLimitHeaders())
                .content(new Content().addMediaType("application/json",
                        new MediaType().schema(new Schema<>().$ref("#/components/schemas/CatalogPage")))));
        responses.addApiResponse("304", new ApiResponse().description("not modified (If-None-Match matched)"));
        responses.get("429").headers(rateLimitHeaders()).addHeaderObject("Retry-After",
                new Header().description("seconds until the window ends").schema(new IntegerSchema()));
        op.responses(responses);
    }

    private static void changes(Operation op) {
        op.tags(List.of(CATALOG)).summary("Follow the changes of the catalog").description("""
                Upserts (with the agent's new state) and removals, ordered by (generation, registryId, handle), \
                where a change's generation is its stamp: the id of the PostgreSQL transaction that wrote it. \
                Stamps are handed out when writers begin, not when they commit, so the feed serves only changes \
                stamped below a watermark (meta.generation): the id of the oldest transaction still writing in \
                the index's database when the answer was read (the next id when none was). No change can appear below the watermark later, so a client that follows nextCursor \
                never misses a change, even one committed late; a commit is served once every transaction of the \
                index's database that began writing before it has ended (registry commits last seconds). The change generation and \
                the watermark are not the catalog generation of GET /api/marketplace. Removals are kept for \
                MARKETPLACE_SYNC_TOMBSTONE_RETENTION; a client whose position is older must resync from the \
                catalog. Not cached.""");
        op.parameters(List.of(
                new QueryParameter().name("updatedSince").description("only changes made at or after this "
                        + "instant; use it once, then follow cursors").schema(new StringSchema().format("date-time")),
                new QueryParameter().name("cursor").description("meta.nextCursor of the previous answer: continues "
                        + "strictly after the last change it returned, or, once caught up, at the watermark")
                        .schema(new StringSchema()),
                new QueryParameter().name("limit").description("page size; larger values are clamped to "
                        + ChangeQuery.MAX_LIMIT).schema(new IntegerSchema().minimum(BigDecimal.ONE)
                        ._default(ChangeQuery.DEFAULT_LIMIT).maximum(BigDecimal.valueOf(ChangeQuery.MAX_LIMIT)))));
        ObjectSchema change = new ObjectSchema();
        change.addProperty("registryId", uuid()).addProperty("handle", new StringSchema())
                .addProperty("change", new StringSchema()._enum(List.of("upsert", "removal")))
                .addProperty("generation", new IntegerSchema().format("int64")
                        .description("the change's stamp (writing transaction id), its position in the feed order"))
                .addProperty("at", new StringSchema().format("date-time").description("when the change was written"))
                .addProperty("agent", new ObjectSchema().additionalProperties(true)
                        .description("upserts only: the agent's new state"));
        ObjectSchema meta = new ObjectSchema();
        meta.addProperty("nextCursor", new StringSchema().description("always present; pass it as cursor"))
                .addProperty("hasMore", new BooleanSchema().description("more changes below the watermark wait"))
                .addProperty("generation", new IntegerSchema().format("int64").description("the watermark: every "
                        + "change stamped below it has been served (in this answer or before it, unless hasMore), "
                        + "and none will be stamped below it later"))
                .addProperty("limit", new IntegerSchema());
        ApiResponses responses = responses(400, "invalid updatedSince, cursor or limit",
                401, "the catalog is not public and the caller is not signed in",
                429, "anonymous rate limit exceeded; see Retry-After");
        responses.addApiResponse("200", new ApiResponse().description("a page of changes")
                .content(new Content().addMediaType("application/json", new MediaType().schema(new ObjectSchema()
                        .addProperty("data", new ArraySchema().items(change)).addProperty("meta", meta)))));
        op.responses(responses);
    }

    private static Schema<?> catalogPageSchema() {
        ObjectSchema source = new ObjectSchema();
        source.addProperty("registryId", new StringSchema()).addProperty("name", new StringSchema())
                .addProperty("url", new StringSchema()).addProperty("ok", new BooleanSchema())
                .addProperty("agentCount", new IntegerSchema()).addProperty("fetchMs", new IntegerSchema())
                .addProperty("error", new StringSchema().description("only when ok is false"));
        ObjectSchema meta = new ObjectSchema();
        meta.addProperty("registries", new IntegerSchema())
                .addProperty("builtAt", new StringSchema().format("date-time"))
                .addProperty("sources", new ArraySchema().items(source))
                .addProperty("cache", new StringSchema().description("hit, miss, stale, bypass: redis unavailable"))
                .addProperty("catalog", new StringSchema()._enum(List.of("db", "db_fallback", "redis")))
                .addProperty("tags", new ArraySchema().items(new StringSchema())
                        .description("every tag of the whole catalog, sorted"))
                .addProperty("totalExact", new BooleanSchema()
                        .description("false when total is the planner's estimate"))
                .addProperty("generation", new IntegerSchema().format("int64"))
                .addProperty("nextCursor", new StringSchema().description("absent on the last page"))
                .addProperty("truncated", new BooleanSchema()
                        .description("live catalog only: it reached its size cap (maxAgents)"))
                .addProperty("maxAgents", new IntegerSchema().description("live catalog only, when truncated"));
        ObjectSchema agent = new ObjectSchema();
        agent.description("a normalized agent: handle, name, description, tags, skills, agentCardUrl, registryId, "
                + "registryName, registryUrl, and more when the registry provides them");
        agent.additionalProperties(true);
        ObjectSchema proof = new ObjectSchema();
        proof.description("the record proof as the indexer found it (docs/record-proof.md), beside the registry's "
                + "own type, signer and sigHex");
        proof.addProperty("status", new StringSchema()._enum(List.of("valid", "invalid", "unsigned", "none")))
                .addProperty("reason", new StringSchema().nullable(true)
                        .description("why invalid, or why nothing was checked (none); null otherwise"))
                .addProperty("signingKid", new StringSchema().nullable(true));
        proof.additionalProperties(true);
        agent.addProperty("proof", proof);
        ObjectSchema page = new ObjectSchema();
        page.addProperty("data", new ArraySchema().items(agent)).addProperty("total", new IntegerSchema().format("int64"))
                .addProperty("offset", new IntegerSchema()).addProperty("limit", new IntegerSchema())
                .addProperty("meta", meta);
        return page;
    }

    private static Map<String, Header> rateLimitHeaders() {
        return new java.util.LinkedHashMap<>(Map.of(
                "X-RateLimit-Limit", new Header().description("anonymous requests per minute")
                        .schema(new IntegerSchema()),
                "X-RateLimit-Remaining", new Header().description("left in the current window")
                        .schema(new IntegerSchema()),
                "X-RateLimit-Reset", new Header().description("seconds until the window ends")
                        .schema(new IntegerSchema())));
    }

    /** An operation that needs a token or a session of at least the given role. */
    static Operation secured(Operation op, String tag, String summary, String description, String role) {
        return op.tags(List.of(tag)).summary(summary).description(description + " Needs the " + role + " role.")
                .security(List.of(new SecurityRequirement().addList(BEARER), new SecurityRequirement().addList(SESSION)));
    }

    static void describe(OpenAPI api, String path, PathItem.HttpMethod method, Consumer<Operation> how) {
        PathItem item = api.getPaths().get(path);
        Operation op = item == null ? null : item.readOperationsMap().get(method);
        if (op != null) {
            how.accept(op);
        }
    }

    static Schema<?> uuid() {
        return new StringSchema().format("uuid");
    }

    static RequestBody jsonBody(boolean required, Schema<?> schema) {
        return new RequestBody().required(required)
                .content(new Content().addMediaType("application/json", new MediaType().schema(schema)));
    }

    /** Pairs of status and description; every status of 400 and above answers the Error schema. */
    static ApiResponses responses(Object... statusAndDescription) {
        ApiResponses responses = new ApiResponses();
        for (int i = 0; i < statusAndDescription.length; i += 2) {
            int status = (Integer) statusAndDescription[i];
            ApiResponse response = new ApiResponse().description((String) statusAndDescription[i + 1]);
            Schema<?> schema = status >= 400 ? new Schema<>().$ref(ERROR) : new ObjectSchema();
            response.content(new Content().addMediaType("application/json", new MediaType().schema(schema)));
            responses.addApiResponse(String.valueOf(status), response);
        }
        return responses;
    }
}
