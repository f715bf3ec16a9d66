"""The guarded fetcher refuses every non-public address, also after a redirect."""

import gzip
import ipaddress
import time
import zlib

import pytest

from clearinghouse.core.fetch import (
    FetchError,
    FetchRefused,
    FetchSession,
    FetchTimeout,
    FetchTooLarge,
    Limits,
    address_refusal,
    check_url,
    fetch,
)
from tests.loopback import LoopbackServer, send

REFUSED_URLS = [
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://0.0.0.0/",
    "http://localhost/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "file:///etc/passwd",
    "ftp://example.org/pub/",
    "gopher://example.org/",
    "data:text/plain,hello",
    # Further forms of the same places.
    "http://[fd00:ec2::254]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[64:ff9b::a00:1]/",
    "http://[2002:7f00:1::]/",
    "http://[::]/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://0/",
    "http://127.0.0.1.:80/",
    "https://user:secret@example.org/",
    "javascript:alert(1)",
]

LIMITS = Limits(
    max_bytes=1024 * 1024,
    connect_timeout=2,
    read_timeout=2,
    total_timeout=5,
    max_redirects=3,
)


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_non_public_and_non_http_urls_are_refused(url):
    with pytest.raises(FetchRefused):
        fetch(url, limits=LIMITS)


LOOPBACK_FORMS = {
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://localhost/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://127.0.0.1.:80/",
}


@pytest.mark.parametrize("url", [u for u in REFUSED_URLS if u not in LOOPBACK_FORMS])
def test_the_loopback_allowance_admits_nothing_else(url):
    with pytest.raises(FetchRefused):
        fetch(url, allow_loopback=True, limits=LIMITS)


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_public_addresses_pass_the_check(address):
    assert address_refusal(ipaddress.ip_address(address)) == ""


def test_a_public_ipv4_mapped_address_is_connected_as_ipv4():
    target = check_url("http://[::ffff:8.8.8.8]:8080/x?y=1")
    assert target.address == ipaddress.ip_address("8.8.8.8")
    assert str(target.pinned_url) == "http://8.8.8.8:8080/x?y=1"
    assert target.host_header == "[::ffff:8.8.8.8]:8080"


def _redirect_to(target: str):
    def route(handler):
        send(handler, 302, b"", headers={"Location": target})

    return route


@pytest.mark.parametrize("target", REFUSED_URLS)
def test_a_redirect_to_any_refused_url_is_refused(server, target):
    # The loopback server stands for a public address (allowed for the first
    # hop only); the redirect target is checked without that allowance.
    server.routes["/go"] = _redirect_to(target)
    with pytest.raises(FetchRefused):
        fetch(server.url("/go"), allow_loopback=True, limits=LIMITS)
    assert server.requests == ["/go"]


def test_a_redirect_back_to_the_loopback_server_itself_is_refused(server):
    server.routes["/go"] = _redirect_to(server.url("/ok"))
    server.routes["/ok"] = lambda h: send(h, 200, b"secret")
    with pytest.raises(FetchRefused):
        fetch(server.url("/go"), allow_loopback=True, limits=LIMITS)
    assert server.requests == ["/go"]


def test_loopback_is_refused_without_the_allowance(server):
    server.routes["/ok"] = lambda h: send(h, 200, b"fine")
    with pytest.raises(FetchRefused):
        fetch(server.url("/ok"), limits=LIMITS)
    assert server.requests == []


def test_a_plain_response_is_returned_with_the_host_header_kept(server):
    server.routes["/ok"] = lambda h: send(h, 200, b"fine", content_type="text/xml")
    response = fetch(
        f"http://localhost:{server.port}/ok?a=1",
        allow_loopback=True,
        limits=LIMITS,
    )
    assert (response.status, response.content) == (200, b"fine")
    assert response.header("content-type") == "text/xml"
    assert server.headers[0]["Host"] == f"localhost:{server.port}"
    assert server.requests == ["/ok?a=1"]


def test_error_statuses_are_returned_not_raised(server):
    server.routes["/busy"] = lambda h: send(
        h, 503, b"later", headers={"Retry-After": "7"}
    )
    response = fetch(server.url("/busy"), allow_loopback=True, limits=LIMITS)
    assert response.status == 503
    assert response.header("retry-after") == "7"


def test_gzip_bodies_are_decompressed(server):
    body = b"<x>" + b"a" * 5000 + b"</x>"
    server.routes["/gz"] = lambda h: send(
        h, 200, gzip.compress(body), headers={"Content-Encoding": "gzip"}
    )
    assert fetch(server.url("/gz"), allow_loopback=True, limits=LIMITS).content == body


