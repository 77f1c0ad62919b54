package io.marketplaceindex.api.registry;

import io.marketplaceindex.api.account.Caller;
import io.marketplaceindex.api.command.CommandPublisher;
import io.marketplaceindex.api.docs.ApiDocs;
import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.api.web.StorableText;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.registry.RegistryClient;
import io.marketplaceindex.registry.RegistryEndpoint;
import io.marketplaceindex.registry.RegistryFetchException;
import io.marketplaceindex.registry.RegistryUrls;
import io.marketplaceindex.secrets.TokenCipher;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/**
 * Registry management (operator). Validation and the health probe happen here, so a client gets
 * its 4xx at once; the change itself is a command the worker carries out. Tokens are encrypted here,
 * before they are published: commands, the dead-letter topic and the database only ever hold ciphertext.
 */
@Tag(name = ApiDocs.REGISTRIES)
@SecurityRequirement(name = ApiDocs.BEARER)
@SecurityRequirement(name = ApiDocs.SESSION)
@ApiResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
@ApiResponse(responseCode = "403", description = "role below operator")
@RestController
@RequestMapping("/api/settings/registries")
class RegistryController {

    static final int MAX_NAME_LENGTH = 200;
    private static final String COMMAND_BUS = "the command bus is unavailable";

    private final RegistryReadRepository registries;
    private final CommandPublisher commands;
    private final RegistryClient client;
    private final TokenCipher cipher;
    private final Clock clock;

    RegistryController(RegistryReadRepository registries, CommandPublisher commands, RegistryClient client,
                       TokenCipher cipher, Clock clock) {
        this.registries = registries;
        this.commands = commands;
        this.client = client;
        this.cipher = cipher;
        this.clock = clock;
    }

    /** @param sendTokenToCards send authToken to the registry's agent cards too (on its origin only); default no */
    record ConnectRequest(@Schema(requiredMode = REQUIRED, maxLength = MAX_NAME_LENGTH) String name,
                          @Schema(requiredMode = REQUIRED, format = "uri") String url,
                          @Schema(format = "password") String authToken, Boolean sendTokenToCards) {
        @Override
        public String toString() {
            return "ConnectRequest[name=" + name + ", url=" + url + ", sendTokenToCards=" + sendTokenToCards + "]";
        }
    }

    record EnableRequest(@Schema(requiredMode = REQUIRED, format = "uuid") String id,
                         @Schema(requiredMode = REQUIRED) Boolean enabled) {
    }

    /**
     * A change of settings; an absent field keeps its value.
     *
     * @param authToken      a new token (replaces the current one)
     * @param clearAuthToken true removes the token
     */
    record EditRequest(@Schema(maxLength = MAX_NAME_LENGTH) String name, @Schema(format = "uri") String url,
                       @Schema(format = "password") String authToken, Boolean clearAuthToken,
                       Boolean sendTokenToCards) {

        boolean changesNothing() {
            return name == null && url == null && authToken == null && clearAuthToken == null && sendTokenToCards == null;
        }

        boolean clearsToken() {
            return Boolean.TRUE.equals(clearAuthToken);
        }

        @Override
        public String toString() {
            return "EditRequest[name=" + name + ", url=" + url + ", authToken=" + (authToken == null ? "none" : "(redacted)")
                    + ", clearAuthToken=" + clearAuthToken + ", sendTokenToCards=" + sendTokenToCards + "]";
        }
    }

    record Registries(List<RegistryView> data) {
    }

    /** @param commands the registry's last 20 commands, newest first */
    record RegistryDetail(RegistryView data, List<CommandResult> commands) {
    }

    record Command(CommandResult data) {
    }

