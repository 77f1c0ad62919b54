package io.marketplaceindex.api.registry;

import io.marketplaceindex.api.command.CommandPublisher;
import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.api.web.StorableText;
import io.marketplaceindex.events.RegistryCommand;
import io.marketplaceindex.registry.RegistryClient;
import io.marketplaceindex.registry.RegistryEndpoint;
import io.marketplaceindex.registry.RegistryFetchException;
import io.marketplaceindex.registry.RegistryUrls;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
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
 * its 4xx at once; the change itself is a command the worker carries out.
 */
@RestController
@RequestMapping("/api/settings/registries")
class RegistryController {

    static final int MAX_NAME_LENGTH = 200;

    private final RegistryReadRepository registries;
    private final CommandPublisher commands;
    private final RegistryClient client;
    private final Clock clock;

    RegistryController(RegistryReadRepository registries, CommandPublisher commands, RegistryClient client,
                       Clock clock) {
        this.registries = registries;
        this.commands = commands;
        this.client = client;
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
    ResponseEntity<Map<String, Object>> connect(@RequestBody ConnectRequest request) {
        if (request == null || request.name() == null || request.name().isBlank()) {
            throw ApiException.badRequest("name is required");
        }
        String name = request.name().trim();
        if (name.length() > MAX_NAME_LENGTH) {
            throw ApiException.badRequest("name is longer than " + MAX_NAME_LENGTH + " characters");
        }
        StorableText.require("name", name);
        StorableText.require("authToken", request.authToken());
        String url = RegistryUrls.normalize(request.url());
        if (registries.findIdByUrl(url).isPresent()) {
            throw new ApiException(HttpStatus.CONFLICT, "a registry with url " + url + " is already connected");
        }
        UUID id = UUID.randomUUID();
        try {
            client.health(new RegistryEndpoint(id.toString(), url, request.authToken()));
        } catch (RegistryFetchException e) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT,
                    "registry health check failed (" + e.compatibleStatus() + "): " + e.getMessage());
        }
        UUID commandId = UUID.randomUUID();
        commands.publish(new RegistryCommand.Connect(commandId, id, clock.instant(), name, url,
                request.authToken() == null || request.authToken().isBlank() ? null : request.authToken(),
                Boolean.TRUE.equals(request.sendTokenToCards())));
        return accepted(id, commandId, Map.of("name", name, "url", url,
                "sendTokenToCards", Boolean.TRUE.equals(request.sendTokenToCards())));
    }

    @PatchMapping
    ResponseEntity<Map<String, Object>> setEnabled(@RequestBody EnableRequest request) {
        if (request == null || request.id() == null || request.enabled() == null) {
            throw ApiException.badRequest("id and enabled are required");
        }
        UUID id = existing(request.id());
        UUID commandId = UUID.randomUUID();
        commands.publish(new RegistryCommand.SetEnabled(commandId, id, clock.instant(), request.enabled()));
        return accepted(id, commandId, Map.of("enabled", request.enabled()));
    }

    @DeleteMapping
    ResponseEntity<Map<String, Object>> remove(@RequestParam(required = false) String id) {
        if (id == null || id.isBlank()) {
            throw ApiException.badRequest("id is required");
        }
        UUID registryId = existing(id);
        UUID commandId = UUID.randomUUID();
        commands.publish(new RegistryCommand.Remove(commandId, registryId, clock.instant()));
        return accepted(registryId, commandId, Map.of());
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
