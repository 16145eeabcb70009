"""PyGithub, set up for plat: credentials, an explicit retry policy, rate-limit waits, call counting,
conditional requests.

Every REST call plat makes goes through `Api.call`, so the calls of an operation are counted and
every failure becomes a ForgeError that says what happened and what to do. A GET given a `cache`
file is conditional (`github_etags`): a 304 answers with the saved body and is counted apart, in
`not_modified`, since GitHub does not count it against the rate limit.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.GithubException import RateLimitExceededExceedsMaxWait

from platform_cli.errors import ConfigError, ForgeError
from platform_cli.forge import github_etags as etags

Sleep = Callable[[float], None]
MAX_WAIT = 300.0  # the longest rate-limit wait plat sits through; a longer one stops with the time to retry
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
TOKEN_HINT = (
    "export GITHUB_TOKEN (a token with scopes repo, workflow, read:org), or configure a GitHub App: "
    "PLAT_GITHUB_APP_ID, PLAT_GITHUB_APP_KEY_FILE, PLAT_GITHUB_APP_INSTALLATION_ID (see docs/github.md)"
)


@dataclass(frozen=True)
class Credentials:
    token: str | None = None
    app_id: str | None = None
    app_key: str | None = None  # PEM text of the App's private key
    installation_id: int | None = None

    def __repr__(self) -> str:  # never print a secret
        return f"Credentials(kind={'app' if self.app_id else 'token'})"


def credentials_from_env(env: Mapping[str, str]) -> Credentials:
    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
    if token:
        return Credentials(token=token.strip())
    app_id, key_file, inst = (env.get(f"PLAT_GITHUB_APP_{k}") for k in ("ID", "KEY_FILE", "INSTALLATION_ID"))
    if app_id and key_file and inst:
        try:
            key = open(key_file, encoding="utf-8").read()  # noqa: SIM115 - tiny file
        except OSError as exc:
            raise ConfigError(
                f"cannot read the GitHub App private key {key_file}: {exc.strerror}",
                hint="set PLAT_GITHUB_APP_KEY_FILE to the .pem file GitHub gave you",
            ) from None
        if "PRIVATE KEY-----" not in key:
            raise ConfigError(
                f"{key_file} is not a PEM private key",
                hint="download a private key in the GitHub App's settings (a .pem file)",
            )
        if not inst.strip().isdigit():
            raise ConfigError(f"PLAT_GITHUB_APP_INSTALLATION_ID must be a number, got {inst!r}", hint=TOKEN_HINT)
        return Credentials(app_id=app_id.strip(), app_key=key, installation_id=int(inst))
    raise ConfigError("no GitHub credentials: GITHUB_TOKEN / GH_TOKEN is not set", hint=TOKEN_HINT)


class PlatRetry(GithubRetry):
    """Back off on 5xx and dropped connections (idempotent methods only: a POST is never sent twice,
    nor a merge whose answer was lost: see NOT_RESENT), and on rate limits (403/429 with Retry-After,
    or x-ratelimit-remaining 0 and its x-ratelimit-reset), whatever the method: GitHub did not act on
    a rate-limited request. A rate limit is waited for in full, up to `max_rate_limit_wait`; a longer
    one raises RateLimitExceededExceedsMaxWait (never a retry before GitHub's time). Waits go through
    an injectable `sleeper`; `sent` counts the requests sent again (shared by the copies urllib3 makes)."""

    sleeper: Sleep = staticmethod(time.sleep)
    sent: list[str]
    plat_wait: float | None = None  # the rate limit's own wait, for the response that asked for it

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code in (403, 429) and self.total:
            return True  # increment tells a rate limit from a plain 403
        return super().is_retry(method, status_code, has_retry_after)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):  # type: ignore[override]
        if error is not None and url and NOT_RESENT.search(urlsplit(url).path):
            raise error  # the answer was lost, not the request: the caller checks before sending it again
        wait = rate_limit_wait(response.headers) if response is not None and response.status in (403, 429) else None
        if wait is None:
            retry = super().increment(method, url, response, error, _pool, _stacktrace)
        else:
            if self.max_rate_limit_wait is not None and wait > self.max_rate_limit_wait:
                body = {"message": f"rate limited for {wait:.0f}s"}
                raise RateLimitExceededExceedsMaxWait(response.status, body, dict(response.headers), wait=wait)
            retry = super(GithubRetry, self).increment(method, url, response, error, _pool, _stacktrace)
            retry.plat_wait = wait
        self.sent.append(f"{method} {url}")
        return retry

    def new(self, **kw: Any) -> PlatRetry:
        fresh = super().new(**kw)
        fresh.sleeper, fresh.sent = self.sleeper, self.sent
        return fresh

    def sleep(self, response: Any = None) -> None:
        wait = self.plat_wait
        if wait is None and response is not None:
            wait = self.get_retry_after(response)
        if wait is None:
            wait = self.get_backoff_time()  # GithubRetry sets it to a rate limit's reset it read in the body
        if wait > 0:
            self.sleeper(wait)


NOT_RESENT = re.compile(r"/pulls/\d+/merge$")


def rate_limit_wait(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """How long a rate-limited answer asks to wait: its Retry-After, else the time until its
    x-ratelimit-reset when no request is left (primary limit, be it 403 or 429); None otherwise."""
    lower = {k.lower(): v for k, v in headers.items()}
    after = lower.get("retry-after", "").strip()
    if after.isdigit():
        return float(after)
    reset = lower.get("x-ratelimit-reset", "").strip()
    if lower.get("x-ratelimit-remaining", "").strip() == "0" and reset.isdigit():
        return max(int(reset) - (time.time() if now is None else now), 0) + 1  # +1: the reset's second
    return None


def retry_policy(sleep: Sleep = time.sleep, max_wait: float = MAX_WAIT) -> PlatRetry:
    policy = PlatRetry(
        total=5,
        connect=3,
        read=2,
        status=3,
        backoff_factor=0.5,
        status_forcelist=[500, 502, 503, 504],
        allowed_methods=IDEMPOTENT,
        raise_on_status=False,
        secondary_rate_wait=60,
        max_rate_limit_wait=max_wait,
    )
    policy.sleeper, policy.sent = sleep, []
    return policy


class Api:
    """A counted, error-translating door to the GitHub REST API (one PyGithub requester)."""

    def __init__(self, base_url: str, creds: Credentials, *, sleep: Sleep = time.sleep, timeout: int = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self.calls: list[tuple[str, str]] = []
        self.not_modified = 0  # conditional requests GitHub answered 304 (free of rate limit)
        auth: Auth.Auth
        if creds.token:
            auth = Auth.Token(creds.token)
        else:  # credentials_from_env makes App credentials whole, or none
            assert creds.app_id and creds.app_key and creds.installation_id is not None
            auth = Auth.AppAuth(creds.app_id, creds.app_key).get_installation_auth(creds.installation_id)
        self._retry = retry_policy(sleep)
        _quiet_libraries()
        self._github = Github(
            auth=auth,
            base_url=self.base_url,
            timeout=timeout,
            retry=self._retry,
            seconds_between_requests=0,
            seconds_between_writes=0,
            lazy=True,
            user_agent="plat (platform-cli)",
        )
        self._requester = self._github.requester

    @property
    def count(self) -> int:
        """Requests counted against the rate limit: each call but the 304s, and each time one was sent
        again (after a 5xx, a rate limit...)."""
        return len(self.calls) - self.not_modified + len(self._retry.sent)

    def token(self) -> str:
        """The token for git over HTTPS (an App's installation token is fetched and refreshed by PyGithub)."""
        return self._translate(lambda: self._auth().token, "POST", "/app/installations/…/access_tokens")

    def _auth(self) -> Auth.Auth:
        auth = self._requester.auth
        assert auth is not None  # set in __init__
        return auth

    def call(
        self,
        verb: str,
        path: str,
        body: Any = None,
        params: dict | None = None,
        headers: dict | None = None,
        cache: Path | None = None,
    ) -> tuple[dict, Any]:
        """(response headers, JSON body). With `cache` (a GET's entry in the ETag cache) the request
        is conditional and a 304 answers with the saved body; a 304 to the caller's own If-None-Match
        answers None. Retries and rate-limit waits are the same for conditional requests."""
        saved = etags.load(cache) if cache is not None and verb == "GET" else None
        sent = {**(headers or {}), **etags.if_none_match(saved)}
        self.calls.append((verb, path))
        answered, data = self._translate(
            lambda: self._requester.requestJsonAndCheck(
                verb, self.base_url + path, parameters=params, headers=sent or None, input=body
            ),
            verb,
            path,
        )
        if data is None and "If-None-Match" in sent:
            self.not_modified += 1
            return answered, saved.data if saved else None
        etag = etags.etag_of(answered)
        if cache is not None and verb == "GET" and etag:
            etags.save(cache, etag, data)
        return answered, data

    def _translate(self, fn: Callable[[], Any], verb: str, path: str) -> Any:
        try:
            return fn()
        except RateLimitExceededExceedsMaxWait as exc:
            wait = exc.wait or MAX_WAIT
            at = _clock(wait)
            raise RateLimited(
                f"GitHub rate limit: {verb} {path} may be sent again in {wait:.0f}s (at {at}), longer "
                f"than plat waits ({MAX_WAIT:.0f}s)",
                hint=f"run the same command again after {at}; it resumes where it stopped",
            ) from None
        except GithubException as exc:
            error = ApiError(exc.status, exc.data, exc.headers or {}, verb, path)
            if error.rate_limited:  # never read as "not found" or "not allowed" by a caller
                raise RateLimited(error.message, error.hint) from None
            raise error from None
        except requests.RequestException as exc:
            raise ConnectionLost(
                f"lost the connection to GitHub during {verb} {path} ({type(exc).__name__})",
                hint=f"check that {self.base_url} is reachable, then run the same command again; "
                "it resumes where it stopped",
            ) from None


def _quiet_libraries() -> None:
    """PyGithub's and urllib3's log lines (every 403 inspected, every retry) never reach stderr: plat
    reports what happened itself, and `--json` output must stay one document. PyGithub installs a
    stderr handler of its own at import; it is replaced. Idempotent."""
    for name in ("github", "urllib3"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [logging.NullHandler()]
        logger.propagate = False


def _clock(seconds: float) -> str:
    """The UTC time `seconds` from now, as a person reads it."""
    return time.strftime("%H:%M:%S UTC", time.gmtime(time.time() + seconds))


class RateLimited(ForgeError):
    """GitHub kept refusing for a rate limit after plat's retries."""


class ConnectionLost(ForgeError):
    """The connection dropped before GitHub's answer arrived: the request may or may not have acted."""


class ApiError(ForgeError):
    """A GitHub answer with an error status; callers turn the ones they expect into precise errors."""

    def __init__(self, status: int, data: Any, headers: Mapping[str, str], verb: str, path: str) -> None:
        self.status, self.data, self.verb, self.path = status, data if isinstance(data, dict) else {}, verb, path
        self.headers = {k.lower(): v for k, v in headers.items()}
        message = self.data.get("message")
        if not isinstance(message, str) or not message.strip():
            message = _status_text(status)  # a proxy's HTML page, an empty body: never a Python dict
        if self.rate_limited:
            super().__init__(f"GitHub rate limit: {verb} {path} was refused ({status}: {message})", hint=self._wait())
            return
        super().__init__(f"GitHub answered {status} to {verb} {path}: {message}", hint=self._hint())

    @property
    def rate_limited(self) -> bool:
        """A rate limit, not a permission problem: GitHub says when to retry, or says so in words."""
        if self.status not in (403, 429):
            return False
        text = str(self.data.get("message", "")).lower()
        return self.status == 429 or rate_limit_wait(self.headers) is not None or "rate limit" in text

    def _wait(self) -> str:
        wait = rate_limit_wait(self.headers)
        when = f"after {_clock(wait)}" if wait is not None else "in a few minutes"
        return f"GitHub still refused after plat's retries: run the same command again {when}; it resumes"

    def _hint(self) -> str:
        missing = self.missing_scopes()
        if missing:
            return f"the token lacks the scope(s) {', '.join(missing)}: create one with them (docs/github.md)"
        if self.status == 401:
            return "the token is invalid or expired: create a new one and export GITHUB_TOKEN"
        if self.status >= 500:
            return "GitHub had a problem: run the same command again; it resumes where it stopped"
        return "see docs/github.md for the permissions plat needs"

    def missing_scopes(self) -> list[str]:
        granted = {s.strip() for s in self.headers.get("x-oauth-scopes", "").split(",") if s.strip()}
        accepted = [s.strip() for s in self.headers.get("x-accepted-oauth-scopes", "").split(",") if s.strip()]
        if "x-oauth-scopes" not in self.headers or not accepted or granted & set(accepted):
            return []
        return accepted

    @property
    def errors_text(self) -> str:
        return " ".join(str(e.get("message", "")) for e in self.data.get("errors", []) if isinstance(e, dict))


def _status_text(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "no explanation"
    return f"{phrase} (GitHub or a proxy in between sent no message)"
