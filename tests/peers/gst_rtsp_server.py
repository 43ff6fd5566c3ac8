#!/usr/bin/python3
"""A real RTSP server for camsla's tests: GStreamer's gst-rtsp-server through Debian's python3-gi.

Runs under /usr/bin/python3 (the GObject bindings are Debian's, not the project venv's) as a
subprocess of the test. Prints "READY <port>" on stdout once it listens.

    gst_rtsp_server.py --port 0 --pattern smpte|black|ball --codec mjpeg|h264 [--user U --password P]
                       [--auth basic|digest] [--path /test]
"""

import argparse
import socket
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--pattern", default="smpte")
    ap.add_argument("--codec", choices=["mjpeg", "h264"], default="mjpeg")
    ap.add_argument("--path", default="/test")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--auth", choices=["basic", "digest"], default="basic")
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=360)
    args = ap.parse_args()

    Gst.init(None)
    port = args.port or free_port()
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(port))

    src = (
        f"videotestsrc is-live=true pattern={args.pattern} ! "
        f"video/x-raw,format=I420,width={args.width},height={args.height},framerate=10/1"
    )
    if args.codec == "mjpeg":
        launch = f"( {src} ! jpegenc ! rtpjpegpay name=pay0 pt=26 )"
    else:
        launch = (
            f"( {src} ! openh264enc gop-size=20 ! h264parse ! "
            "rtph264pay name=pay0 pt=96 config-interval=1 )"
        )
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)
    factory.set_shared(True)

    if args.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
        if args.auth == "digest":
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
            auth.add_digest(args.user, args.password or "", token)
        else:
            basic = GstRtspServer.RTSPAuth.make_basic(args.user, args.password or "")
            auth.add_basic(basic, token)
        server.set_auth(auth)
        perms = GstRtspServer.RTSPPermissions()
        perms.add_role("user")
        perms.add_permission_for_role("user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
        perms.add_permission_for_role("user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
        factory.set_permissions(perms)

    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print(f"FAILED to listen on {port}", flush=True)
        sys.exit(1)
    print(f"READY {port}", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