    /**
     * A registry change the workers will carry out: what changed (only the fields the change names), and
     * where to follow it.
     *
     * @param authToken what became of the token on an edit: replaced, cleared or kept
     * @param progress  an edit of an enabled registry re-syncs it, followed like a rebuild under the command's id
     */
    record RegistryAccepted(String id, String commandId, String status, String name, String url, String authToken,
                    Boolean sendTokenToCards, Boolean enabled, RegistryLinks links, String progress) {

        static RegistryAccepted of(UUID id, UUID commandId) {
            RegistryLinks links = new RegistryLinks("/api/settings/registries/" + id,
                    "/api/settings/registries/commands/" + commandId);
            return new RegistryAccepted(id.toString(), commandId.toString(), "accepted", null, null, null, null, null,
                    links, null);
        }

        /** @param name null (left out) when unchanged; likewise the others */
        RegistryAccepted changed(String name, String url, String authToken, Boolean sendTokenToCards) {
            return new RegistryAccepted(id, commandId, status, name, url, authToken, sendTokenToCards, enabled, links,
                    progress);
        }

        RegistryAccepted enabled(boolean enabled) {
            return new RegistryAccepted(id, commandId, status, name, url, authToken, sendTokenToCards, enabled, links,
                    progress);
        }

        RegistryAccepted progress(String progress) {
            return new RegistryAccepted(id, commandId, status, name, url, authToken, sendTokenToCards, enabled, links,
                    progress);
        }
    }

    record RegistryLinks(String registry, String command) {
    }

    @Operation(summary = "List registries", description = "Every registry with its sync state; never its token "
            + "(only hasAuthToken). Needs the operator role.")
    @ApiResponse(responseCode = "200", description = "{data: [registry]}")
    @GetMapping
    Registries list() {
        return new Registries(registries.list());
    }

    @Operation(summary = "One registry", description = "With its recent errors and its command history: who "
            + "asked for what (requested_by), accepted or refused by the workers. Needs the operator role.")
    @ApiResponse(responseCode = "200", description = "the registry")
    @ApiResponse(responseCode = "400", description = "not an id")
    @ApiResponse(responseCode = "404", description = "no such registry")
    @GetMapping("/{id}")
    RegistryDetail detail(@Parameter(description = "registry id", schema = @Schema(format = "uuid"))
                          @PathVariable String id) {
        UUID registryId = uuid(id);
        RegistryView view = registries.find(registryId)
                .orElseThrow(() -> ApiException.notFound("no registry with id " + id));
        return new RegistryDetail(view, registries.commandResults(registryId));
    }

    @Operation(summary = "Result of a registry command", description = "Recorded when a worker carried out or "
            + "refused the command, with who asked for it. Needs the operator role.")
    @ApiResponse(responseCode = "200", description = "the result")
    @ApiResponse(responseCode = "400", description = "not an id")
    @ApiResponse(responseCode = "404", description = "no result recorded (yet)")
    @GetMapping("/commands/{commandId}")
    Command command(@Parameter(description = "the commandId a registry change answered",
            schema = @Schema(format = "uuid")) @PathVariable String commandId) {
        return registries.commandResult(uuid(commandId))
                .map(Command::new)
                .orElseThrow(() -> ApiException.notFound("no result recorded for command " + commandId
                        + " (yet): accepted commands show up as the registry itself"));
    }

    @Operation(summary = "Connect a registry", description = "Probes {url}/v1/health, then asks the workers to "
            + "connect and index it. name: 1.." + MAX_NAME_LENGTH + " characters; url: http(s), no credentials; "
            + "authToken: optional bearer token sent to the registry's health, listing and record endpoints only, "
            + "never returned; sendTokenToCards: also send it to agent cards on the registry's own origin (default "
            + "false: card URLs are chosen by agent publishers and cards are served publicly). Needs the operator role.")
    @ApiResponse(responseCode = "202", description = "accepted: id, commandId, links")
    @ApiResponse(responseCode = "400", description = "missing or invalid name or url")
    @ApiResponse(responseCode = "409", description = "a registry with this url is already connected")
    @ApiResponse(responseCode = "422", description = "the registry's health check failed")
    @ApiResponse(responseCode = "503", description = COMMAND_BUS)
    @PostMapping
    @ResponseStatus(HttpStatus.ACCEPTED)
    RegistryAccepted connect(@RequestBody ConnectRequest request,
                                                @AuthenticationPrincipal Caller caller) {
        if (request == null || request.name() == null) {
            throw ApiException.badRequest("name is required");
        }
        String name = validName(request.name());
        String token = request.authToken() == null || request.authToken().isBlank() ? null : request.authToken();
        requireStorableToken(token);
        String url = RegistryUrls.normalize(request.url());
        if (registries.findIdByUrl(url).isPresent()) {
            throw new ApiException(HttpStatus.CONFLICT, "a registry with url " + url + " is already connected");
        }
        UUID id = UUID.randomUUID();
        probe(new RegistryEndpoint(id.toString(), url, token));
        UUID commandId = UUID.randomUUID();
        commands.publish(new RegistryCommand.Connect(commandId, id, clock.instant(), name, url,
                token == null ? null : cipher.encrypt(token, id), Boolean.TRUE.equals(request.sendTokenToCards()),
                caller.requestedBy()));
        return RegistryAccepted.of(id, commandId)
                .changed(name, url, null, Boolean.TRUE.equals(request.sendTokenToCards()));
    }

