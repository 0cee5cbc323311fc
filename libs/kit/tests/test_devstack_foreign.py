"""The dev stack never adopts infrastructure another checkout started (CI once ran against a session's stack)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from intervu_kit.devstack import stack
from intervu_kit.devstack.config import DevSettings, Paths
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


@pytest.mark.parametrize(
    ("recorded", "new_checkout", "has_files", "kept"),
    [
        ("mine", False, True, True),  # this checkout's database
        ("another", False, True, False),  # a clone at the same path had it: its rows point at files gone with it
        (None, True, False, False),  # from before the marker, found by a fresh clone (CI): not this one's
        (None, False, True, True),  # from before the marker, in a checkout with files of its own: this one's
    ],
)
def test_a_database_made_for_another_checkout_at_the_same_path_is_started_afresh(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, recorded: str | None, new_checkout: bool, has_files: bool,
    kept: bool,
) -> None:  # fmt: skip
    """As root, PostgreSQL's files live outside the checkout under a name made from its path; CI clones to the same
    path each run and found the last run's database, whose cached interviewer clips pointed at files gone with the
    last clone (every video a 404)."""
    home, local = tmp_path / "pg", tmp_path / "checkout" / ".local"
    data = home / "postgres"
    data.mkdir(parents=True)
    (data / "PG_VERSION").write_text("15\n")
    local.mkdir(parents=True)
    if not new_checkout:
        (local / "checkout-id").write_text("mine\n")
    if has_files:
        (local / "data" / "storage").mkdir(parents=True)
    if recorded is not None:
        (home / "checkout-id").write_text(recorded + "\n")
    monkeypatch.setattr(stack, "is_root", lambda: True)
    monkeypatch.setattr(stack, "_pg_home", lambda: home)
    monkeypatch.setattr(stack, "read_pid", lambda name: None)
    monkeypatch.setattr(Paths, "local", local)
    monkeypatch.setattr(Paths, "data", local / "data")
    stack._forget_another_checkouts_database(data, port=_free_port())
    assert (data / "PG_VERSION").exists() is kept
    assert (home / "postgres.other-checkout" / "PG_VERSION").exists() is not kept  # set aside, not deleted
    assert (home / "checkout-id").read_text().strip() == (local / "checkout-id").read_text().strip()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_running_server_keeps_its_database_and_it_is_not_claimed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home, local = tmp_path / "pg", tmp_path / "checkout" / ".local"
    data = home / "postgres"
    data.mkdir(parents=True)
    (data / "PG_VERSION").write_text("15\n")
    (home / "checkout-id").write_text("another\n")
    monkeypatch.setattr(stack, "is_root", lambda: True)
    monkeypatch.setattr(stack, "_pg_home", lambda: home)
    monkeypatch.setattr(stack, "_postgres_running", lambda data, port: True)
    monkeypatch.setattr(Paths, "local", local)
    monkeypatch.setattr(Paths, "data", local / "data")
    stack._forget_another_checkouts_database(data, port=_free_port())
    assert (data / "PG_VERSION").exists()  # never under a running server
    assert (home / "checkout-id").read_text().strip() == "another"  # and not claimed: the next start decides again
