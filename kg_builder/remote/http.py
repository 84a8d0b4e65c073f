"""HTTP for remote SPARQL stores: credentials, TLS, timeouts, retries with backoff.

One client for every request kg-builder sends to a SPARQL server (`--store sparql+http://…`
and `kg push`). Only the standard library: `urllib` with an `ssl` context.

- Credentials come from the environment, never from the command line or kg.toml:
  `KG_STORE_USER` + `KG_STORE_PASSWORD` (HTTP Basic; Digest when the server asks for it, as
  Virtuoso's `-auth` endpoints do) or `KG_STORE_TOKEN` (a bearer token).
- TLS certificates are verified by default; `KG_STORE_CA_BUNDLE` names a CA file for a private
  certificate authority, and `KG_STORE_INSECURE=1` (or `?tls-verify=false` on the store URL)
  turns verification off, with a warning on every run.
- A connection error or a 5xx/429 answer is retried `retries` times with exponential backoff
  (0.5 s, 1 s, 2 s, … plus jitter); a 4xx is an answer, not retried.
- Every failure is a RemoteError (a StoreError: exit code 5) that says what to do.
"""

from __future__ import annotations

import base64
import http.client
import os
import random
import socket
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from ..errors import StoreError
from .dialect import refused

_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
RETRY_STATUS = (429, 500, 502, 503, 504)

# Virtuoso echoes every default-graph-uri and named-graph-uri of a request as a header of its
# answer (X-SPARQL-default-graph), past http.client's limit of 100 headers at 50 graphs.
http.client._MAXHEADERS = max(http.client._MAXHEADERS, 1_000_000)


class RemoteError(StoreError):
    """A request to a SPARQL server failed; `status` is the HTTP status where one came back."""

    def __init__(self, message: str, fix: str | None = None, status: int | None = None,
                 body: str = ""):
        self.status = status
        self.body = body
        super().__init__(message, fix)


@dataclass(frozen=True)
class Credentials:
    user: str | None = None
    password: str | None = None
    token: str | None = None
    origin: str = ""  # where they came from, for messages: "$KG_STORE_USER", "--user"

    @property
    def kind(self) -> str | None:
        return "basic" if self.user else "token" if self.token else None

    @classmethod
    def from_env(cls, env=None) -> Credentials:
        env = os.environ if env is None else env
        user, token = env.get("KG_STORE_USER"), env.get("KG_STORE_TOKEN")
        if user and token:
            raise StoreError(
                "both $KG_STORE_USER and $KG_STORE_TOKEN are set",
                "set either a user and password (basic) or a token (bearer), not both",
            )
        if user:
            return cls(user, env.get("KG_STORE_PASSWORD", ""), None, "$KG_STORE_USER")
        if token:
            return cls(None, None, token, "$KG_STORE_TOKEN")
        return cls()


def tls_context(verify: bool = True, ca_bundle: str | None = None) -> ssl.SSLContext:
    ca_bundle = ca_bundle or os.environ.get("KG_STORE_CA_BUNDLE")
    if not verify:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    try:
        return ssl.create_default_context(cafile=ca_bundle) if ca_bundle else (
            ssl.create_default_context()
        )
    except (OSError, ssl.SSLError) as exc:
        raise StoreError(f"cannot read the CA bundle {ca_bundle}: {exc}",
                         "check $KG_STORE_CA_BUNDLE") from None


