"""The development Stripe stand-in listens on loopback only: nothing else on the network can
create PaymentIntents or read its objects. Checked from the kernel's own table of listening
sockets (/proc/net/tcp and tcp6), so no traffic leaves 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

LISTEN = "0A"


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as the kernel writes them) with a socket listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == LISTEN:
                found.add(address)
    return found


def test_the_stand_in_listens_on_127_0_0_1_alone(localstripe_server):
    port = urlsplit(localstripe_server).port
    # 127.0.0.1 in the kernel's little-endian hex; python -m localstripe would show the IPv6
    # wildcard 00000000000000000000000000000000 here (every interface, IPv4 included).
    assert listening_addresses(port) == {"0100007F"}
