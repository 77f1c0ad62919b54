package io.marketplaceindex.api.registry;

import io.marketplaceindex.api.account.Caller;
import io.marketplaceindex.api.command.CommandPublisher;
import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.api.web.StorableText;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.registry.RegistryClient;
import io.marketplaceindex.registry.RegistryEndpoint;
import io.marketplaceindex.registry.RegistryFetchException;
import io.marketplaceindex.registry.RegistryUrls;
import io.marketplaceindex.secrets.TokenCipher;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Registry management (operator). Validation and the health probe happen here, so a client gets
 * its 4xx at once; the change itself is a command the worker carries out. Tokens are encrypted here,
 * before they are published: commands, the dead-letter topic and the database only ever hold ciphertext.
 */
@RestController
@RequestMapping("/api/settings/registries")
class RegistryController {

    static final int MAX_NAME_LENGTH = 200;

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
    record ConnectRequest(String name, String url, String authToken, Boolean sendTokenToCards) {
        @Override
        public String toString() {
            return "ConnectRequest[name=" + name + ", url=" + url + ", sendTokenToCards=" + sendTokenToCards + "]";
        }
    }

    record EnableRequest(String id, Boolean enabled) {
    }

    /**
     * A change of settings; an absent field keeps its value.
     *
     * @param authToken      a new token (replaces the current one)
     * @param clearAuthToken true removes the token
     */
    record EditRequest(String name, String url, String authToken, Boolean clearAuthToken, Boolean sendTokenToCards) {

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

    @GetMapping
    Map<String, Object> list() {
        return Map.of("data", registries.list());
    }

    @GetMapping("/{id}")
    Map<String, Object> detail(@PathVariable String id) {
        UUID registryId = uuid(id);
        RegistryView view = registries.find(registryId)
                .orElseThrow(() -> ApiException.notFound("no registry with id " + id));
        return Map.of("data", view, "commands", registries.commandResults(registryId));
    }

    @GetMapping("/commands/{commandId}")
    Map<String, Object> command(@PathVariable String commandId) {
        return registries.commandResult(uuid(commandId))
                .map(result -> Map.<String, Object>of("data", result))
                .orElseThrow(() -> ApiException.notFound("no result recorded for command " + commandId
                        + " (yet): accepted commands show up as the registry itself"));
    }

    @PostMapping
    ResponseEntity<Map<String, Object>> connect(@RequestBody ConnectRequest request,
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
        return accepted(id, commandId, Map.of("name", name, "url", url,
                "sendTokenToCards", Boolean.TRUE.equals(request.sendTokenToCards())));
    }

    /**
     * Changes a registry in place (its rows stay); the worker then syncs it with the new settings. A new
     * URL or token is probed as connect probes it: the token a new URL gets is the new one, or the kept one.
     */
    @PatchMapping("/{id}")
    ResponseEntity<Map<String, Object>> edit(@PathVariable String id, @RequestBody(required = false) EditRequest request,
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
        Map<String, Object> changed = new LinkedHashMap<>();
        if (name != null) {
            changed.put("name", name);
        }
        if (url != null) {
            changed.put("url", url);
        }
        changed.put("authToken", request.authToken() != null ? "replaced" : request.clearsToken() ? "cleared" : "kept");
        if (request.sendTokenToCards() != null) {
            changed.put("sendTokenToCards", request.sendTokenToCards());
        }
        ResponseEntity<Map<String, Object>> answer = accepted(registryId, commandId, changed);
        if (current.enabled()) {
            // the re-sync the edit asks for is followed like a rebuild, under the command's id
            answer.getBody().put("progress", "/api/marketplace/index-rebuild/" + commandId);
        }
        return answer;
    }

    @PatchMapping
    ResponseEntity<Map<String, Object>> setEnabled(@RequestBody EnableRequest request,
                                                   @AuthenticationPrincipal Caller caller) {
        if (request == null || request.id() == null || request.enabled() == null) {
            throw ApiException.badRequest("id and enabled are required");
        }
        UUID id = existing(request.id());
        UUID commandId = UUID.randomUUID();
        commands.publish(new RegistryCommand.SetEnabled(commandId, id, clock.instant(), request.enabled(),
                caller.requestedBy()));
        return accepted(id, commandId, Map.of("enabled", request.enabled()));
    }

    @DeleteMapping
    ResponseEntity<Map<String, Object>> remove(@RequestParam(required = false) String id,
                                               @AuthenticationPrincipal Caller caller) {
        if (id == null || id.isBlank()) {
            throw ApiException.badRequest("id is required");
        }
        UUID registryId = existing(id);
        UUID commandId = UUID.randomUUID();
        commands.publish(new RegistryCommand.Remove(commandId, registryId, clock.instant(), caller.requestedBy()));
        return accepted(registryId, commandId, Map.of());
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

    private static ResponseEntity<Map<String, Object>> accepted(UUID id, UUID commandId, Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id.toString());
        body.put("commandId", commandId.toString());
        body.put("status", "accepted");
        body.putAll(extra);
        body.put("links", Map.of("registry", "/api/settings/registries/" + id,
                "command", "/api/settings/registries/commands/" + commandId));
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(body);
    }

}
