"""The GitOps repo: what plat writes there and what it reads back.

`registration.py`: what registering a service changes (Applications, catalog location, tenancy) and the
branch + pull request that carry it. `tenancy.py`: the service's tenancy record, and the team's AppProject
and the namespace objects built from the records; `tenancy_chart.py`: the chart that renders them in the
GitOps repo (`quantities.py` sizes them from the chart's values). `snapshot.py`: reading the repo through a
throwaway clone; `records.py`: one service's records there (what `plat doctor` checks).
"""
