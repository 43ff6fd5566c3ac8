"""Basic and Digest answers, checked against the worked examples of RFC 2617 and RFC 7616."""

from __future__ import annotations

import pytest

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
