package io.marketplaceindex.worker.command;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The bookkeeping behind running commands side by side: key order, offsets, hand-over. */
class CommandBufferTest {

    private static final Duration NOW = Duration.ZERO;
    private static final TopicPartition P0 = new TopicPartition("commands", 0);
    private static final TopicPartition P1 = new TopicPartition("commands", 1);

    private final CommandBuffer buffer = new CommandBuffer();

    @Test
    void commandsOfOneKeyRunInOrderWhileOtherKeysOfThePartitionGoAhead() throws Exception {
        buffer.add(record(0, 10, "a"));
        buffer.add(record(0, 11, "a"));
        buffer.add(record(0, 12, "b"));

        CommandBuffer.Entry first = buffer.take(NOW);
        CommandBuffer.Entry second = buffer.take(NOW);
        assertThat(offsets(first, second)).containsExactly(10L, 12L);
        assertThat(buffer.take(NOW)).as("a's second command waits for its first").isNull();
        assertThat(buffer.running()).isEqualTo(2);

        buffer.finish(first);
        CommandBuffer.Entry third = buffer.take(NOW);
        assertThat(third.record().offset()).isEqualTo(11L);
        assertThat(buffer.buffered()).isEqualTo(2);
    }

    @Test
    void theOffsetOnlyPassesFinishedCommands() throws Exception {
        buffer.add(record(0, 10, "a"));
        buffer.add(record(0, 11, "b"));
        buffer.add(record(1, 5, "c"));
        CommandBuffer.Entry a = buffer.take(NOW);
        CommandBuffer.Entry b = buffer.take(NOW);
        CommandBuffer.Entry c = buffer.take(NOW);

        buffer.finish(b);
        assertThat(buffer.toCommit()).as("10 is still running: the offset stays where it was").isEmpty();
        buffer.finish(a);
        buffer.finish(c);
        assertThat(buffer.toCommit()).isEqualTo(Map.of(P0, at(12), P1, at(6)));
        assertThat(buffer.toCommit()).as("nothing moved since").isEmpty();
        assertThat(buffer.buffered()).isZero();
    }

    @Test
    void aFailedCommitIsOfferedAgain() throws Exception {
        buffer.add(record(0, 3, "a"));
        buffer.finish(buffer.take(NOW));
        Map<TopicPartition, OffsetAndMetadata> offsets = buffer.toCommit();
        assertThat(offsets).isEqualTo(Map.of(P0, at(4)));
        buffer.commitFailed(offsets);
        assertThat(buffer.toCommit()).isEqualTo(Map.of(P0, at(4)));
    }

    @Test
    void anAbandonedCommandKeepsTheOffsetBeforeIt() throws Exception {
        buffer.add(record(0, 7, "a"));
        buffer.add(record(0, 8, "a"));
        buffer.abandon(buffer.take(NOW));
        // the key is free again, the offset does not move past 7
        CommandBuffer.Entry next = buffer.take(NOW);
        assertThat(next.record().offset()).isEqualTo(8L);
        buffer.finish(next);
        assertThat(buffer.toCommit()).as("7 is delivered again").isEmpty();
    }

    @Test
    void releasingAPartitionDropsWhatHasNotStartedAndWaitsForWhatRuns() throws Exception {
        buffer.add(record(0, 20, "a"));
        buffer.add(record(0, 21, "b"));
        buffer.add(record(0, 22, "a"));
        buffer.add(record(1, 1, "c"));
        CommandBuffer.Entry a = buffer.take(NOW);

        CompletableFuture<Boolean> released = CompletableFuture.supplyAsync(() -> {
            try {
                return buffer.release(List.of(P0), Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(released).as("waits for the running command").isNotDone();
        // b and a's second command were dropped: only c, on the partition kept, is left to run
        CommandBuffer.Entry c = buffer.take(NOW);
        assertThat(c.record().partition()).isEqualTo(1);
        assertThat(buffer.take(NOW)).isNull();

        buffer.finish(a);
        assertThat(released.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(buffer.toCommit(List.of(P0))).as("up to the first dropped command").isEqualTo(Map.of(P0, at(21)));
        buffer.forget(List.of(P0));
        buffer.finish(c);
        assertThat(buffer.toCommit()).isEqualTo(Map.of(P1, at(2)));
        assertThat(buffer.buffered()).isZero();
    }

    @Test
    void releaseGivesUpAfterItsTimeout() throws Exception {
        buffer.add(record(0, 1, "a"));
        buffer.take(NOW);
        assertThat(buffer.release(List.of(P0), Duration.ofMillis(50))).isFalse();
    }

    @Test
    void aClosedBufferStartsNothing() throws Exception {
        buffer.add(record(0, 1, "a"));
        buffer.add(record(0, 2, "b"));
        CommandBuffer.Entry a = buffer.take(NOW);
        buffer.close();
        assertThat(buffer.take(Duration.ofMillis(10))).isNull();
        assertThat(buffer.awaitIdle(Duration.ofMillis(10))).isFalse();
        buffer.finish(a);
        assertThat(buffer.awaitIdle(NOW)).isTrue();
        assertThat(buffer.toCommit()).isEqualTo(Map.of(P0, at(2)));
    }

    private static ConsumerRecord<String, byte[]> record(int partition, long offset, String key) {
        return new ConsumerRecord<>("commands", partition, offset, key, new byte[0]);
    }

    private static OffsetAndMetadata at(long offset) {
        return new OffsetAndMetadata(offset);
    }

    private static List<Long> offsets(CommandBuffer.Entry... entries) {
        return java.util.Arrays.stream(entries).map(e -> e.record().offset()).toList();
    }
}
