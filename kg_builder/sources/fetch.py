"""HTTP(S) downloads for `kg add`: the only place where kg-builder uses the network.

`Fetcher.get(url)` downloads one page or document with urllib3 and gives it back with its
final URL (after redirects), media type and charset, or raises FetchError with a reason a
person can act on. The limits are enforced while the body streams in, never after:

- only http and https, for the URL given and for every redirect (at most `max_redirects`,
  5 by default; a loop counts as too many);
- `timeout` seconds to connect and for each read, and 3 x `timeout` for the whole download
  (a server that trickles bytes cannot hold a run forever);
- at most `max_bytes` of (decompressed) body: a larger Content-Length is refused before
  reading, and a body without one is cut off and refused as soon as it passes the limit;
- only article content types (HTML, XHTML, PDF, plain text; a body without a type or sent as
  application/octet-stream is sniffed by the caller): anything else is refused before its
  body is read;
- a User-Agent naming kg-builder; proxies from the usual environment variables (HTTP_PROXY,
  HTTPS_PROXY, NO_PROXY), never for loopback addresses.

`normalise_url` gives the form in which two URLs are compared to find duplicates.
"""

from __future__ import annotations

import email.message
import ipaddress
import re
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)

from .. import __version__

USER_AGENT = f"kg-builder/{__version__} (news article collection for a research knowledge graph)"
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
#: Media types that can hold an article.
HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf", "application/x-pdf")
TEXT_TYPES = ("text/plain", "text/markdown")
#: Media types that say nothing about the content: the caller looks at the bytes.
SNIFF_TYPES = ("", "application/octet-stream", "binary/octet-stream", "application/unknown")
ARTICLE_TYPES = HTML_TYPES + PDF_TYPES + TEXT_TYPES
_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.1",
    "Accept-Encoding": "gzip, deflate",
}
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A URL that could not be downloaded as an article; `reason` says why."""

    def __init__(self, url: str, reason: str):
        self.url, self.reason = url, reason
        super().__init__(f"{url}: {reason}")


@dataclass
class Fetched:
    """One downloaded document."""

    url: str  #: as given
    final_url: str  #: after redirects
    status: int
    media_type: str  #: lowercase, without parameters; "" when the server sent none
    charset: str | None  #: from the Content-Type header, if any
    data: bytes
    redirects: list[str] = field(default_factory=list)


class Fetcher:
    """Downloads with one connection pool; use as a context manager, or call close()."""

    def __init__(
        self,
        timeout: float = 20.0,
        max_bytes: int = 10_000_000,
        max_redirects: int = MAX_REDIRECTS,
        total_timeout: float | None = None,
    ):
        self.timeout = float(timeout)
        self.max_bytes = int(max_bytes)
        self.max_redirects = int(max_redirects)
        self.total_timeout = float(total_timeout) if total_timeout else 3 * self.timeout
        self._direct = urllib3.PoolManager(num_pools=8, headers=_HEADERS)
        self._proxied: dict[str, urllib3.ProxyManager] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._direct.clear()
        for manager in self._proxied.values():
            manager.clear()

    # ----------------------------------------------------------------------------------------
    def get(self, url: str) -> Fetched:
        """Download `url`, following up to max_redirects redirects; FetchError when refused."""
        deadline = time.monotonic() + self.total_timeout
        current = url.strip()
        redirects: list[str] = []
        while True:
            _check_scheme(url, current)
            resp = self._request(url, current, deadline)
            complete = False
            try:
                if resp.status in _REDIRECTS:
                    location = resp.headers.get("Location")
                    if not location:
                        raise FetchError(url, f"HTTP {resp.status} redirect without a Location")
                    target = urljoin(current, location.strip())
                    if len(redirects) >= self.max_redirects:
                        raise FetchError(
                            url,
                            f"too many redirects (more than {self.max_redirects}; the last "
                            f"one to {target})",
                        )
                    redirects.append(target)
                    current = target
                    continue
                if resp.status >= 400:
                    raise FetchError(url, _status_reason(resp.status, resp.reason))
                if not 200 <= resp.status < 300 or resp.status == 204:
                    status = f"HTTP {resp.status} {resp.reason or ''}".strip()
                    raise FetchError(url, f"{status}: no document in the answer")
                media_type, charset = parse_content_type(resp.headers.get("Content-Type"))
                if media_type not in ARTICLE_TYPES + SNIFF_TYPES:
                    raise FetchError(
                        url,
                        f"content type {media_type} is not an article "
                        "(HTML, PDF or plain text expected)",
                    )
                data = self._read(url, resp, deadline)
                complete = True
                return Fetched(url, current, resp.status, media_type, charset, data, redirects)
            finally:
                if not complete:  # unread body: the connection cannot be reused
                    resp.close()
                resp.release_conn()

    def _request(self, url: str, current: str, deadline: float):
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(url, f"no complete answer within {self.total_timeout:g} s")
        timeout = urllib3.Timeout(connect=min(self.timeout, left), read=min(self.timeout, left))
        try:
            return self._manager(current).request(
                "GET",
                current,
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=True,
                timeout=timeout,
            )
        except MaxRetryError as exc:  # urllib3 wraps the cause even with retries=False
            raise FetchError(url, _network_reason(exc.reason or exc, self.timeout)) from None
        except (HTTPError, OSError) as exc:
            raise FetchError(url, _network_reason(exc, self.timeout)) from None

    def _read(self, url: str, resp, deadline: float) -> bytes:
        length = resp.headers.get("Content-Length")
        if length and length.strip().isdigit() and int(length) > self.max_bytes:
            if not resp.headers.get("Content-Encoding"):
                raise FetchError(
                    url,
                    f"{int(length):,} bytes (Content-Length), larger than the limit of "
                    f"{self.max_bytes:,} bytes; raise max_bytes to add it",
                )
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in resp.stream(CHUNK, decode_content=True):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(
                        url,
                        f"larger than the limit of {self.max_bytes:,} bytes (stopped reading); "
                        "raise max_bytes to add it",
                    )
                if time.monotonic() > deadline:
                    raise FetchError(
                        url, f"download not finished after {self.total_timeout:g} s"
                    )
                chunks.append(chunk)
        except ReadTimeoutError:
            raise FetchError(
                url, f"timed out: no data for {self.timeout:g} s while reading the body"
            ) from None
        except DecodeError as exc:
            raise FetchError(url, f"cannot decompress the body: {exc}") from None
        except (ProtocolError, HTTPError, OSError) as exc:
            raise FetchError(url, f"connection broken while reading the body: {exc}") from None
        return b"".join(chunks)

    def _manager(self, url: str):
        """The direct pool, or a proxy's, as the environment says (never for loopback)."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if _is_loopback(host):
            return self._direct
        proxy = urllib.request.getproxies().get(parts.scheme)
        if not proxy or urllib.request.proxy_bypass(host):
            return self._direct
        if proxy not in self._proxied:
            self._proxied[proxy] = urllib3.ProxyManager(proxy, headers=_HEADERS)
        return self._proxied[proxy]


