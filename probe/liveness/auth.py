"""HTTP-style authentication for RTSP and HTTP probes: Basic (RFC 7617) and Digest (RFC 2617 / 7616).

Pure functions: parse the ``WWW-Authenticate`` challenges, pick one, compute the ``Authorization``
value. Digest supports MD5, MD5-sess, SHA-256 and SHA-256-sess, with ``qop=auth``, ``qop=auth-int``
(empty body) and the RFC 2069 form without qop. The RTSP kind answers with them directly; over
HTTP (the http kind, the snapshot frame source) probe.httpauth wraps them in an ``httpx.Auth``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

DIGEST_HASHES: dict[str, Callable[[bytes], str]] = {
    "MD5": lambda b: hashlib.md5(b).hexdigest(),  # noqa: S324 - the protocol's hash, not ours
    "SHA-256": lambda b: hashlib.sha256(b).hexdigest(),
}
# Preference when a server offers several challenges (RFC 7616 §3.7: strongest first).
_PREFERENCE: tuple[tuple[str, str], ...] = (
    ("digest", "SHA-256"),
    ("digest", "SHA-256-sess"),
    ("digest", "MD5"),
    ("digest", "MD5-sess"),
    ("basic", ""),
)


class AuthError(ValueError):
    """A challenge this client cannot answer (unknown scheme or algorithm)."""


@dataclass(frozen=True)
class Challenge:
    scheme: str  # lower case: "basic", "digest", ...
    params: dict[str, str] = field(default_factory=dict)

    @property
    def algorithm(self) -> str:
        return self.params.get("algorithm", "MD5").upper() if self.scheme == "digest" else ""

    @property
    def name(self) -> str:
        """``basic``, or ``digest-`` and the algorithm in lower case (``digest-md5``, ``digest-sha-256``):
        what the probes record as the scheme they answered."""
        return self.scheme + (f"-{self.algorithm.lower()}" if self.algorithm else "")


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in " \t":
        i += 1
    return i


def _token(s: str, i: int) -> tuple[str, int]:
    j = i
    while j < len(s) and s[j] not in ' \t,="':
        j += 1
    return s[i:j], j


def _quoted(s: str, i: int) -> tuple[str, int]:
    out: list[str] = []
    i += 1  # opening quote
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            out.append(s[i + 1])
            i += 2
            continue
        if c == '"':
            return "".join(out), i + 1
        out.append(c)
        i += 1
    return "".join(out), i


def parse_challenges(headers: Iterable[str]) -> list[Challenge]:
    """All challenges in the given ``WWW-Authenticate`` header values (several may share one value)."""
    found: list[Challenge] = []
    for value in headers:
        s, i = value, 0
        current: Challenge | None = None
        while i < len(s):
            i = _skip_ws(s, i)
            if i < len(s) and s[i] == ",":
                i += 1
                continue
            word, j = _token(s, i)
            if not word:
                i = j + 1
                continue
            k = _skip_ws(s, j)
            if k < len(s) and s[k] == "=" and current is not None and not s[k:].startswith("=="):
                k = _skip_ws(s, k + 1)
                if k < len(s) and s[k] == '"':
                    val, i = _quoted(s, k)
                else:
                    val, i = _token(s, k)
                current.params[word.lower()] = val
            elif k < len(s) and s[k] == "=" and current is not None:  # token68 (e.g. "Negotiate abc==")
                i = k
                while i < len(s) and s[i] == "=":
                    i += 1
            else:
                current = Challenge(word.lower(), {})
                found.append(current)
                i = j
    return found


def choose(challenges: Iterable[Challenge]) -> Challenge | None:
    """The strongest challenge this client can answer, or None."""
    by_pref = {(c.scheme, c.algorithm): c for c in challenges}
    for key in _PREFERENCE:
        if key in by_pref:
            return by_pref[key]
    return None


def basic_authorization(username: str, password: str) -> str:
    raw = f"{username}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def digest_response(
    *,
    algorithm: str,
    username: str,
    realm: str,
    password: str,
    method: str,
    uri: str,
    nonce: str,
    nc: str = "",
    cnonce: str = "",
    qop: str = "",
    body: bytes = b"",
) -> str:
    """The ``response`` value of RFC 7616 §3.4.1 (RFC 2069 form when ``qop`` is empty).
    Servers (the demo fleet) use the same function to check what a client sent."""
    algorithm = algorithm.upper()
    sess = algorithm.endswith("-SESS")
    base = algorithm[: -len("-SESS")] if sess else algorithm
    if base not in DIGEST_HASHES:
        raise AuthError(f"unsupported digest algorithm {algorithm!r}")
    h = DIGEST_HASHES[base]
    ha1 = h(f"{username}:{realm}:{password}".encode())
    if sess:
        ha1 = h(f"{ha1}:{nonce}:{cnonce}".encode())
    a2 = f"{method}:{uri}"
    if qop == "auth-int":
        a2 += ":" + h(body)
    ha2 = h(a2.encode())
    if qop:
        return h(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}".encode())
    return h(f"{ha1}:{nonce}:{ha2}".encode())


def _pick_qop(offered: str) -> str:
    options = [q.strip().lower() for q in offered.split(",") if q.strip()]
    if not options:
        return ""
    if "auth" in options:
        return "auth"
    if "auth-int" in options:
        return "auth-int"
    raise AuthError(f"unsupported digest qop {offered!r}")


def _q(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def authorization(
    challenge: Challenge,
    *,
    username: str,
    password: str,
    method: str,
    uri: str,
    nc: int = 1,
    cnonce: str | None = None,
    body: bytes = b"",
) -> str:
    """The ``Authorization`` header value that answers ``challenge`` for one request."""
    if challenge.scheme == "basic":
        return basic_authorization(username, password)
    if challenge.scheme != "digest":
        raise AuthError(f"unsupported authentication scheme {challenge.scheme!r}")
    p = challenge.params
    realm, nonce = p.get("realm", ""), p.get("nonce", "")
    qop = _pick_qop(p.get("qop", ""))
    algorithm = challenge.algorithm
    nc_s = f"{nc:08x}"
    cnonce = cnonce or secrets.token_hex(8)
    response = digest_response(
        algorithm=algorithm,
        username=username,
        realm=realm,
        password=password,
        method=method,
        uri=uri,
        nonce=nonce,
        nc=nc_s,
        cnonce=cnonce,
        qop=qop,
        body=body,
    )
    parts = [
        f"username={_q(username)}",
        f"realm={_q(realm)}",
        f"nonce={_q(nonce)}",
        f"uri={_q(uri)}",
        f"response={_q(response)}",
    ]
    if "algorithm" in p:
        parts.append(f"algorithm={p['algorithm']}")
    if "opaque" in p:
        parts.append(f"opaque={_q(p['opaque'])}")
    if qop:
        parts += [f"qop={qop}", f"nc={nc_s}", f"cnonce={_q(cnonce)}"]
    return "Digest " + ", ".join(parts)


def parse_authorization(value: str) -> Challenge | None:
    """An ``Authorization`` header as scheme + params (Basic's token68 lands in params["token"])."""
    scheme, _, rest = value.strip().partition(" ")
    if not scheme:
        return None
    if scheme.lower() == "basic":
        return Challenge("basic", {"token": rest.strip()})
    parsed = parse_challenges([value])
    return parsed[0] if parsed else None
