from __future__ import annotations

import errno
import ssl

import httpx
import pytest

from probe.frame.errors import FrameError
from probe.neterrors import classify_oserror, classify_under, find_oserror


def test_socket_errors_map_to_liveness_faults():
    assert classify_oserror(ConnectionRefusedError(errno.ECONNREFUSED, "refused"))[0] == "stream_down"
    assert classify_oserror(OSError(errno.EHOSTUNREACH, "no route"))[0] == "unreachable"
    assert classify_oserror(OSError(errno.ENETUNREACH, "no net"))[0] == "unreachable"
    assert classify_oserror(TimeoutError())[0] == "timeout"


def test_tls_failure_is_stream_down_not_unreachable():
    fault, words = classify_oserror(ssl.SSLCertVerificationError(1, "certificate verify failed"))
    assert fault == "stream_down" and "TLS" in words


def test_the_socket_error_under_a_library_wrapper_is_found():
    try:
        try:
            raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
        except OSError as inner:
            raise httpx.ConnectError("All connection attempts failed") from inner
    except httpx.ConnectError as outer:
        found = find_oserror(outer)
        fault = classify_under(outer)
    assert isinstance(found, ConnectionRefusedError)
    assert fault == ("stream_down", "connection refused")
    assert classify_under(httpx.ConnectError("no socket error under this one")) is None


def test_frame_error_refuses_an_unknown_fault():
    with pytest.raises(ValueError, match="unknown fault 'blurry'"):
        FrameError("blurry", "x")  # type: ignore[arg-type]
