"""The GitOps repo: what plat writes there and what it reads back.

`registration.py`: what registering a service changes (Applications, catalog location) and the
branch + pull request that carry it.
"""
