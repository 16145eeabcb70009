import unittest

from app import metrics


class MetricsFormatTest(unittest.TestCase):
    def test_counter_histogram_gauge_exposition(self):
        registry = metrics.Registry()
        counter = registry.counter("demo_total", "Demo counter.", ("code",))
        hist = registry.histogram("demo_seconds", "Demo histogram.", buckets=(0.1, 1.0))
        gauge = registry.gauge("demo_gauge", "Demo gauge.")
        counter.inc(code="200")
        counter.inc(2, code="500")
        hist.observe(0.05)
        hist.observe(0.5)
        gauge.set(1.5)
        text = registry.render()
        self.assertIn("# TYPE demo_total counter", text)
        self.assertIn('demo_total{code="200"} 1', text)
        self.assertIn('demo_total{code="500"} 2', text)
        self.assertIn('demo_seconds_bucket{le="0.1"} 1', text)
        self.assertIn('demo_seconds_bucket{le="1.0"} 2', text)
        self.assertIn('demo_seconds_bucket{le="+Inf"} 2', text)
        self.assertIn("demo_seconds_count 2", text)
        self.assertIn("demo_gauge 1.5", text)
        self.assertTrue(text.endswith("\n"))

    def test_label_values_are_escaped(self):
        registry = metrics.Registry()
        registry.counter("esc_total", "Escaping.", ("v",)).inc(v='a"b\\c\nd')
        self.assertIn('esc_total{v="a\\"b\\\\c\\nd"} 1', registry.render())

    def test_wrong_labels_are_rejected(self):
        counter = metrics.Registry().counter("x_total", "X.", ("a",))
        with self.assertRaises(ValueError):
            counter.inc(b="1")

    def test_counters_only_go_up(self):
        with self.assertRaises(ValueError):
            metrics.Registry().counter("y_total", "Y.").inc(-1)


if __name__ == "__main__":
    unittest.main()