    /**
     * Changes a registry in place (its rows stay); the worker then syncs it with the new settings. A new
     * URL or token is probed as connect probes it: the token a new URL gets is the new one, or the kept one.
     */
    @Operation(summary = "Edit a registry", description = "Changes name, url, token or sendTokenToCards in place "
            + "(the registry keeps its agents); an absent field is kept. authToken replaces the token, clearAuthToken: "
            + "true removes it. A new url or token is probed as connect probes it; then the workers re-sync the "
            + "registry, followed at the answer's progress link. Tokens are refused while no encryption key is "
            + "configured. Needs the operator role.")
    @ApiResponse(responseCode = "202", description = "accepted: id, commandId, what changed, progress, links")
    @ApiResponse(responseCode = "400", description = "nothing to change, invalid name or url, a blank token, token "
            + "and clearAuthToken together, or no token encryption key configured")
    @ApiResponse(responseCode = "404", description = "no such registry")
    @ApiResponse(responseCode = "409", description = "another registry has this url")
    @ApiResponse(responseCode = "422", description = "the registry's health check failed with the new url or token")
    @ApiResponse(responseCode = "503", description = COMMAND_BUS)
    @PatchMapping("/{id}")
    @ResponseStatus(HttpStatus.ACCEPTED)
    RegistryAccepted edit(@Parameter(description = "registry id", schema = @Schema(format = "uuid")) @PathVariable String id,
                  @RequestBody(required = false) EditRequest request,
                                             @AuthenticationPrincipal Caller caller) {
        UUID registryId = uuid(id);
        RegistryReadRepository.StoredSettings current = registries.settings(registryId)
                .orElseThrow(() -> ApiException.notFound("no registry with id " + id));
        if (request == null || request.changesNothing()) {
            throw ApiException.badRequest("nothing to change: give name, url, authToken, clearAuthToken or sendTokenToCards");
        }
        String name = request.name() == null ? null : validName(request.name());
        if (request.authToken() != null && request.clearsToken()) {
            throw ApiException.badRequest("authToken and clearAuthToken: true exclude each other");
        }
        if (request.authToken() != null && request.authToken().isBlank()) {
            throw ApiException.badRequest("authToken is blank: to remove the token, send clearAuthToken: true");
        }
        requireStorableToken(request.authToken());
        String url = request.url() == null ? null : RegistryUrls.normalize(request.url());
        if (url != null && registries.findIdByUrl(url).filter(other -> !other.equals(registryId)).isPresent()) {
            throw new ApiException(HttpStatus.CONFLICT, "a registry with url " + url + " is already connected");
        }
        if (url != null || request.authToken() != null || request.clearsToken()) {
            String token = request.authToken() != null ? request.authToken()
                    : request.clearsToken() ? null : storedToken(current, registryId);
            probe(new RegistryEndpoint(id, url != null ? url : current.url(), token));
        }
        UUID commandId = UUID.randomUUID();
        commands.publish(new RegistryCommand.Edit(commandId, registryId, clock.instant(), name, url,
                request.authToken() == null ? null : cipher.encrypt(request.authToken(), registryId),
                request.clearsToken() ? Boolean.TRUE : null, request.sendTokenToCards(), caller.requestedBy()));
        String token = request.authToken() != null ? "replaced" : request.clearsToken() ? "cleared" : "kept";
        // the re-sync the edit asks for is followed like a rebuild, under the command's id
        return RegistryAccepted.of(registryId, commandId).changed(name, url, token, request.sendTokenToCards())
                .progress(current.enabled() ? "/api/marketplace/index-rebuild/" + commandId : null);
    }

