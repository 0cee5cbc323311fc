"""The dev stack never adopts infrastructure another checkout started (CI once ran against a session's stack)."""

from __future__ import annotations

import socket

import pytest
from intervu_kit.devstack.config import DevSettings
from intervu_kit.devstack.procs import Component, tcp_open
from intervu_kit.devstack.stack import ForeignInfrastructure, _ours


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