class HttpClient:
    """Requests with credentials, TLS, a timeout per request and retries."""

    error = RemoteError

    def __init__(self, credentials: Credentials | None = None, *, timeout: float = 60,
                 retries: int = 3, backoff: float = 0.5, verify: bool | None = None,
                 ca_bundle: str | None = None, user_agent: str = "kg-builder",
                 ask_for: str = ("set $KG_STORE_USER and $KG_STORE_PASSWORD (basic or digest) "
                                 "or $KG_STORE_TOKEN (bearer)")):
        self.credentials = credentials or Credentials()
        self.ask_for = ask_for  # how to give credentials, for the hint of a 401
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        if verify is None:
            verify = os.environ.get("KG_STORE_INSECURE", "") not in ("1", "true", "yes")
        self.verify = verify
        if not verify:
            print("warning: TLS certificates of the SPARQL server are NOT verified",
                  file=sys.stderr)
        self._tls = tls_context(verify, ca_bundle)
        self.headers = {"User-Agent": user_agent}
        c = self.credentials
        if c.user:
            pair = base64.b64encode(f"{c.user}:{c.password or ''}".encode()).decode("ascii")
            self.headers["Authorization"] = f"Basic {pair}"
        elif c.token:
            self.headers["Authorization"] = f"Bearer {c.token}"
        self._digest = None
        self.requests = 0  # sent, retries included (for tests and benchmarks)

    # -- the one request method ---------------------------------------------------------------
    def request(self, method: str, url: str, body: bytes | None = None,
                headers: dict | None = None, *, retry: bool = True,
                ok_status: tuple[int, ...] = (),
                timeout: float | None = None) -> tuple[int, dict, bytes]:
        """(status, headers, body) of a 2xx answer, or of one whose status is in ok_status;
        RemoteError for anything else, after the retries. `timeout`: this request's own,
        instead of the client's."""
        attempts = 1 + (self.retries if retry else 0)
        last: RemoteError | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)) * (1 + random.random() / 4))
            try:
                return self._once(method, url, body, headers, ok_status, timeout=timeout)
            except RemoteError as exc:
                last = exc
                transient = exc.status is None or (
                    exc.status in RETRY_STATUS and not refused(exc.status, exc.body))
                if not transient or getattr(exc, "final", False):
                    raise
        assert last is not None
        if attempts > 1:
            last.args = (f"{last.args[0]}\n(after {attempts} tries)",)
        raise last

    def _opener(self, url: str):
        host = urllib.parse.urlsplit(url).hostname or ""
        handlers = [urllib.request.HTTPSHandler(context=self._tls)]
        if host in _LOOPBACK:
            handlers.append(urllib.request.ProxyHandler({}))
        return urllib.request.build_opener(*handlers)

    def _once(self, method, url, body, headers, ok_status, renewed=False, bare=False,
              timeout=None):
        timeout = timeout or self.timeout
        hdrs = {**self.headers, **(headers or {})}
        if self._digest is not None:
            hdrs["Authorization"] = self._digest.header(method, url)
        if bare:  # ask for the server's challenge: some answer Basic with a plain 401
            hdrs.pop("Authorization", None)
        req = urllib.request.Request(url, data=body, method=method, headers=hdrs)
        self.requests += 1
        try:
            with self._opener(url).open(req, timeout=timeout) as resp:
                return resp.status, dict(resp.headers.items()), resp.read()
        except urllib.error.HTTPError as exc:
            text = _server_text(exc)
            if exc.code in ok_status:
                return exc.code, dict(exc.headers.items()), text.encode("utf-8")
            challenge = exc.headers.get("WWW-Authenticate", "") if exc.headers else ""
            if (exc.code == 401 and challenge.lower().startswith("digest")
                    and self.credentials.user and not renewed):
                self._digest = Digest(self.credentials, challenge)  # new, or a stale nonce
                return self._once(method, url, body, headers, ok_status, renewed=True,
                                  timeout=timeout)
            if (exc.code == 401 and not challenge and self.credentials.user and not bare
                    and self._digest is None):
                return self._once(method, url, body, headers, ok_status, bare=True,
                                  timeout=timeout)
            raise self._http_error(method, url, exc.code, text) from None
        except urllib.error.URLError as exc:
            raise self._connection_error(url, exc.reason) from None
        except TimeoutError:
            err = self.error(f"{method} {_short(url)}: no answer within {timeout:g} s",
                             "raise the timeout (?timeout=SECONDS on the store URL, or "
                             "--timeout), or check the server")
            err.final = True  # a slow query is not made faster by sending it again
            raise err from None
        except (ConnectionError, OSError, http.client.HTTPException) as exc:
            raise self._connection_error(url, exc) from None

    def _http_error(self, method: str, url: str, code: int, detail: str) -> RemoteError:
        said = f": {' '.join(detail.split())[:500]}" if detail.strip() else ""
        if code in (401, 403):
            c = self.credentials
            if c.kind is None:
                fix = f"the server wants credentials: {self.ask_for}"
            else:
                fix = (f"check the credentials given in {c.origin} and the account's rights "
                       "on this server")
            word = "unauthorised" if code == 401 else "forbidden"
            return self.error(f"{method} {_short(url)}: {code} {word}{said}", fix, code, detail)
        return self.error(f"{method} {_short(url)}: the server answered {code}{said}", None,
                          code, detail)

    def _connection_error(self, url: str, reason) -> RemoteError:
        parts = urllib.parse.urlsplit(url)
        where = parts.netloc
        if isinstance(reason, ConnectionRefusedError) or "refused" in str(reason).lower():
            return self.error(
                f"cannot connect to {where}: connection refused",
                "is the SPARQL server running, and listening on port "
                f"{parts.port or 'the default'}?",
            )
        if isinstance(reason, socket.gaierror):
            return self.error(f"cannot resolve the host {parts.hostname!r}",
                              "check the URL's host")
        if isinstance(reason, ssl.SSLError):
            err = self.error(
                f"TLS failed with {where}: {reason}",
                "if the server uses a private certificate authority, name its certificate in "
                "$KG_STORE_CA_BUNDLE",
            )
            err.final = True
            return err
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return self.error(f"{_short(url)}: no answer in time",
                              "raise the timeout, or check the server")
        return self.error(f"cannot reach {where}: {reason}", "check the URL and the network")


def _short(url: str) -> str:
    """The URL without a long query string (a query sent by GET)."""
    return url if len(url) < 160 else url[:150] + "…"


def _server_text(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read(4000).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - the status alone is still worth reporting
        return exc.reason if isinstance(exc.reason, str) else ""


class Digest:
    """RFC 7616 Digest authentication (MD5, qop=auth), for servers that refuse Basic."""

    def __init__(self, credentials: Credentials, challenge: str):
        import re

        self.user, self.password = credentials.user or "", credentials.password or ""
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge[len("Digest"):]))
        self.realm = fields.get("realm", "")
        self.nonce = fields.get("nonce", "")
        self.opaque = fields.get("opaque")
        self.qop = "auth" if "auth" in fields.get("qop", "auth").split(",") else None
        self.count = 0

    def header(self, method: str, url: str) -> str:
        import hashlib

        def md5(text: str) -> str:
            return hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 - the protocol's

        parts = urllib.parse.urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        self.count += 1
        nc = f"{self.count:08x}"
        cnonce = f"{random.getrandbits(64):016x}"
        ha1 = md5(f"{self.user}:{self.realm}:{self.password}")
        ha2 = md5(f"{method}:{uri}")
        if self.qop:
            response = md5(f"{ha1}:{self.nonce}:{nc}:{cnonce}:{self.qop}:{ha2}")
        else:
            response = md5(f"{ha1}:{self.nonce}:{ha2}")
        value = (f'Digest username="{self.user}", realm="{self.realm}", nonce="{self.nonce}", '
                 f'uri="{uri}", response="{response}", algorithm=MD5')
        if self.qop:
            value += f', qop={self.qop}, nc={nc}, cnonce="{cnonce}"'
        if self.opaque:
            value += f', opaque="{self.opaque}"'
        return value
