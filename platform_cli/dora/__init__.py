"""The five DORA metrics, read from the GitOps history (delivery/history.py) and each service repo's
commit graph (`graph.py`, one `git rev-list` pass per repo): `facts.py` turns each deploy into what
the metrics need, `metrics.py` pools them per service, team and org, `bands.py` names the DORA 2024
band of each metric, `report.py` writes the monthly review. Definitions: docs/delivery.md."""
