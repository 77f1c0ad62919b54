package io.marketplaceindex.worker.sync;

import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.simulator.ProofDefect;
import io.marketplaceindex.simulator.RegistrySimulator;
import io.marketplaceindex.simulator.SimulatedRegistry;
import io.marketplaceindex.simulator.SimulatorOptions;
import io.marketplaceindex.worker.WorkerTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Record proofs through the real pipeline: a simulated registry signs its records with a real Ed25519
 * key, some of them wrongly on purpose; the worker verifies each when it indexes it and stores the
 * verdict in the agent and in proof_status, on the single-thread path and through chunks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecordProofSyncIT extends WorkerTestSupport {

    private static final AtomicInteger NAMES = new AtomicInteger();

    @Autowired
    RegistrySyncer syncer;

    private RegistrySimulator simulator;

    /** One row's verdict as stored: the column and the agent's proof fields. */
    private record Verdict(String column, String status, String reason, String signingKid) {
    }

    @BeforeAll
    void start() {
        simulator = RegistrySimulator.start(SimulatorOptions.defaults());
    }

    @AfterAll
    void stop() {
        simulator.close();
    }

    @Test
    void everyRecordIsIndexedWithItsVerdictAndAChangedVerdictIsAChangedRow() {
        SimulatedRegistry registry = simulator.addRegistry("proofs-" + NAMES.incrementAndGet(), 30, 31L);
        registry.signRecords(true);
        List<String> handles = registry.handles();
        Map<String, String> reasons = Map.of(
                handles.get(1), "signature does not verify",
                handles.get(2), "no publicKeys.ed25519 entry has the proof's signingKid",
                handles.get(3), "proof.type is not pilox-registry-record-ed25519-v1",
                handles.get(4), "proof.sigHex is not 128 hex digits");
        registry.setProofDefect(handles.get(1), ProofDefect.TAMPERED);
        registry.setProofDefect(handles.get(2), ProofDefect.UNKNOWN_KID);
        registry.setProofDefect(handles.get(3), ProofDefect.WRONG_TYPE);
        registry.setProofDefect(handles.get(4), ProofDefect.MALFORMED_HEX);
        registry.setProofDefect(handles.get(5), ProofDefect.UNSIGNED);
        UUID id = register(registry);

        assertThat(awaitRebuild(sync(id))).isEqualTo("ok");

        Map<String, Verdict> verdicts = verdicts(id);
        assertThat(verdicts).hasSize(30);
        String kid = registry.name() + "-key-1";
        for (String handle : handles) {
            Verdict v = verdicts.get(handle);
            String expected = registry.expectedProofStatus(handle);
            assertThat(v.column()).as(handle).isEqualTo(expected);
            assertThat(v.status()).as(handle).isEqualTo(expected);
            assertThat(v.reason()).as(handle).isEqualTo(reasons.get(handle));
            assertThat(v.signingKid()).as(handle).isEqualTo(switch (expected) {
                case "unsigned" -> null;
                default -> handle.equals(handles.get(2)) ? kid + "-retired" : kid;
            });
        }
        assertThat(verdicts.values().stream().filter(v -> v.column().equals("valid"))).hasSize(25);
        assertThat(verdicts.get(handles.get(5)).status()).isEqualTo("unsigned");

        // nothing changed: the records answer 304 and no row is written
        Map<String, Object> before = fingerprint(id);
        assertThat(awaitRebuild(sync(id))).isEqualTo("unchanged");
        assertThat(fingerprint(id)).isEqualTo(before);

        // the registry signs the tampered record properly now: a new record, a new verdict, a rewritten row
        registry.setProofDefect(handles.get(1), ProofDefect.NONE);
        assertThat(awaitRebuild(sync(id))).isEqualTo("ok");
        assertThat(verdicts(id).get(handles.get(1))).isEqualTo(new Verdict("valid", "valid", null, kid));
        assertThat(fingerprint(id).get("change_xid")).isNotEqualTo(before.get("change_xid"));
    }

    @Test
    void rowsIndexedBeforeProofsWereCheckedAreCheckedOnTheirNextSync() {
        SimulatedRegistry registry = simulator.addRegistry("proofs-" + NAMES.incrementAndGet(), 12, 32L);
        registry.signRecords(true);
        registry.setProofDefect(registry.handles().get(0), ProofDefect.TAMPERED);
        UUID id = register(registry);
        assertThat(awaitRebuild(sync(id))).isEqualTo("ok");
        Map<String, Verdict> checked = verdicts(id);
        // as a row written before proofs were verified: no column, no verdict in the agent or its hash
        jdbc.sql("""
                UPDATE marketplace_catalog_rows
                SET proof_status = NULL, agent = agent #- '{proof,status}' #- '{proof,reason}',
                    content_hash = sha256(convert_to((agent #- '{proof,status}' #- '{proof,reason}')::text, 'UTF8'))
                WHERE registry_id = ?
                """).param(id).update();

        assertThat(awaitRebuild(sync(id))).isEqualTo("ok");

        // a record answering 304 would have left these rows as they were: each was fetched and checked again
        assertThat(verdicts(id)).isEqualTo(checked);
        assertThat(checked.get(registry.handles().get(0)).column()).isEqualTo("invalid");
        assertThat(checked.values().stream().filter(v -> v.column().equals("valid"))).hasSize(11);
    }

    @Test
    void aLargeRegistrysVerdictsTravelThroughStaging() {
        // over the context's chunk threshold (50): synced in chunks of 20 through staging
        SimulatedRegistry registry = simulator.addRegistry("proofs-" + NAMES.incrementAndGet(), 70, 33L);
        registry.signRecords(true);
        registry.setProofDefectShares(5, 6);
        UUID id = register(registry);

        UUID rebuild = sync(id);

        assertThat(awaitRebuild(rebuild)).isEqualTo("ok");
        assertThat(jdbc.sql("SELECT chunks_total FROM marketplace_sync_runs WHERE rebuild_id = ?").param(rebuild)
                .query(Integer.class).single()).isGreaterThan(1);
        Map<String, Verdict> verdicts = verdicts(id);
        Map<String, Integer> byStatus = new HashMap<>();
        for (String handle : registry.handles()) {
            assertThat(verdicts.get(handle).column()).as(handle).isEqualTo(registry.expectedProofStatus(handle));
            assertThat(verdicts.get(handle).status()).as(handle).isEqualTo(registry.expectedProofStatus(handle));
            byStatus.merge(registry.expectedProofStatus(handle), 1, Integer::sum);
        }
        assertThat(byStatus.keySet()).containsExactlyInAnyOrder("valid", "invalid", "unsigned");
    }

    private UUID sync(UUID id) {
        UUID rebuild = UUID.randomUUID();
        syncer.sync(new SyncRequest(id, rebuild, RebuildReason.OPERATOR, Instant.now(), false));
        return rebuild;
    }

    private Map<String, Verdict> verdicts(UUID id) {
        Map<String, Verdict> verdicts = new HashMap<>();
        jdbc.sql("""
                        SELECT handle, proof_status, agent -> 'proof' ->> 'status' AS status,
                               agent -> 'proof' ->> 'reason' AS reason, agent -> 'proof' ->> 'signingKid' AS kid
                        FROM marketplace_catalog_rows WHERE registry_id = ?
                        """)
                .param(id).query((rs, n) -> verdicts.put(rs.getString("handle"), new Verdict(rs.getString("proof_status"),
                        rs.getString("status"), rs.getString("reason"), rs.getString("kid")))).list();
        return verdicts;
    }

    private Map<String, Object> fingerprint(UUID id) {
        return jdbc.sql("""
                        SELECT count(*) AS n, max(change_xid) AS change_xid,
                               string_agg(encode(content_hash, 'hex'), ',' ORDER BY handle) AS hashes
                        FROM marketplace_catalog_rows WHERE registry_id = ?
                        """)
                .param(id).query().singleRow();
    }
}
