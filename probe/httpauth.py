"""Camera credentials over HTTP: the one ``httpx.Auth`` of every probe that GETs from a camera.

The ``http`` liveness kind and the snapshot frame source (and through it the ONVIF one) both use
:class:`CameraAuth`. It sends nothing before the camera asks: the first request goes out without an
``Authorization`` header, so a password never reaches a server that did not ask for one. On a 401 it
answers the strongest challenge it can, once: Digest when offered (SHA-256 before MD5, their
``-sess`` forms, qop ``auth`` or ``auth-int``, or the RFC 2069 form), else Basic. The challenge
parsing and the Digest arithmetic are probe.liveness.auth's, the same code the RTSP kind answers
with. A second 401 is the camera's verdict on the credentials and is left to the caller.

``used`` names what was answered (``Challenge.name``), as the liveness kind records it in its ``auth``
metric: ``digest-md5``, ``digest-sha-256``, ``digest-md5-sess``..., ``basic``, or ``none`` while the camera
has not asked (or asked only in schemes this client cannot answer). A Digest challenge it cannot
compute (an unknown qop) raises :class:`probe.liveness.auth.AuthError` out of the request.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

from probe.liveness import auth


class CameraAuth(httpx.Auth):
    """Answers a camera's Basic or Digest challenge once, nothing sent before it asks; ``used`` says
    which it answered (``none`` until then)."""

    def __init__(self, username: str, password: str) -> None:
        self.username, self.password = username, password
        self.used = "none"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield request
        if response.status_code != 401:
            return
        challenge = auth.choose(auth.parse_challenges(response.headers.get_list("www-authenticate")))
        if challenge is None:
            return
        request.headers["Authorization"] = auth.authorization(
            challenge,
            username=self.username,
            password=self.password,
            method=request.method,
            uri=request.url.raw_path.decode("ascii"),
        )
        self.used = challenge.name
        if response.cookies:  # a camera that sets a session cookie with its challenge wants it back
            httpx.Cookies(response.cookies).set_cookie_header(request=request)
        yield request