def test_a_gzip_bomb_is_cut_at_the_cap(server):
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100 * 1024
    server.routes["/bomb"] = lambda h: send(
        h, 200, bomb, headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(FetchTooLarge):
        fetch(server.url("/bomb"), allow_loopback=True, limits=LIMITS)


def test_a_deflate_bomb_is_cut_at_the_cap(server):
    bomb = zlib.compress(b"\0" * (16 * 1024 * 1024), 9)
    server.routes["/bomb"] = lambda h: send(
        h, 200, bomb, headers={"Content-Encoding": "deflate"}
    )
    with pytest.raises(FetchTooLarge):
        fetch(server.url("/bomb"), allow_loopback=True, limits=LIMITS)


def test_a_corrupt_gzip_body_is_an_error(server):
    server.routes["/bad"] = lambda h: send(
        h, 200, b"\x1f\x8bnot gzip at all", headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(FetchError):
        fetch(server.url("/bad"), allow_loopback=True, limits=LIMITS)


def _endless(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/xml")
    handler.end_headers()
    chunk = b"x" * 65536
    for _ in range(200 * 16):  # 200 MB if nobody stops reading
        handler.wfile.write(chunk)


def test_a_huge_streamed_body_is_cut_at_the_cap(server):
    server.routes["/huge"] = _endless
    with pytest.raises(FetchTooLarge):
        fetch(server.url("/huge"), allow_loopback=True, limits=LIMITS)


def test_a_declared_length_past_the_cap_is_refused_before_reading(server):
    def route(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(200 * 1024 * 1024))
        handler.end_headers()
        handler.wfile.write(b"x" * 1000)

    server.routes["/big"] = route
    with pytest.raises(FetchTooLarge):
        fetch(server.url("/big"), allow_loopback=True, limits=LIMITS)


def test_a_slow_server_times_out(server):
    def slow(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        for _ in range(100):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.05)

    server.routes["/slow"] = slow
    limits = Limits(
        max_bytes=1024,
        connect_timeout=1,
        read_timeout=1,
        total_timeout=0.5,
        max_redirects=1,
    )
    with pytest.raises(FetchTimeout):
        fetch(server.url("/slow"), allow_loopback=True, limits=limits)


def test_a_dropped_connection_is_an_error(server):
    def drop(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        handler.wfile.write(b"partial")
        handler.close_connection = True
        handler.connection.shutdown(2)

    server.routes["/drop"] = drop
    with pytest.raises(FetchError):
        fetch(server.url("/drop"), allow_loopback=True, limits=LIMITS)


def test_a_relative_redirect_on_loopback_is_refused(server):
    server.routes["/loop"] = _redirect_to("/loop")
    with pytest.raises(FetchRefused):
        fetch(server.url("/loop"), allow_loopback=True, limits=LIMITS)


def test_redirects_are_bounded(server):
    server.routes["/loop"] = _redirect_to("/loop")
    limits = Limits(
        max_bytes=1024,
        connect_timeout=1,
        read_timeout=1,
        total_timeout=2,
        max_redirects=0,
    )
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/loop"), allow_loopback=True, limits=limits)
    assert "redirects" in caught.value.message


def test_an_unknown_host_is_an_error_not_a_crash():
    with pytest.raises(FetchError) as caught:
        fetch("http://no-such-host.invalid/", limits=LIMITS)
    assert "could not be resolved" in caught.value.message


def test_without_a_session_each_fetch_has_its_own_connection(server):
    server.routes["/ok"] = lambda h: send(h, 200, b"fine")
    for _ in range(3):
        fetch(server.url("/ok"), allow_loopback=True, limits=LIMITS)
    assert len(set(server.clients)) == 3


def test_a_session_keeps_one_connection_per_name_and_address(server):
    server.routes["/ok"] = lambda h: send(h, 200, b"fine")
    by_address = server.url("/ok")
    by_name = f"http://localhost:{server.port}/ok"
    with FetchSession() as session:
        for url in (by_address, by_address, by_name, by_address, by_name):
            response = fetch(url, allow_loopback=True, limits=LIMITS, session=session)
            assert response.content == b"fine"
    ports = [port for _address, port in server.clients]
    # The same name and address share a connection; another name (even one
    # that resolves to the same address) has its own.
    assert ports[0] == ports[1] == ports[3]
    assert ports[2] == ports[4] != ports[0]
    assert [h["Host"] for h in server.headers] == [
        f"127.0.0.1:{server.port}",
        f"127.0.0.1:{server.port}",
        f"localhost:{server.port}",
        f"127.0.0.1:{server.port}",
        f"localhost:{server.port}",
    ]


def test_a_session_recovers_from_a_dropped_connection(server):
    answers = iter(["drop", "ok", "ok"])

    def flaky(handler):
        if next(answers) == "drop":
            handler.close_connection = True
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
            return
        send(handler, 200, b"fine")

    server.routes["/flaky"] = flaky
    with FetchSession() as session:
        with pytest.raises(FetchError):
            fetch(
                server.url("/flaky"),
                allow_loopback=True,
                limits=LIMITS,
                session=session,
            )
        for _ in range(2):
            response = fetch(
                server.url("/flaky"),
                allow_loopback=True,
                limits=LIMITS,
                session=session,
            )
            assert response.content == b"fine"
    assert len(set(server.clients)) == 2


@pytest.mark.parametrize("route", ["declared", "streamed"])
def test_a_response_cut_at_the_cap_is_not_followed_by_its_rest(server, route):
    server.routes["/declared"] = lambda h: send(h, 200, b"x" * (LIMITS.max_bytes + 1))
    server.routes["/streamed"] = _endless
    server.routes["/ok"] = lambda h: send(h, 200, b"fine")
    with FetchSession() as session:
        with pytest.raises(FetchTooLarge):
            fetch(
                server.url(f"/{route}"),
                allow_loopback=True,
                limits=LIMITS,
                session=session,
            )
        response = fetch(
            server.url("/ok"), allow_loopback=True, limits=LIMITS, session=session
        )
    # The next answer is the server's, on a new connection, not the rest of
    # the body cut short.
    assert response.content == b"fine"
    assert len(set(server.clients)) == 2
