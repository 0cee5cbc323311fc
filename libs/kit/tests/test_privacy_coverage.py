"""Every table that holds a person's rows is part of their export and deletion: a table added later with a
``user_id`` (or hanging off such a table) fails here until its service declares it in ``privacy.USER_DATA`` or
says in ``kept`` why it stays."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from intervu_kit.privacy import UserData
from intervu_kit.settings import SERVICES, service_hook


def _metadata(service: str) -> sa.MetaData:
    models = service_hook(service, "models")
    assert models is not None, service
    metadata: sa.MetaData = models.Base.metadata
    return metadata


def _user_data(service: str) -> UserData:
    module = service_hook(service, "privacy")
    assert module is not None, f"{service} has no privacy module"
    data = module.USER_DATA
    assert isinstance(data, UserData) and data.service == service
    return data


@pytest.mark.parametrize("service", SERVICES)
def test_every_table_with_a_persons_rows_is_declared(service: str) -> None:
    data = _user_data(service)
    declared = {o.name for o in data.tables}
    personal = {name for name, table in _metadata(service).tables.items() if "user_id" in table.c}
    # Children of a declared table hold the person's rows too (deleted with them, exported with them).
    children = {
        name
        for name, table in _metadata(service).tables.items()
        for fk in table.foreign_keys
        if fk.column.table.name in declared and fk.column.table.name != name
    }
    missing = (personal | children) - declared - set(data.kept)
    assert not missing, f"{service}: declare {sorted(missing)} in privacy.USER_DATA (or say why in `kept`)"
    unknown = (declared | set(data.kept)) - set(_metadata(service).tables)
    assert not unknown, f"{service}: USER_DATA names tables that do not exist: {sorted(unknown)}"


def test_what_is_declared_is_exported_in_an_order_that_deletes_children_first() -> None:
    for service in SERVICES:
        order = [o.name for o in _user_data(service).tables]
        for owned in _user_data(service).tables:
            if owned.through is not None:
                parent = owned.through[1].name
                assert order.index(parent) < order.index(owned.name), (service, owned.name)