def fetch(url: str, *, timeout: float = 20.0, max_bytes: int = 10_000_000) -> Fetched:
    """Download one URL (see Fetcher.get)."""
    with Fetcher(timeout=timeout, max_bytes=max_bytes) as fetcher:
        return fetcher.get(url)


# --------------------------------------------------------------------------------------------
# helpers


def is_url(text: str) -> bool:
    """Whether an input names a URL (any scheme://...), as opposed to a path."""
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text.strip()))


def _check_scheme(url: str, current: str) -> None:
    scheme = urlsplit(current).scheme.lower()
    if scheme not in ("http", "https"):
        where = "" if current == url else f" (redirected to {current})"
        raise FetchError(url, f"unsupported URL scheme {scheme!r}{where}: only http and https")
    if not urlsplit(current).hostname:
        raise FetchError(url, f"no host name in the URL {current!r}")


def parse_content_type(value: str | None) -> tuple[str, str | None]:
    """(media type in lowercase, charset or None) of a Content-Type header."""
    if not value:
        return "", None
    msg = email.message.Message()
    msg["content-type"] = value
    media_type = msg.get_content_type().lower()
    if "/" not in value.split(";")[0]:  # the email module defaults a broken type to text/plain
        media_type = value.split(";")[0].strip().lower()
    charset = msg.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 form
        charset = charset[2]
    return media_type, (str(charset).strip().strip("'\"") or None) if charset else None


def _status_reason(status: int, reason: str | None) -> str:
    text = f"HTTP {status} {reason or ''}".strip()
    if status == 404 or status == 410:
        return f"{text}: the page does not exist (check the address)"
    if status in (401, 403):
        return f"{text}: the server refuses access (paywall or login?); save the page from a browser and add the file"
    if status == 429:
        return f"{text}: the server asks to slow down; try again later"
    if status >= 500:
        return f"{text}: the server failed; try again later"
    return text


def _network_reason(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, ConnectTimeoutError):
        return f"timed out: no connection within {timeout:g} s"
    if isinstance(exc, ReadTimeoutError):
        return f"timed out: no answer within {timeout:g} s"
    if isinstance(exc, NameResolutionError):
        return f"host not found: {getattr(exc, 'conn', None) and exc.conn.host or exc}"
    if isinstance(exc, SSLError):
        return f"TLS/SSL error (certificate?): {exc}"
    if isinstance(exc, ProxyError):
        return f"proxy error: {exc}"
    if isinstance(exc, NewConnectionError):
        text = str(exc)
        if "refused" in text.lower():
            return "connection refused (is the server up? is the port right?)"
        return f"cannot connect: {text.split(': ', 1)[-1]}"
    if isinstance(exc, TimeoutError):
        return f"timed out after {timeout:g} s"
    return f"connection failed: {exc}"


def _is_loopback(host: str) -> bool:
    if host in ("localhost",) or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


#: Query parameters that only track where a click came from (dropped when comparing URLs).
_TRACKING = re.compile(
    r"^(utm_[a-z0-9_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|"
    r"_ga|_gl|_hsenc|_hsmi|ocid|cmpid|icid|ncid|at_medium|at_campaign|at_custom\d*|xtor|"
    r"ns_mchannel|ns_source|ns_campaign|ns_linkname|ns_fee|smid|smtyp|sr_share|guccounter|"
    r"ref_src|ref_url|mkt_tok|spm|wt\.mc_id|cmp|s_cid|__twitter_impression)$",
    re.IGNORECASE,
)


def normalise_url(url: str | None) -> str | None:
    """The comparison form of a URL: scheme and host in lowercase (http counted as https),
    default port, fragment and tracking parameters (utm_*, fbclid, ...) dropped, an empty
    path as "/". None for what is not an absolute http(s) URL."""
    if not url or not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host:
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port and not (scheme == "http" and port == 80 or scheme == "https" and port == 443):
        host = f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING.match(k)]
    return urlunsplit(("https", host, parts.path or "/", urlencode(query), ""))
