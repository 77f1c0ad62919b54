package io.marketplaceindex.api.agent;

import io.marketplaceindex.agent.Handles;
import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.api.web.Uuids;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * One agent with what it was built from and its sync state, addressed two ways:
 * <ul>
 * <li>{@code GET /api/marketplace/{registryId}/{handle...}}: the handle is the rest of the path, so a
 * handle with slashes is written with plain slashes, each segment percent-encoded as usual. The
 * servlet container and Spring Security's firewall refuse some paths whatever the mapping ({@code %2F},
 * {@code %25}, {@code ;}, {@code \}, {@code //}, {@code .} and {@code ..} segments), so a handle
 * containing such text is looked up with the second form;</li>
 * <li>{@code GET /api/marketplace/agent?registryId=&handle=}: any handle, as an ordinary query parameter.</li>
 * </ul>
 * Literal mappings (/tags, /changes, /agent, /index-rebuild/{id}) are more specific than the
 * capture-the-rest pattern and win.
 *
 * <p>Not cached in Redis: it is three primary-key lookups, and its sync state changes without a new
 * catalog generation (a sync that changed nothing still records its success). The ETag is therefore
 * a digest of the answer itself rather than the generation's.
 */
@RestController
@RequestMapping("/api/marketplace")
class AgentDetailController {

    private final AgentDetailRepository agents;
    private final JsonMapper json;

    AgentDetailController(AgentDetailRepository agents, JsonMapper json) {
        this.agents = agents;
        this.json = json;
    }

    @GetMapping(path = "/agent", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> byQuery(@RequestParam(required = false) String registryId,
                                   @RequestParam(required = false) String handle,
                                   @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        if (registryId == null || registryId.isBlank() || handle == null || handle.isEmpty()) {
            throw ApiException.badRequest("registryId and handle are required");
        }
        return detail(registryId, handle, ifNoneMatch);
    }

    @GetMapping(path = "/{registryId}/{*handle}", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> byPath(@PathVariable String registryId, @PathVariable String handle,
                                  @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        // the captured rest of the path starts with its separator
        String bare = handle.startsWith("/") ? handle.substring(1) : handle;
        if (bare.isEmpty()) {
            throw ApiException.badRequest("handle is required: /api/marketplace/{registryId}/{handle}");
        }
        return detail(registryId, bare, ifNoneMatch);
    }

    private ResponseEntity<byte[]> detail(String rawRegistryId, String handle, String ifNoneMatch) {
        UUID registryId = Uuids.parse(rawRegistryId, "'" + rawRegistryId + "' is not a registry id");
        if (!Handles.isValid(handle)) {
            throw ApiException.badRequest("not a valid agent handle (1-" + Handles.MAX_LENGTH
                    + " characters, no control characters)");
        }
        AgentDetail detail = agents.find(registryId, handle).orElseThrow(() -> ApiException.notFound(
                agents.registryExists(registryId)
                        ? "no agent with handle '" + handle + "' in registry " + registryId
                        : "no registry with id " + registryId));
        byte[] body = json.writeValueAsBytes(detail);
        String etag = "W/\"a" + digest(body) + "\"";
        if (ifNoneMatch != null && ifNoneMatch.contains(etag)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        return ResponseEntity.ok().eTag(etag).contentType(MediaType.APPLICATION_JSON).body(body);
    }

    private static String digest(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
