-- A rebuild requested before a large registry's chunked run in flight began is answered by that run:
-- its progress line stays 'syncing' with detail.joinedRebuild (the run's own rebuild) until the run
-- ends, and the run's end finishes it. This finds those lines; syncing lines are few at any time.
CREATE INDEX rebuild_progress_joined ON marketplace_rebuild_progress (registry_id, (detail ->> 'joinedRebuild'))
    WHERE status = 'syncing';
