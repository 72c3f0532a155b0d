"""Whether claimed issuing bodies are the document's issuers, related bodies, or others."""
from __future__ import annotations

from functools import lru_cache

from corpus.bodies import body_level_region, load_bodies, local_suffixes
from corpus.gazetteer import load_gazetteer


def issuer_status(claimed: list[str], actual: list[str]) -> tuple[str, list[str]]:
    """ok when every claimed body issued the document (aliases already canonical); uncertain when
    a claimed body is only related (parent, office, predecessor); mismatch otherwise."""
    bodies = load_bodies()
    unmatched = [c for c in claimed if c not in actual and not any(same_local_body(c, a) for a in actual)]
    if not unmatched:
        return "ok", []
    # an office (办公厅 / 办公室) named for the body above it issues its own class of documents
    # (国办发, not 国发): that is a wrong issuer, not a near one
    offices = [c for c in unmatched if _is_office(c, bodies)
               and any(a in _ancestors(c, bodies) for a in actual)
               and not any(_party_equivalent(c, a, bodies) or a in _lineage(c, bodies) for a in actual)]
    if offices:
        return "mismatch", offices
    related = [c for c in unmatched if any(_related(c, a, bodies) for a in actual)]
    if len(related) == len(unmatched):
        equivalent = all(any(_party_equivalent(c, a, bodies) for a in actual) for c in unmatched)
        return ("ok" if equivalent else "uncertain"), related
    return "mismatch", [c for c in unmatched if c not in related]


def is_legislature(name: str) -> bool:
    bodies = load_bodies()
    if name in bodies:
        return bodies[name].type == "legislature"
    return any(s.type == "legislature" and name.endswith(s.canonical) for s in local_suffixes())


def _is_office(name: str, bodies) -> bool:
    return name in bodies and bool(bodies[name].parent) and name.endswith(("办公厅", "办公室"))


@lru_cache(maxsize=4096)
def _local_parts(name: str) -> tuple[str, str] | None:
    """A local body as (canonical local suffix, full name of its region), else None."""
    if name in load_bodies():
        return None
    suffix = next((s.canonical for s in local_suffixes() if name.endswith(s.canonical)), None)
    if suffix is None:
        return None
    if any(m.status == "mismatch" for m in load_gazetteer().find_in_text(name[:-len(suffix)])):
        return None   # 浙江省汕头市…: a wrong parent region is not the same body
    level, region = body_level_region(name)
    return (suffix, region) if region else None


def same_local_body(a: str, b: str) -> bool:
    """广东省汕头市人民代表大会常务委员会 = 汕头市人民代表大会常务委员会: a local body written with
    or without its parent regions is the same body when the region resolves to the same division."""
    if a == b:
        return True
    pa, pb = _local_parts(a), _local_parts(b)
    return bool(pa and pb and pa == pb)


def _ancestors(name: str, bodies) -> list[str]:
    out, seen = [], set()
    while name in bodies and bodies[name].parent and name not in seen:
        seen.add(name)
        name = bodies[name].parent
        out.append(name)
    return out


def _lineage(name: str, bodies) -> set[str]:
    """A body with its predecessors and successors (renamings)."""
    out = {name}
    changed = True
    while changed:
        changed = False
        for b in bodies.values():
            if b.successor in out and b.name not in out:
                out.add(b.name)
                changed = True
            if b.name in out and b.successor and b.successor not in out:
                out.add(b.successor)
                changed = True
    return out


def _related(a: str, b: str, bodies) -> bool:
    return (a in _ancestors(b, bodies) or b in _ancestors(a, bodies) or b in _lineage(a, bodies)
            or _party_equivalent(a, b, bodies))


def _party_equivalent(a: str, b: str, bodies) -> bool:
    """中共中央 stands for any of its Central Committees and their plenums (they issue as 中共中央)."""
    for x, y in ((a, b), (b, a)):
        if x == "中共中央" and y in bodies and bodies[y].type == "party" and "中央委员会" in y:
            return True
    return False
