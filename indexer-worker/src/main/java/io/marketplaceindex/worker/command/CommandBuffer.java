package io.marketplaceindex.worker.command;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The commands a worker has taken from the topic and not finished yet, and how far that lets it
 * commit. Two rules make running them side by side safe:
 * <ul>
 * <li><b>One key at a time.</b> The commands of one key (a registry id) run one after another in
 *     offset order, so a registry keeps a single writer. Commands of different keys run side by side
 *     whatever partition they share, so one long sync does not hold up the registries hashed next to it.</li>
 * <li><b>Offsets only pass finished commands.</b> A partition's committable offset is that of its
 *     first unfinished command: whatever was not finished when a worker dies is delivered again
 *     (at-least-once; every command's effects are idempotent).</li>
 * </ul>
 * The poll thread {@linkplain #add adds} and commits, the runner threads {@linkplain #take take} and
 * {@linkplain #finish finish}; every method holds this object's monitor, and none of them blocks
 * while holding it except to wait on it.
 */
final class CommandBuffer {

    /** One command taken from the topic. */
    static final class Entry {
        private final ConsumerRecord<String, byte[]> record;
        private boolean running;
        private boolean finished;
        /** Dropped unstarted when its partition went away: it stays in the log, holding the offset. */
        private boolean dropped;

        private Entry(ConsumerRecord<String, byte[]> record) {
            this.record = record;
        }

        ConsumerRecord<String, byte[]> record() {
            return record;
        }

        private String key() {
            // A command without a key is nobody's registry: it only waits for other key-less commands.
            return record.key() == null ? "" : record.key();
        }
    }

    /** The commands of one assigned partition in offset order, finished ones until they are passed. */
    private static final class PartitionLog {
        private final ArrayDeque<Entry> entries = new ArrayDeque<>();
        /** The next offset to consume after the last command added (what to commit when all are done). */
        private long end = -1;
        /** The offset last handed out for committing; at first where consumption started. */
        private long committed;

        PartitionLog(long firstOffset) {
            this.committed = firstOffset;
        }

        long committable() {
            while (!entries.isEmpty() && entries.peekFirst().finished) {
                entries.pollFirst();
            }
            return entries.isEmpty() ? end : entries.peekFirst().record.offset();
        }
    }

    private final Map<TopicPartition, PartitionLog> partitions = new HashMap<>();
    /** Per key, its unfinished commands in offset order; the first one is ready or running. */
    private final Map<String, ArrayDeque<Entry>> byKey = new HashMap<>();
    /** Commands whose turn it is, in the order they became so. */
    private final ArrayDeque<Entry> ready = new ArrayDeque<>();
    private int buffered;
    private int running;
    private boolean closed;

    synchronized void add(ConsumerRecord<String, byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        PartitionLog log = partitions.computeIfAbsent(tp, p -> new PartitionLog(record.offset()));
        Entry entry = new Entry(record);
        log.entries.addLast(entry);
        log.end = record.offset() + 1;
        ArrayDeque<Entry> queue = byKey.computeIfAbsent(entry.key(), k -> new ArrayDeque<>());
        queue.addLast(entry);
        buffered++;
        if (queue.size() == 1) {
            makeReady(entry);
        }
    }

    /**
     * The next command whose turn it is, marked running; waits up to {@code timeout} for one.
     * Returns null on timeout or once the buffer is closed.
     */
    synchronized Entry take(Duration timeout) throws InterruptedException {
        if (!awaitUntil(() -> closed || !ready.isEmpty(), timeout) || closed) {
            return null;
        }
        Entry entry = ready.pollFirst();
        entry.running = true;
        running++;
        return entry;
    }

    /** The command is done (its effects committed, or it went to the dead-letter topic). */
    synchronized void finish(Entry entry) {
        entry.finished = true;
        leave(entry);
    }

    /**
     * The command was given up unfinished (the worker is stopping): its key is free again, but its
     * partition's offset stays before it, so it is delivered again.
     */
    synchronized void abandon(Entry entry) {
        leave(entry);
    }

    private void leave(Entry entry) {
        entry.running = false;
        running--;
        buffered--;
        ArrayDeque<Entry> queue = byKey.get(entry.key());
        queue.remove(entry);
        if (queue.isEmpty()) {
            byKey.remove(entry.key());
        } else if (!closed) {
            makeReady(queue.peekFirst());
        }
        notifyAll();
    }

    /** Commands taken and not finished, running or waiting. */
    synchronized int buffered() {
        return buffered;
    }

    synchronized int running() {
        return running;
    }

    /**
     * The offsets to commit for every partition whose first unfinished command moved since the
     * last call; they are taken as committed (see {@link #commitFailed}).
     */
    synchronized Map<TopicPartition, OffsetAndMetadata> toCommit() {
        return toCommit(partitions.keySet());
    }

    synchronized Map<TopicPartition, OffsetAndMetadata> toCommit(Collection<TopicPartition> which) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : which) {
            PartitionLog log = partitions.get(tp);
            if (log == null) {
                continue;
            }
            long offset = log.committable();
            if (offset >= 0 && offset != log.committed) {
                log.committed = offset;
                offsets.put(tp, new OffsetAndMetadata(offset));
            }
        }
        return offsets;
    }

    /** A commit did not go through: offer those offsets again on the next {@link #toCommit}. */
    synchronized void commitFailed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, offset) -> {
            PartitionLog log = partitions.get(tp);
            if (log != null && log.committed == offset.offset()) {
                log.committed = -1;
            }
        });
    }

    /**
     * The partitions are going to another worker: the commands of theirs that have not started are
     * dropped (the next owner gets them again from the committed offset). Returns once none of
     * theirs is running, or when {@code timeout} has passed; true if none is.
     */
    synchronized boolean release(Collection<TopicPartition> which, Duration timeout) throws InterruptedException {
        drop(which);
        return awaitUntil(() -> !runningIn(which), timeout);
    }

    /** Forgets the partitions (after their last commit, or once they are lost). */
    synchronized void forget(Collection<TopicPartition> which) {
        drop(which);
        which.forEach(partitions::remove);
    }

    /** No command starts any more; {@link #take} returns null. Running ones may still finish. */
    synchronized void close() {
        closed = true;
        ready.clear();
        notifyAll();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Waits until no command is running, at most {@code timeout}; true if none is. */
    synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        return awaitUntil(() -> running == 0, timeout);
    }

    /** Waits on this monitor (which every change notifies) until the condition holds; false on timeout. */
    private boolean awaitUntil(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    private void makeReady(Entry entry) {
        ready.addLast(entry);
        notifyAll();
    }

    private boolean runningIn(Collection<TopicPartition> which) {
        for (TopicPartition tp : which) {
            PartitionLog log = partitions.get(tp);
            if (log != null) {
                for (Entry e : log.entries) {
                    if (e.running) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Drops the waiting commands of these partitions; running ones carry on. */
    private void drop(Collection<TopicPartition> which) {
        for (TopicPartition tp : which) {
            PartitionLog log = partitions.get(tp);
            if (log == null) {
                continue;
            }
            for (Entry e : log.entries) {
                if (e.running || e.finished || e.dropped) {
                    continue;
                }
                e.dropped = true;
                ready.remove(e);
                ArrayDeque<Entry> queue = byKey.get(e.key());
                queue.remove(e);
                if (queue.isEmpty()) {
                    byKey.remove(e.key());
                } else if (!queue.peekFirst().running && !ready.contains(queue.peekFirst()) && !closed) {
                    // the key's next command belongs to a partition still owned
                    makeReady(queue.peekFirst());
                }
                buffered--;
            }
        }
    }
}
