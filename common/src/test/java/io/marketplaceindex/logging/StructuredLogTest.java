package io.marketplaceindex.logging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the one documented setting ({@code LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs}) every console
 * line is one JSON object, and a line logged inside a sync's context carries its registry and
 * rebuild ids as fields, also when it is logged by a task on another thread.
 */
@SpringBootTest(classes = StructuredLogTest.Empty.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "logging.structured.format.console=ecs")
@ExtendWith(OutputCaptureExtension.class)
class StructuredLogTest {

    private static final Logger log = LoggerFactory.getLogger(StructuredLogTest.class);

    @Configuration(proxyBeanMethods = false)
    static class Empty {
    }

    @Test
    void aLineAboutASyncIsJsonWithItsRegistryAndRebuild(CapturedOutput output) throws Exception {
        UUID registryId = UUID.randomUUID();
        UUID rebuildId = UUID.randomUUID();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (SyncLogContext ignored = SyncLogContext.open(registryId, rebuildId)) {
            log.info("registry {} synced", registryId);
            pool.submit(SyncLogContext.propagate(() -> {
                log.info("registry {} fetched a handle", registryId);
                return null;
            })).get(10, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        log.info("after the sync of {}", registryId);

        JsonMapper json = JsonMapper.builder().build();
        List<JsonNode> lines = output.getOut().lines()
                .filter(line -> line.contains(registryId.toString()))
                .map(json::readTree)
                .toList();
        assertThat(lines).hasSize(3);
        for (JsonNode line : lines.subList(0, 2)) {
            assertThat(line.path("message").asString()).startsWith("registry " + registryId);
            assertThat(line.path("log").path("level").asString()).isEqualTo("INFO");
            assertThat(line.path(SyncLogContext.REGISTRY_ID).asString()).isEqualTo(registryId.toString());
            assertThat(line.path(SyncLogContext.REBUILD_ID).asString()).isEqualTo(rebuildId.toString());
        }
        assertThat(lines.get(2).has(SyncLogContext.REGISTRY_ID)).isFalse();
        assertThat(lines.get(2).has(SyncLogContext.REBUILD_ID)).isFalse();
    }
}
