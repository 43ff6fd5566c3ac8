"""Basic and Digest answers, checked against the worked examples of RFC 2617 and RFC 7616, and the
httpx.Auth built on them (probe.httpauth) against cameras that ask in each way."""

from __future__ import annotations

import httpx
import pytest

from probe.httpauth import CameraAuth
from probe.liveness import auth


def test_rfc2617_md5_qop_auth_example() -> None:
    assert (
        auth.digest_response(
            algorithm="MD5", username="Mufasa", realm="testrealm@host.com", password="Circle Of Life",
            method="GET", uri="/dir/index.html", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
            nc="00000001", cnonce="0a4f113b", qop="auth",
        )
        == "6629fae49393a05397450978507c4ef1"
    )


@pytest.mark.parametrize(
    "algorithm, expected",
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_rfc7616_examples(algorithm, expected) -> None:
    assert (
        auth.digest_response(
            algorithm=algorithm, username="Mufasa", realm="http-auth@example.org", password="Circle of Life",
            method="GET", uri="/dir/index.html", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            nc="00000001", cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop="auth",
        )
        == expected
    )


def test_rfc2069_form_without_qop_hashes_nonce_and_ha2_only() -> None:
    import hashlib

    md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731
    expected = md5(f"{md5('u:r:p')}:n:{md5('DESCRIBE:rtsp://h/s')}")
    got = auth.digest_response(algorithm="MD5", username="u", realm="r", password="p", method="DESCRIBE",
                               uri="rtsp://h/s", nonce="n")
    assert got == expected


def test_several_challenges_in_one_header_are_split_and_digest_is_preferred() -> None:
    found = auth.parse_challenges(['Basic realm="cam", Digest realm="cam", nonce="ab,c", qop="auth,auth-int"'])
    assert [c.scheme for c in found] == ["basic", "digest"]
    assert found[1].params == {"realm": "cam", "nonce": "ab,c", "qop": "auth,auth-int"}
    assert auth.choose(found).scheme == "digest"


def test_sha256_is_preferred_over_md5_and_unknown_schemes_are_skipped() -> None:
    found = auth.parse_challenges(
        ['Negotiate', 'Digest realm="a", nonce="1", algorithm=MD5', 'Digest realm="a", nonce="2", algorithm=SHA-256']
    )
    assert auth.choose(found).params["nonce"] == "2"
    assert auth.choose(auth.parse_challenges(["Negotiate abc=="])) is None


def test_digest_authorization_echoes_opaque_and_counts_requests() -> None:
    ch = auth.parse_challenges(['Digest realm="r", nonce="n", opaque="o\\"q", qop="auth"'])[0]
    value = auth.authorization(ch, username="admin", password="pw", method="DESCRIBE", uri="rtsp://h/s", nc=3,
                               cnonce="c")
    parsed = auth.parse_authorization(value)
    assert parsed.scheme == "digest"
    assert parsed.params["opaque"] == 'o"q' and parsed.params["nc"] == "00000003"
    assert parsed.params["response"] == auth.digest_response(
        algorithm="MD5", username="admin", realm="r", password="pw", method="DESCRIBE", uri="rtsp://h/s",
        nonce="n", nc="00000003", cnonce="c", qop="auth",
    )


def test_basic_is_base64_of_user_colon_password() -> None:
    assert auth.basic_authorization("Aladdin", "open sesame") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="


def test_unsupported_algorithm_is_refused_clearly() -> None:
    with pytest.raises(auth.AuthError, match="SHA-512"):
        auth.digest_response(algorithm="SHA-512", username="u", realm="r", password="p", method="GET", uri="/",
                             nonce="n")


# -- probe.httpauth.CameraAuth: the one httpx.Auth of the http liveness kind and the snapshot source --


def _camera(*challenges: str, check=None):
    """An httpx.MockTransport camera: 401 with ``challenges`` until ``check(authorization, request)`` is
    true; every request's Authorization header (or "") is recorded."""
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        given = request.headers.get("authorization", "")
        seen.append(given)
        if given and check is not None and check(given, request):
            return httpx.Response(200, content=b"ok")
        return httpx.Response(401, headers=[("WWW-Authenticate", c) for c in challenges])

    return httpx.MockTransport(handle), seen


def _digest_ok(given: str, request: httpx.Request, password: str = "pw") -> bool:
    p = auth.parse_authorization(given).params
    return p["response"] == auth.digest_response(
        algorithm=p.get("algorithm", "MD5"), username="admin", realm=p["realm"], password=password,
        method=request.method, uri=p["uri"], nonce=p["nonce"], nc=p.get("nc", ""), cnonce=p.get("cnonce", ""),
        qop=p.get("qop", ""),
    )


@pytest.mark.parametrize(
    "challenges, used",
    [
        (['Digest realm="cam", nonce="n1", qop="auth"'], "digest-md5"),
        (['Basic realm="cam"', 'Digest realm="cam", nonce="n1", qop="auth", algorithm=MD5'], "digest-md5"),
        (['Digest realm="cam", nonce="n1", qop="auth", algorithm=MD5',
          'Digest realm="cam", nonce="n2", qop="auth", algorithm=SHA-256'], "digest-sha-256"),
        (['Digest realm="cam", nonce="n1"'], "digest-md5"),  # RFC 2069 form, no qop
    ],
)
def test_camera_auth_answers_digest_when_offered(challenges, used) -> None:
    transport, seen = _camera(*challenges, check=_digest_ok)
    camera_auth = CameraAuth("admin", "pw")
    with httpx.Client(transport=transport) as client:
        resp = client.get("http://cam.test/ISAPI/Streaming/channels/101/picture?x=1", auth=camera_auth)
    assert resp.status_code == 200
    assert seen[0] == ""  # nothing sent before the camera asked
    assert len(seen) == 2 and seen[1].startswith("Digest ")
    assert auth.parse_authorization(seen[1]).params["uri"] == "/ISAPI/Streaming/channels/101/picture?x=1"
    assert camera_auth.used == used


def test_camera_auth_answers_basic_when_digest_is_not_offered() -> None:
    want = auth.basic_authorization("admin", "p:w@")
    transport, seen = _camera('Negotiate', 'Basic realm="cam"', check=lambda given, _: given == want)
    camera_auth = CameraAuth("admin", "p:w@")
    with httpx.Client(transport=transport) as client:
        resp = client.get("http://cam.test/snap.jpg", auth=camera_auth)
    assert resp.status_code == 200 and seen == ["", want] and camera_auth.used == "basic"


def test_camera_auth_answers_once_and_leaves_a_refusal_to_the_caller() -> None:
    transport, seen = _camera('Digest realm="cam", nonce="n1", qop="auth"',
                              check=lambda given, request: _digest_ok(given, request, password="right"))
    camera_auth = CameraAuth("admin", "wrong")
    with httpx.Client(transport=transport) as client:
        resp = client.get("http://cam.test/snap.jpg", auth=camera_auth)
    assert resp.status_code == 401 and len(seen) == 2 and camera_auth.used == "digest-md5"


def test_camera_auth_sends_nothing_to_a_camera_that_does_not_ask() -> None:
    seen: list[str] = []

    def open_camera(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization", ""))
        return httpx.Response(200)

    camera_auth = CameraAuth("admin", "pw")
    with httpx.Client(transport=httpx.MockTransport(open_camera)) as client:
        assert client.get("http://cam.test/snap.jpg", auth=camera_auth).status_code == 200
    assert seen == [""] and camera_auth.used == "none"


def test_camera_auth_leaves_a_challenge_it_cannot_answer_unanswered() -> None:
    transport, seen = _camera("Negotiate abc==")
    camera_auth = CameraAuth("admin", "pw")
    with httpx.Client(transport=transport) as client:
        assert client.get("http://cam.test/snap.jpg", auth=camera_auth).status_code == 401
    assert seen == [""] and camera_auth.used == "none"
