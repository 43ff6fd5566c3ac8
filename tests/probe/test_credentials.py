from __future__ import annotations

from probe.credentials import redact_url, scrub, split_credentials, url_credentials_win, with_credentials


def test_credentials_are_percent_encoded_into_the_url():
    url = with_credentials("rtsp://10.1.2.3:554/Streaming/Channels/101", "ad min", "p@ss:w/rd%#?")
    assert url == "rtsp://ad%20min:p%40ss%3Aw%2Frd%25%23%3F@10.1.2.3:554/Streaming/Channels/101"
    assert split_credentials(url) == ("rtsp://10.1.2.3:554/Streaming/Channels/101", "ad min", "p@ss:w/rd%#?")


def test_credentials_already_in_the_url_win():
    url = "rtsp://cam:own@10.1.2.3/live"
    assert with_credentials(url, "admin", "other") == url


def test_no_username_leaves_the_url_alone():
    assert with_credentials("rtsp://10.1.2.3/live", None, "pw") == "rtsp://10.1.2.3/live"


def test_ipv6_host_keeps_its_brackets():
    url = with_credentials("rtsp://[fd00::5]:554/live", "u", "p")
    assert url == "rtsp://u:p@[fd00::5]:554/live"


def test_username_without_password():
    assert with_credentials("http://1.2.3.4/snap", "viewer", None) == "http://viewer@1.2.3.4/snap"
    assert split_credentials("http://viewer@1.2.3.4/snap") == ("http://1.2.3.4/snap", "viewer", None)


def test_redacted_url_hides_only_the_password():
    assert redact_url("rtsp://admin:p%40ss@10.1.2.3/live") == "rtsp://admin:***@10.1.2.3/live"
    assert redact_url("rtsp://10.1.2.3/live") == "rtsp://10.1.2.3/live"


def test_scrub_takes_the_password_out_of_a_library_message():
    url = with_credentials("rtsp://10.1.2.3/live", "admin", "p@ss word")
    text = f"Server returned 401 Unauthorized: '{url}' (p@ss word)"
    out = scrub(text, url, "p@ss word")
    assert "p@ss" not in out and "p%40ss" not in out
    assert "rtsp://admin:***@10.1.2.3/live" in out


def test_the_urls_own_credentials_win_over_the_given_ones():
    given = ("admin", "pw")
    assert url_credentials_win("http://cam:p%40w@1.2.3.4/snap", *given) == ("http://1.2.3.4/snap", "cam", "p@w")
    assert url_credentials_win("http://cam@1.2.3.4/snap", *given) == ("http://1.2.3.4/snap", "cam", None)
    assert url_credentials_win("http://1.2.3.4/snap", *given) == ("http://1.2.3.4/snap", "admin", "pw")
