"""Runs the worker as a real process: jobs processed and failed, health, metrics, SIGTERM."""

import json
import os
import tempfile
import time
import unittest
from pathlib import Path

from support import free_port, get, sample, start_app, stop, wait_ready

from app import source


class WorkerProcessTest(unittest.TestCase):
    def setUp(self):
        self.spool = Path(self.enterContext(tempfile.TemporaryDirectory()))
        (self.spool / "001.json").write_text(json.dumps({"n": 1}))
        (self.spool / "002.json").write_text(json.dumps({"n": 2}))
        (self.spool / "003.json").write_text("not json")
        self.port = free_port()
        self.proc = start_app(PORT=str(self.port), SPOOL_DIR=str(self.spool), POLL_INTERVAL_SECONDS="0.05")
        self.addCleanup(lambda: self.proc.poll() is None and self.proc.kill())
        wait_ready(self.proc, self.port)

    def wait_for_metric(self, name, value, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = get(self.port, "/metrics")[1]
            if sample(text, name) == value:
                return text
            time.sleep(0.05)
        self.fail(f"{name} never reached {value}")

    def test_processing_health_metrics_and_graceful_shutdown(self):
        text = self.wait_for_metric("worker_jobs_processed_total", 3)
        self.assertEqual(sample(text, "worker_jobs_failed_total"), 1)
        self.assertEqual(sample(text, "worker_job_duration_seconds_count"), 3)
        self.assertGreater(sample(text, "worker_last_success_timestamp_seconds"), 0)
        self.assertEqual(sample(text, "worker_oldest_waiting_job_age_seconds"), 0, "nothing waits any more")
        self.assertEqual(sorted(p.name for p in self.spool.iterdir()), ["003.failed"])
        self.assertEqual(get(self.port, "/healthz")[0], 200)

        code, out, _err = stop(self.proc)
        self.assertEqual(code, 0)
        records = [json.loads(line) for line in out.splitlines() if line.strip()]
        self.assertIn("job failed", [r["msg"] for r in records])
        self.assertIn("stopped", [r["msg"] for r in records])


class WaitingWorkTest(unittest.TestCase):
    """The freshness SLO's signal: an idle worker has nothing waiting; a stuck one shows its backlog's age."""

    def test_idle_source_has_nothing_waiting(self):
        self.assertEqual(source.IdleSource().oldest_waiting_seconds(), 0.0)

    def test_a_job_left_waiting_ages(self):
        with tempfile.TemporaryDirectory() as tmp:
            spool = source.SpoolSource(Path(tmp))
            self.assertEqual(spool.oldest_waiting_seconds(), 0.0)
            job = Path(tmp) / "001.json"
            job.write_text("{}")
            an_hour_ago = time.time() - 3600
            os.utime(job, (an_hour_ago, an_hour_ago))
            self.assertGreater(spool.oldest_waiting_seconds(), 3500)
            spool.ack(spool.fetch())
            self.assertEqual(spool.oldest_waiting_seconds(), 0.0)


if __name__ == "__main__":
    unittest.main()
