"""Runs the job as a real process: exit codes, run metrics in the textfile, SIGTERM."""

import signal
import tempfile
import unittest
from pathlib import Path

from support import run_app, sample, start_app, stop


class CronJobProcessTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.textfile = self.dir / "job.prom"

    def test_successful_run_exits_zero_and_records_metrics(self):
        result = run_app(METRICS_TEXTFILE=str(self.textfile), JOB_ITEMS="3")
        self.assertEqual(result.returncode, 0, result.stderr)
        text = self.textfile.read_text()
        self.assertEqual(sample(text, "cronjob_last_run_success"), 1)
        self.assertEqual(sample(text, "cronjob_last_run_items"), 3)
        self.assertGreater(sample(text, "cronjob_last_success_timestamp_seconds"), 0)
        self.assertIn('"msg": "run finished"', result.stdout)

    def test_invalid_configuration_exits_two(self):
        result = run_app(METRICS_TEXTFILE=str(self.textfile), JOB_ITEMS="-1")
        self.assertEqual(result.returncode, 2)
        self.assertFalse(self.textfile.exists())

    def test_sigterm_stops_the_run_and_records_a_failure(self):
        proc = start_app(METRICS_TEXTFILE=str(self.textfile), JOB_ITEMS="1000", JOB_ITEM_DELAY_SECONDS="0.05")
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        for line in proc.stdout:  # the signal handler is installed before this line is logged
            if "run started" in line:
                break
        code, _out, _err = stop(proc)
        self.assertEqual(code, 128 + signal.SIGTERM)
        text = self.textfile.read_text()
        self.assertEqual(sample(text, "cronjob_last_run_success"), 0)
        self.assertIsNone(sample(text, "cronjob_last_success_timestamp_seconds"))


if __name__ == "__main__":
    unittest.main()
