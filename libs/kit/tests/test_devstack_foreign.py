"""The dev stack never adopts infrastructure another checkout started (CI once ran against a session's stack)."""

from __future__ import annotations

import socket

import pytest
from intervu_kit.devstack.config import DevSettings
from intervu_kit.devstack.procs import Component, tcp_open
from intervu_kit.devstack.stack import (
    ForeignInfrastructure,
    _ours,
    foreign_product_ports,
    require_own_product_ports,
)


def test_a_server_this_checkout_did_not_start_is_refused_unless_shared_infra_is_asked_for() -> None:
    with socket.socket() as listener:  # someone else's server on "our" port
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        comp = Component("foreign-postgres", ["true"], ready=lambda: tcp_open("127.0.0.1", port))
        assert comp.ready() and not comp.running()
        with pytest.raises(ForeignInfrastructure, match="this checkout did not start it"):
            _ours(comp, DevSettings())
        _ours(comp, DevSettings(dev_shared_infra=True))  # your own servers, on purpose


def test_a_product_this_checkout_did_not_start_is_neither_taken_for_ours_nor_reused() -> None:
    """`intervu-dev run` (a service is "ready" when its port answers) and the browser and fault suites (they reuse a
    product serving https://localhost:8443) once talked to another checkout's product."""
    with socket.socket() as listener:  # another checkout's HTTPS proxy on the product's port
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        settings = DevSettings(https_port=port)
        assert port in foreign_product_ports(settings)
        with pytest.raises(ForeignInfrastructure, match=rf"port {port} answer.*did not start"):
            require_own_product_ports(settings)
        require_own_product_ports(DevSettings(https_port=port, dev_shared_infra=True))
