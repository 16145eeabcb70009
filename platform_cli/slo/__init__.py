"""SLOs: the Sloth-compatible spec, the Prometheus rules generated from it, and error budgets."""
