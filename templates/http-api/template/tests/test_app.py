"""Runs the API as a real process: health, readiness, metrics, JSON logs, graceful SIGTERM."""

import http.client
import json
import os
import unittest
from unittest import mock

from support import free_port, get, sample, start_app, stop, wait_ready

import app
from app import healthcheck


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

    def test_every_response_is_counted_whatever_the_method(self):
        """POST, HEAD and unknown methods are answered and counted: a 5xx is never invisible to the SLO."""
        answers = {}
        for method in ("POST", "HEAD", "BREW"):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            conn.request(method, "/")
            answers[method] = conn.getresponse().status
            conn.close()
        self.assertEqual(answers, {"POST": 405, "HEAD": 200, "BREW": 501})
        text = get(self.port, "/metrics")[1]
        self.assertEqual(sample(text, "http_requests_total", {"method": "POST", "route": "/", "code": "405"}), 1)
        self.assertEqual(sample(text, "http_requests_total", {"method": "HEAD", "route": "/", "code": "200"}), 1)
        self.assertEqual(sample(text, "http_requests_total", {"method": "BREW", "route": "/", "code": "501"}), 1)


class HealthcheckTest(unittest.TestCase):
    def test_defaults_to_the_apps_own_port(self):
        seen = []

        def fake_urlopen(url, timeout):
            seen.append(url)
            raise OSError("refused")

        env = {k: v for k, v in os.environ.items() if k != "PORT"}
        with mock.patch.dict(os.environ, env, clear=True), mock.patch("urllib.request.urlopen", fake_urlopen):
            self.assertEqual(healthcheck.main(), 1)
        self.assertEqual(seen, [f"http://127.0.0.1:{app.DEFAULT_PORT}/healthz"])


if __name__ == "__main__":
    unittest.main()