    @Operation(summary = "Enable or disable a registry", description = "A disabled registry's agents leave the "
            + "catalog. Needs the operator role.")
    @ApiResponse(responseCode = "202", description = "accepted")
    @ApiResponse(responseCode = "400", description = "id and enabled are required")
    @ApiResponse(responseCode = "404", description = "no such registry")
    @ApiResponse(responseCode = "503", description = COMMAND_BUS)
    @PatchMapping
    @ResponseStatus(HttpStatus.ACCEPTED)
    RegistryAccepted setEnabled(@RequestBody EnableRequest request, @AuthenticationPrincipal Caller caller) {
        if (request == null || request.id() == null || request.enabled() == null) {
            throw ApiException.badRequest("id and enabled are required");
        }
        UUID id = existing(request.id());
        UUID commandId = UUID.randomUUID();
        commands.publish(new RegistryCommand.SetEnabled(commandId, id, clock.instant(), request.enabled(),
                caller.requestedBy()));
        return RegistryAccepted.of(id, commandId).enabled(request.enabled());
    }

    @Operation(summary = "Remove a registry", description = "Removes the registry and its agents. "
            + "Needs the operator role.")
    @ApiResponse(responseCode = "202", description = "accepted")
    @ApiResponse(responseCode = "400", description = "id is required")
    @ApiResponse(responseCode = "404", description = "no such registry")
    @ApiResponse(responseCode = "503", description = COMMAND_BUS)
    @DeleteMapping
    @ResponseStatus(HttpStatus.ACCEPTED)
    RegistryAccepted remove(@Parameter(required = true, schema = @Schema(format = "uuid"))
                            @RequestParam(required = false) String id,
                    @AuthenticationPrincipal Caller caller) {
        if (id == null || id.isBlank()) {
            throw ApiException.badRequest("id is required");
        }
        UUID registryId = existing(id);
        UUID commandId = UUID.randomUUID();
        commands.publish(new RegistryCommand.Remove(commandId, registryId, clock.instant(), caller.requestedBy()));
        return RegistryAccepted.of(registryId, commandId);
    }

    private static String validName(String raw) {
        String name = raw.trim();
        if (name.isEmpty()) {
            throw ApiException.badRequest("name is required");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw ApiException.badRequest("name is longer than " + MAX_NAME_LENGTH + " characters");
        }
        StorableText.require("name", name);
        return name;
    }

    /** A token is only accepted when it can be encrypted: it is never published or stored in clear. */
    private void requireStorableToken(String token) {
        StorableText.require("authToken", token);
        if (token != null && !cipher.canEncrypt()) {
            throw ApiException.badRequest("registry tokens cannot be accepted: no token encryption key is configured "
                    + "(MARKETPLACE_TOKEN_ENCRYPTION_KEY); registries without a token can still be connected");
        }
    }

    private String storedToken(RegistryReadRepository.StoredSettings current, UUID registryId) {
        try {
            return cipher.decrypt(current.authToken(), registryId);
        } catch (TokenCipher.KeyNotConfiguredException | TokenCipher.UndecryptableTokenException e) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT,
                    "the registry's stored token cannot be used (" + e.getMessage() + "): send a new authToken");
        }
    }

    private void probe(RegistryEndpoint endpoint) {
        try {
            client.health(endpoint);
        } catch (RegistryFetchException e) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT,
                    "registry health check failed (" + e.compatibleStatus() + "): " + e.getMessage());
        }
    }

    private UUID existing(String id) {
        UUID registryId = uuid(id);
        if (registries.find(registryId).isEmpty()) {
            throw ApiException.notFound("no registry with id " + id);
        }
        return registryId;
    }

    static UUID uuid(String raw) {
        try {
            return UUID.fromString(raw.trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'" + raw + "' is not a registry id");
        }
    }

}
