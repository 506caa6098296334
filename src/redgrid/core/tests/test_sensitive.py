"""Sensitive resident fields: encrypted at rest, masked in lists, revealed only through an audited action."""

import pytest
from django.db import connection

from redgrid.core.models import AuditLog
from redgrid.regions.models import Resident

pytestmark = pytest.mark.django_db


def test_id_numbers_and_phones_are_not_stored_in_plaintext(world):
    person = world.residents["A1-00"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_enc, phone_enc, id_number_hash FROM regions_resident WHERE id = %s", [person.pk])
        enc_id, enc_phone, id_hash = cursor.fetchone()
    from redgrid.core.crypto import reveal_value

    plain_id = reveal_value(person, "id_number")
    assert plain_id not in enc_id and plain_id not in id_hash
    assert reveal_value(person, "phone") not in enc_phone


def test_an_exact_lookup_by_phone_uses_the_hash(world):
    from redgrid.core.crypto import lookup_hash

    person = world.residents["A1-00"]
    from redgrid.core.crypto import reveal_value

    found = Resident.objects.get(phone_hash=lookup_hash(reveal_value(person, "phone")))
    assert found == person


def test_the_resident_list_shows_masked_values_only(world, client):
    client.force_login(world.user("gridworker"))
    person = world.residents["A1-00"]
    from redgrid.core.crypto import reveal_value

    html = client.get("/regions/residents/").content.decode()
    assert reveal_value(person, "phone") not in html
    assert "*******" + reveal_value(person, "phone")[-4:] in html


def test_the_resident_list_finds_a_person_by_full_phone_number(world, client):
    from redgrid.core.crypto import reveal_value

    client.force_login(world.user("community"))
    person = world.residents["A2-10"]
    html = client.get("/regions/residents/", {"q": reveal_value(person, "phone")}).content.decode()
    assert person.name in html and world.residents["A2-00"].name not in html


def test_revealing_a_field_shows_it_and_writes_an_audit_row(world, client):
    from redgrid.core.crypto import reveal_value

    client.force_login(world.user("gridworker"))
    person = world.residents["A1-00"]
    response = client.post(f"/regions/residents/{person.pk}/reveal/id_number/")
    assert reveal_value(person, "id_number") in response.content.decode()
    row = AuditLog.objects.get(action="reveal")
    assert row.actor_name == "gridworker" and row.summary["field"] == "id_number" and row.object_id == str(person.pk)


def test_revealing_outside_the_subtree_is_404_and_not_audited(world, client):
    client.force_login(world.user("outsider_gridworker"))
    response = client.post(f"/regions/residents/{world.residents['A1-00'].pk}/reveal/id_number/")
    assert response.status_code == 404
    assert not AuditLog.objects.filter(action="reveal").exists()


def test_a_role_without_the_need_cannot_reveal(world, client):
    # a leader reads figures, not personal data
    client.force_login(world.user("leader"))
    response = client.post(f"/regions/residents/{world.residents['A1-00'].pk}/reveal/phone/")
    assert response.status_code in (403, 404)
    assert not AuditLog.objects.filter(action="reveal").exists()


def test_revealing_requires_post(world, client):
    client.force_login(world.user("gridworker"))
    assert client.get(f"/regions/residents/{world.residents['A1-00'].pk}/reveal/phone/").status_code == 405


def test_tags_are_encrypted_and_revealed_as_a_list(world, client):
    client.force_login(world.user("street"))
    tagged = next(r for r in world.residents.values() if r.tags_enc)
    response = client.post(f"/regions/residents/{tagged.pk}/reveal/tags/")
    assert "低保" in response.content.decode()
    assert "低保" not in tagged.tags_enc
