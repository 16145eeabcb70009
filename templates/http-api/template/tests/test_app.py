"""Runs the API as a real process: health, readiness, metrics, JSON logs, graceful SIGTERM."""

import json
import unittest

from support import free_port, get, sample, start_app, stop, wait_ready


class HttpApiProcessTest(unittest.TestCase):
    def setUp(self):
        self.port = free_port()
        self.proc = start_app(PORT=str(self.port))
        self.addCleanup(lambda: self.proc.poll() is None and self.proc.kill())
        wait_ready(self.proc, self.port)

    def test_health_metrics_and_graceful_shutdown(self):
        self.assertEqual(get(self.port, "/healthz")[0], 200)
        self.assertEqual(get(self.port, "/readyz")[0], 200)
        status, body = get(self.port, "/")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["status"], "ok")
        self.assertEqual(get(self.port, "/does-not-exist")[0], 404)

        status, text = get(self.port, "/metrics")
        self.assertEqual(status, 200)
        # The names and labels slo.yaml and the PrometheusRule query:
        self.assertEqual(sample(text, "http_requests_total", {"route": "/", "code": "200"}), 1)
        self.assertEqual(sample(text, "http_requests_total", {"route": "other", "code": "404"}), 1)
        self.assertEqual(sample(text, "http_request_duration_seconds_count", {"route": "/"}), 1)
        self.assertIsNotNone(sample(text, "http_request_duration_seconds_bucket", {"route": "/", "le": "0.3"}))
        self.assertIsNone(sample(text, "http_requests_total", {"route": "/healthz"}), "probes are not counted")

        code, out, _err = stop(self.proc)
        self.assertEqual(code, 0)
        records = [json.loads(line) for line in out.splitlines() if line.strip()]
        self.assertTrue(records, "expected JSON log lines on stdout")
        self.assertTrue(all({"ts", "level", "msg", "service"} <= set(r) for r in records))
        self.assertIn("shutdown requested", [r["msg"] for r in records])


if __name__ == "__main__":
    unittest.main()
