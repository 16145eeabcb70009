"""PyGithub, set up for plat: credentials, an explicit retry policy, rate-limit waits, call counting.

Every REST call plat makes goes through `Api.call`, so the calls of an operation are counted and
every failure becomes a ForgeError that says what happened and what to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.GithubException import RateLimitExceededExceedsMaxWait

from platform_cli.errors import ConfigError, ForgeError

Sleep = Callable[[float], None]
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
    """Back off on 5xx and dropped connections (idempotent methods only: a POST is never sent twice),
    and on secondary rate limits (403/429 with Retry-After, or x-ratelimit-reset), whatever the method:
    GitHub did not act on a rate-limited request. Waits go through an injectable `sleeper`."""

    sleeper: Sleep = staticmethod(time.sleep)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code in (403, 429) and self.total:
            return True  # GithubRetry.increment tells a rate limit from a plain 403
        return super().is_retry(method, status_code, has_retry_after)

    def new(self, **kw: Any) -> PlatRetry:
        fresh = super().new(**kw)
        fresh.sleeper = self.sleeper
        return fresh

    def sleep(self, response: Any = None) -> None:
        wait = self.get_retry_after(response) if response is not None else None
        if wait is None:
            wait = self.get_backoff_time()
        if self.max_rate_limit_wait is not None:
            wait = min(wait, self.max_rate_limit_wait)
        if wait > 0:
            self.sleeper(wait)


def retry_policy(sleep: Sleep = time.sleep, max_wait: float = 300.0) -> PlatRetry:
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
    policy.sleeper = sleep
    return policy


class Api:
    """A counted, error-translating door to the GitHub REST API (one PyGithub requester)."""

    def __init__(self, base_url: str, creds: Credentials, *, sleep: Sleep = time.sleep, timeout: int = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self.calls: list[tuple[str, str]] = []
        auth: Auth.Auth
        if creds.token:
            auth = Auth.Token(creds.token)
        else:  # credentials_from_env makes App credentials whole, or none
            assert creds.app_id and creds.app_key and creds.installation_id is not None
            auth = Auth.AppAuth(creds.app_id, creds.app_key).get_installation_auth(creds.installation_id)
        self._github = Github(
            auth=auth,
            base_url=self.base_url,
            timeout=timeout,
            retry=retry_policy(sleep),
            seconds_between_requests=0,
            seconds_between_writes=0,
            lazy=True,
            user_agent="plat (platform-cli)",
        )
        self._requester = self._github.requester

    @property
    def count(self) -> int:
        return len(self.calls)

    def token(self) -> str:
        """The token for git over HTTPS (an App's installation token is fetched and refreshed by PyGithub)."""
        return self._translate(lambda: self._auth().token, "POST", "/app/installations/…/access_tokens")

    def _auth(self) -> Auth.Auth:
        auth = self._requester.auth
        assert auth is not None  # set in __init__
        return auth

    def call(
        self, verb: str, path: str, body: Any = None, params: dict | None = None, headers: dict | None = None
    ) -> tuple[dict, Any]:
        """(response headers, JSON body); the body is None for a 304 (a conditional GET whose ETag matched)."""
        self.calls.append((verb, path))
        return self._translate(
            lambda: self._requester.requestJsonAndCheck(
                verb, self.base_url + path, parameters=params, headers=headers, input=body
            ),
            verb,
            path,
        )

    def _translate(self, fn: Callable[[], Any], verb: str, path: str) -> Any:
        try:
            return fn()
        except RateLimitExceededExceedsMaxWait as exc:
            raise ForgeError(
                f"GitHub rate limit: {verb} {path} would have to wait {exc.wait:.0f}s",
                hint="wait a few minutes and run the same command again; it resumes",
            ) from None
        except GithubException as exc:
            raise ApiError(exc.status, exc.data, exc.headers or {}, verb, path) from None
        except requests.RequestException as exc:
            raise ForgeError(
                f"lost the connection to GitHub during {verb} {path} ({type(exc).__name__})",
                hint=f"check that {self.base_url} is reachable, then run the same command again; "
                "it resumes where it stopped",
            ) from None


class ApiError(ForgeError):
    """A GitHub answer with an error status; callers turn the ones they expect into precise errors."""

    def __init__(self, status: int, data: Any, headers: Mapping[str, str], verb: str, path: str) -> None:
        self.status, self.data, self.verb, self.path = status, data if isinstance(data, dict) else {}, verb, path
        self.headers = {k.lower(): v for k, v in headers.items()}
        message = self.data.get("message") or str(data)
        super().__init__(f"GitHub answered {status} to {verb} {path}: {message}", hint=self._hint())

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
