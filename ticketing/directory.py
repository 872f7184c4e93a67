"""The staff directory: who works in which role and unit, and which unit handles what.

Built by the composition root from the configuration; the workflow reads it to decide
who may move a ticket and to whom it goes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

SAPAAN = ("Bapak", "Ibu")


class Role(StrEnum):
    HELP_DESK = "help_desk"
    UNIT_HEAD = "unit_head"
    TECHNICIAN = "technician"
    OFFICIAL = "official"
    HEAD_OF_OFFICE = "head_of_office"
    REPORTER = "reporter"  # not staff: the person who complained, acting by e-mail


ROLE_LABELS = {
    "id": {
        Role.HELP_DESK: "Petugas Help Desk",
        Role.UNIT_HEAD: "Penanggung Jawab Unit",
        Role.TECHNICIAN: "Petugas Teknis",
        Role.OFFICIAL: "Pejabat Terkait",
        Role.HEAD_OF_OFFICE: "Kepala Dinas",
        Role.REPORTER: "Pelapor",
    },
    "en": {
        Role.HELP_DESK: "Help desk officer",
        Role.UNIT_HEAD: "Unit head",
        Role.TECHNICIAN: "Technician",
        Role.OFFICIAL: "Responsible official",
        Role.HEAD_OF_OFFICE: "Head of office",
        Role.REPORTER: "Reporter",
    },
}


@dataclass(frozen=True)
class Staff:
    id: str
    name: str
    email: str
    role: Role
    unit: str | None = None
    title: str = ""
    # How colleagues address them: "Bapak" or "Ibu" ("Mr" / "Ms" in English mail); None:
    # by name and title only, never "Bapak/Ibu <name>".
    sapaan: str | None = None
    # Nomor Induk Pegawai (18 digits), printed under the name on signed forms; "" when unknown.
    nip: str = ""


@dataclass(frozen=True)
class Unit:
    key: str
    name: str
    head: str
    technicians: tuple[str, ...]


@dataclass(frozen=True)
class Directory:
    staff: Mapping[str, Staff]
    units: Mapping[str, Unit]
    routing: Mapping[str, str] = field(default_factory=dict)  # complaint type -> unit key

    def get(self, staff_id: str) -> Staff | None:
        return self.staff.get(staff_id)

    def unit_for_category(self, category: str) -> Unit | None:
        key = self.routing.get(category)
        return self.units.get(key) if key else None

    def with_role(self, role: Role) -> list[Staff]:
        return [s for s in self.staff.values() if s.role == role]

    def superior_of(self, staff_id: str) -> Staff | None:
        """Whom a breached deadline of this person is also reported to."""
        person = self.staff.get(staff_id)
        if person is None:
            return None
        unit = self.units.get(person.unit) if person.unit is not None else None
        if person.role == Role.TECHNICIAN and unit is not None:
            return self.staff.get(unit.head)
        if person.role in (Role.UNIT_HEAD, Role.HELP_DESK):
            officials = self.with_role(Role.OFFICIAL)
            return officials[0] if officials else None
        if person.role == Role.OFFICIAL:
            heads = self.with_role(Role.HEAD_OF_OFFICE)
            return heads[0] if heads else None
        return None
