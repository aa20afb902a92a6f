"""Deleting an account removes its part of the network and keeps everyone else's counts right."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from inroad.network.tables import dismissed_suggestions, invitations
from inroad.services import Services
from tests.conftest import People
from tests.factories import connect
from tests.network.helpers import INVITATIONS, connection_count, invitation_id, set_member


async def test_deletion_removes_connections_invitations_and_dismissals(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    leaver, friend, invitee, inviter = [
        await people.make(n) for n in ("Leaver", "Friend", "Invitee", "Inviter")
    ]
    await connect(services, leaver.handle, friend.handle)
    await invitation_id(client, leaver, invitee.handle)
    await invitation_id(client, inviter, leaver.handle)
    await set_member(services, leaver.handle, industry="Fintech")
    await set_member(services, friend.handle, industry="Fintech")
    await client.post(
        f"/api/v1/network/suggestions/{invitee.handle}/dismiss", headers=leaver.headers
    )
    await client.post(
        f"/api/v1/network/suggestions/{leaver.handle}/dismiss", headers=inviter.headers
    )

    r = await client.request(
        "DELETE", "/api/v1/me", json={"password": leaver.password}, headers=leaver.headers
    )
    assert r.status_code == 204
    assert await connection_count(services, friend.handle) == 0
    assert (await client.get(INVITATIONS, headers=invitee.headers)).json()["items"] == []
    assert (
        await client.get(INVITATIONS, params={"direction": "sent"}, headers=inviter.headers)
    ).json()["items"] == []
    async with services.db.read() as conn:
        assert (
            await conn.execute(sa.select(sa.func.count()).select_from(invitations))
        ).scalar_one() == 0
        assert (
            await conn.execute(sa.select(sa.func.count()).select_from(dismissed_suggestions))
        ).scalar_one() == 0
