package io.marketplaceindex.worker.sync.chunked;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class ChunkSlicingTest {

    @Test
    void slicesKeepTheListingOrderAndTheChunkSize() {
        List<String> handles = IntStream.range(0, 45).mapToObj(i -> "agent-" + i).toList();

        List<List<String>> chunks = ChunkedSync.chunks(handles, 20);

        assertThat(chunks).extracting(List::size).containsExactly(20, 20, 5);
        assertThat(chunks.stream().flatMap(List::stream).toList()).isEqualTo(handles);
    }

    @Test
    void aChunkOfLongHandlesIsCutBeforeItOutgrowsAKafkaRecord() {
        // 512 code points of 4 UTF-8 bytes each: the longest handle the index accepts
        String longest = "\uD83D\uDE00".repeat(512);
        List<String> handles = IntStream.range(0, 1000).mapToObj(i -> i + longest.substring(0, 1020)).toList();

        List<List<String>> chunks = ChunkedSync.chunks(handles, 1000);

        assertThat(chunks).hasSizeGreaterThan(1);
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.stream()
                .mapToInt(h -> h.getBytes(StandardCharsets.UTF_8).length).sum())
                .isLessThanOrEqualTo(ChunkedSync.MAX_CHUNK_HANDLE_BYTES));
        assertThat(chunks.stream().flatMap(List::stream).toList()).isEqualTo(handles);
    }

    @Test
    void anEmptyListingHasNoChunks() {
        assertThat(ChunkedSync.chunks(List.of(), 20)).isEmpty();
    }
}
