"""Default parcel or building for an identified citizen's land and building documents.

Land and building documents need no identity: the request names the parcel or building. A kiosk
whose catalogue has no way to type an address may instead identify the citizen first; then an
absent ``parcel``/``address`` option defaults to the citizen's own property ("my land",
"my building"), as the simulator documents in docs/protocols/backend-api.md.
"""

from __future__ import annotations

from sim.backend.records import BUILDINGS, PARCELS, current_owner


def default_place_options(document_code: str, owner: str) -> dict[str, str]:
    """Options naming ``owner``'s first matching property, or {} if they own none."""
    if document_code in ("land-register", "forest-register", "land-use-plan", "land-price"):
        forest = {"land-register": False, "forest-register": True}.get(document_code)
        for parcel in PARCELS:
            if current_owner(parcel.owners).owner == owner and forest in (None, parcel.forest):
                return {"parcel": parcel.address}
        return {}
    if document_code == "building-register-general":
        for building in BUILDINGS:
            if not building.collective and current_owner(building.owners).owner == owner:
                return {"address": building.road_address}
    if document_code == "building-register-collective":
        for building in BUILDINGS:
            for unit in building.units:
                if current_owner(unit.owners).owner == owner:
                    return {"address": building.road_address, "unit": f"{unit.dong} {unit.ho}"}
    return {}
