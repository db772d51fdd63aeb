-- authsweep's own table, for a real database: safe to run again (it drops
-- nothing). Run it as the role that owns the application's tables, then
-- give authsweep's roles what they need:
--   GRANT SELECT, INSERT, UPDATE ON authsweep_jobs TO authsweep;
--
-- One row per cleanup job. It holds the lease that keeps runs of a job one
-- at a time across every worker and the CLI, behind any connection pooler:
-- the run holding it (holder), the backend that last renewed it, when it
-- expires, and which server instance it was renewed on (a restart or a
-- failover frees it). And the job's run record, wherever it ran: when it
-- last ran, how that ended, its last success, what it deleted
-- (authsweep status, and the metrics' last-success gauge).
CREATE TABLE IF NOT EXISTS authsweep_jobs (
  job               text PRIMARY KEY,
  holder            uuid,
  holder_pid        integer,
  lease_expires_at  timestamptz,
  server_started_at timestamptz,
  last_run_at       timestamptz,
  last_result       text,
  last_success_at   timestamptz,
  last_deleted      bigint
);
