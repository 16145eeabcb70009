"""The fleet: every service registered in the GitOps repo, scanned at once, and upgraded in waves.

`releases.py`: latest template versions and release dates; `checkout.py`: per-service clones in the
scan cache; `cache.py`: doctor results by commit sha; `status.py`: rows and summary; `campaign.py`:
a wave-by-wave upgrade with its journal; `shards.py`: a campaign split into an Actions matrix.
"""
