"""Deliveries recorded in the GitOps repo: deploys, promotions, rollbacks and incidents as commits on
`main` whose git trailers say what each one was (the contract is docs/delivery.md).

`trailers.py`: the trailer keys, writing and reading them; `application.py`: what a deploy pins in an
Argo CD Application; `landing.py`: one commit on a moving `main`, with retry; `history.py`: the
GitOps history read back in one `git log` pass; `deploys.py`: deploy, promote, rollback;
`incidents.py`: incidents on the GitOps repo (and, on GitHub, issues).
"""
