"""Camera credentials in URLs: put them in safely, take them out, and keep them out of messages.

One place for every probe and frame source that reads a camera URL. ``split_credentials`` takes the
``user:password@`` out of a URL (percent-decoded); the two rules for which credentials win are named
here too: the frame sources let the URL's own credentials win (``url_credentials_win``), the liveness
kinds let the inventory's username and password each win over the URL's (they apply that rule
field by field after ``split_credentials``)."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit, urlunsplit


def _split_netloc(netloc: str) -> tuple[str | None, str]:
    userinfo, sep, hostport = netloc.rpartition("@")
    return (userinfo if sep else None), hostport


def with_credentials(url: str, username: str | None, password: str | None) -> str:
    """``url`` with ``username:password@`` percent-encoded into it (``@ : / % #`` and the like are
    safe in either). Credentials already in the URL win; without a username the URL is unchanged."""
    parts = urlsplit(url)
    userinfo, hostport = _split_netloc(parts.netloc)
    if userinfo is not None or not username:
        return url
    info = quote(username, safe="")
    if password is not None:
        info += ":" + quote(password, safe="")
    return urlunsplit(parts._replace(netloc=f"{info}@{hostport}"))


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``(url without userinfo, username, password)``, the credentials percent-decoded."""
    parts = urlsplit(url)
    userinfo, hostport = _split_netloc(parts.netloc)
    if userinfo is None:
        return url, None, None
    user, sep, password = userinfo.partition(":")
    bare = urlunsplit(parts._replace(netloc=hostport))
    return bare, unquote(user), (unquote(password) if sep else None)


def url_credentials_win(
    url: str, username: str | None, password: str | None
) -> tuple[str, str | None, str | None]:
    """``(url without userinfo, username, password)``: the URL's own credentials when it names a
    user (its password too, even when it has none), else the given ones."""
    bare, url_user, url_password = split_credentials(url)
    if url_user is not None:
        return bare, url_user, url_password
    return bare, username, password


def redact_url(url: str) -> str:
    """The URL as it may appear in a message or a log: the password replaced by ``***``."""
    parts = urlsplit(url)
    userinfo, hostport = _split_netloc(parts.netloc)
    if userinfo is None:
        return url
    user, sep, _ = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=f"{user}{':***' if sep else ''}@{hostport}"))


def scrub(text: str, url: str, password: str | None = None) -> str:
    """``text`` (a library's error message) with the credentialed URL and the password taken out."""
    text = text.replace(url, redact_url(url))
    for secret in {password, quote(password, safe="") if password else None}:
        if secret and len(secret) >= 3:
            text = text.replace(secret, "***")
    return text
