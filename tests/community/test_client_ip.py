"""The client address behind reverse proxies: X-Forwarded-For is believed only from
TRUSTED_PROXIES, walked from the right, so clients behind a proxy get their own buckets."""

from __future__ import annotations

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from community.ratelimit import client_ip
from dailypapers.env import REGISTRY, env_networks

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


@pytest.fixture
def behind_proxy(settings) -> None:
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("::1")]


def request_from(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from(PROXY, "198.51.100.1")) == PROXY


@pytest.mark.usefixtures("behind_proxy")
@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        (PROXY, "198.51.100.1", "198.51.100.1"),
        # A client's own X-Forwarded-For is to the left of what our proxy appended.
        (PROXY, "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        # Two trusted hops: the first untrusted address from the right is the client.
        (PROXY, "198.51.100.1, 10.0.0.9", "198.51.100.1"),
        ("::1", "2001:db8::7", "2001:db8::7"),
        # Only trusted hops: the leftmost one is the client (a request from inside).
        (PROXY, "10.0.0.8", "10.0.0.8"),
        # Garbage where a proxy of ours would have written an address: the last good hop.
        (PROXY, "198.51.100.1, not-an-ip", PROXY),
        (PROXY, None, PROXY),
        (PROXY, "", PROXY),
        # An untrusted peer cannot choose its address by sending the header.
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),
    ],
)
def test_forwarded_for_is_walked_from_the_right(peer, forwarded, expected):
    assert client_ip(request_from(peer, forwarded)) == expected


@pytest.mark.usefixtures("behind_proxy")
def test_clients_behind_the_proxy_have_their_own_rate_limit(settings, frozen):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": (2, 60)}
    alice = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    bob = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")
    answers = [alice.post("/accounts/signup/", {"username": "x"}).status_code for _ in range(3)]
    assert answers == [400, 400, 429]
    assert bob.post("/accounts/signup/", {"username": "x"}).status_code == 400
    # Spoofing another address in front of the proxy's entry does not escape the limit.
    spoofed = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="7.7.7.7, 198.51.100.1")
    assert spoofed.post("/accounts/signup/", {"username": "x"}).status_code == 429


def test_trusted_proxies_setting_is_parsed_and_checked(monkeypatch):
    doc = REGISTRY["TRUSTED_PROXIES"].doc  # the declaration in settings.py
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1 ,::1")
    assert [str(n) for n in env_networks("TRUSTED_PROXIES", doc=doc)] == [
        "10.0.0.0/8",
        "127.0.0.1/32",
        "::1/128",
    ]
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8,proxy.local")
    with pytest.raises(ImproperlyConfigured, match=r"TRUSTED_PROXIES: 'proxy\.local'"):
        env_networks("TRUSTED_PROXIES", doc=doc)
