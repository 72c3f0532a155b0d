"""The checks of one citation against its resolved document: exists, title, year, issuer, 文号,
region (quotations and first appearance are in text_checks)."""
from __future__ import annotations

import re

from corpus.bodies import load_bodies
from corpus.text import normalize_doc_number
from mining.verify.claims import ADOPTION_VERBS, Claims, Mention
from mining.verify.corpus_view import EDGES, Corpus, DocInfo
from mining.verify.issuers import is_legislature, issuer_status
from mining.verify.records import Check
from mining.verify.resolve import Resolution, corpus_number_match
from mining.verify.text_checks import check_first_appearance, check_quote


def run_checks(corpus: Corpus, mention: Mention, claims: Claims, res: Resolution, terms: list) -> list[Check]:
    checks: list[Check] = [check_exists(corpus, mention, res)]
    doc = res.doc
    if doc is not None and mention.source != "anaphor":
        checks.append(check_title(mention, res))
    if claims.year is not None and doc is not None:
        checks.append(check_year(corpus, claims.year, doc, res))
    elif claims.year is not None:
        checks.append(Check("year", "uncertain", claims.year, {"note": "the cited document is not found"}))
    if claims.issuers:
        if doc is not None:
            checks.append(check_issuer(corpus, claims.issuers, doc, claims.verb))
        else:
            checks.append(Check("issuer", "uncertain", [w for w, _ in claims.issuers],
                                {"note": "the cited document is not found"}))
    if claims.doc_number:
        checks.append(check_doc_number(corpus, claims.doc_number, doc))
    for quote in claims.quotes:
        checks.append(check_quote(corpus, quote.text, doc))
    if claims.novelty:
        checks.append(check_first_appearance(corpus, claims.novelty, doc, terms))
    for place in claims.places:
        checks.append(check_region(place))
    return checks


def check_exists(corpus: Corpus, mention: Mention, res: Resolution) -> Check:
    doc = res.doc
    if doc is None:
        closest = "; ".join(f"《{t}》 ({s:.0f})" for t, s in res.closest)
        return Check("exists", "not_found", mention.cited,
                     {"closest": [{"title": t, "score": s} for t, s in res.closest],
                      "note": "no document in the corpus or the catalogue matches this title"
                              + (f"; closest titles: {closest}" if closest else "")})
    found = {"doc_id": doc.id, "title": doc.title, "date": doc.date, "in_corpus": doc.in_corpus,
             "matched_by": res.how}
    if res.candidates:
        found["candidates"] = [c.ref().to_dict() for c in res.candidates]
    if doc.in_corpus:
        note = f"in the corpus as {doc.describe()}"
        evidence = corpus.locate(doc.id, [doc.title], edges=EDGES) or corpus.evidence_at(doc.id, 0, 0)
    else:
        note = (f"known from the project catalogue only: {doc.describe()}; its text is not in the corpus, "
                "so quotations and first-appearance claims cannot be checked against it")
        evidence = None
    if res.candidates:
        note += f"; {len(res.candidates)} documents match, chosen by the claims: " + \
                "; ".join(c.describe() for c in res.candidates[:5])
    return Check("exists", "ok", mention.cited, {**found, "note": note}, evidence)


def check_title(mention: Mention, res: Resolution) -> Check:
    doc = res.doc
    found = {"official": doc.title, "matched_by": res.how, "score": res.score}
    if res.how == "series":
        years = "、".join(sorted({c.date[:4] for c in res.candidates if c.date}))
        return Check("title", "uncertain", mention.cited,
                     {**found, "note": f"no document bears this title; it names a yearly series ({years}): "
                      + "; ".join(f"《{c.title}》" for c in res.candidates[:6])})
    if res.how == "fuzzy":
        return Check("title", "mismatch", mention.cited,
                     {**found, "note": f"the official title is 《{doc.title}》 (similarity {res.score:.0f})"})
    how_note = {"official": "the official title", "short": "an accepted short name of",
                "alias": "an abbreviation of", "attachment": "the attached policy carried by",
                "wrapper": "the notice carrying", "base": "the title, without its version mark, of",
                "anaphor": "an abbreviation of"}.get(res.how, "a name of")
    return Check("title", "ok", mention.cited, {**found, "note": f"{how_note} 《{doc.title}》"})


def check_year(corpus: Corpus, claimed: int, doc: DocInfo, res: Resolution) -> Check:
    if doc.year is None:
        return Check("year", "uncertain", claimed, {"year": None, "note": "the document's date is not known"})
    found = {"year": doc.year, "date": doc.date}
    evidence = corpus.locate(doc.id, _date_needles(doc.date), edges=EDGES)
    if claimed == doc.year:
        return Check("year", "ok", claimed, {**found, "note": f"dated {doc.date}"}, evidence)
    if res.candidates and any(c.year == claimed for c in res.candidates if c.id != doc.id):
        return Check("year", "ok", claimed, {**found, "note": "another document of this title is dated so"})
    if res.candidates and not any(c.year == claimed for c in res.candidates):
        return Check("year", "uncertain", claimed,
                     {**found, "note": f"{len(res.candidates)} documents bear this title, none dated {claimed}: "
                      + "; ".join(c.describe() for c in res.candidates[:5])})
    month = int(doc.date[5:7]) if doc.date and len(doc.date) >= 7 else None
    if claimed == doc.year + 1 and (month is None or month >= 11):
        return Check("year", "uncertain", claimed,
                     {**found, "note": f"dated {doc.date}; publication or entry into force may fall in {claimed}"},
                     evidence)
    if doc.in_corpus:
        head = corpus.text(doc.id)[:400]
        at = head.find(f"{claimed}年")
        if at >= 0:
            return Check("year", "uncertain", claimed,
                         {**found, "note": f"dated {doc.date}; its text gives {claimed} for an earlier stage "
                          "(adoption, promulgation or first version)"}, corpus.evidence_at(doc.id, at, at + 5))
    return Check("year", "mismatch", claimed, {**found, "note": f"the document is dated {doc.date}, not {claimed}"},
                 evidence)


_CN_DIGIT = "〇一二三四五六七八九"


def _cn_number(n: int) -> str:
    if n < 10:
        return _CN_DIGIT[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGIT[tens]) + "十" + (_CN_DIGIT[units] if units else "")


def _date_needles(date: str | None) -> list[str]:
    if not date or len(date) < 10:
        return []
    y, m, d = int(date[:4]), int(date[5:7]), int(date[8:10])
    return [f"{y}年{m}月{d}日", "".join(_CN_DIGIT[int(c)] for c in str(y)) + f"年{_cn_number(m)}月{_cn_number(d)}日",
            f"{y}年{m}月"]


def check_issuer(corpus: Corpus, claimed: list[tuple[str, str]], doc: DocInfo, verb: str | None = None) -> Check:
    written = [w for w, _ in claimed]
    canon = [c for _, c in claimed]
    if not doc.issuers:
        return Check("issuer", "uncertain", written, {"issuers": [], "note": "the document's issuer is not known"})
    status, names = issuer_status(canon, doc.issuers)
    if (status == "mismatch" and verb in ADOPTION_VERBS and all(is_legislature(n) for n in names)
            and not any(is_legislature(a) for a in doc.issuers)):
        # 十三届全国人大四次会议审议通过的《政府工作报告》: the congress adopted it, the government issued it
        return Check("issuer", "uncertain", written,
                     {"issuers": doc.issuers, "claimed_canonical": canon,
                      "note": f"{'、'.join(names)} adopted or approved it; it was issued by {'、'.join(doc.issuers)}"})
    found = {"issuers": doc.issuers, "claimed_canonical": canon}
    bodies = load_bodies()
    evidence = corpus.locate(doc.id, [a for i in doc.issuers for a in [i, *(bodies[i].aliases if i in bodies else ())]],
                             edges=EDGES)
    note = {"ok": "issued by " + "、".join(doc.issuers),
            "uncertain": f"{'、'.join(names)} is related to, but not, the issuer {'、'.join(doc.issuers)} "
                         "(parent body, office, or a renamed body)",
            "mismatch": f"{'、'.join(names)} did not issue it; issued by {'、'.join(doc.issuers)}"}[status]
    return Check("issuer", status, written, {**found, "note": note}, evidence)


def check_doc_number(corpus: Corpus, claimed: str, doc: DocInfo | None) -> Check:
    owners = [corpus.docs[d] for d in corpus.owners_of_number(claimed)]
    if doc is None:
        if owners:
            owner = owners[0]
            return Check("doc_number", "mismatch", claimed,
                         {"doc_number": None, "belongs_to": owner.ref().to_dict(),
                          "note": f"{claimed} belongs to {owner.describe()}"},
                         corpus.locate(owner.id, owner.doc_numbers, edges=EDGES))
        return Check("doc_number", "uncertain", claimed, {"doc_number": None, "note": "the cited document is not found"})
    if corpus_number_match(claimed, doc) or any(corpus_number_match(claimed, corpus.docs[m]) for m in doc.family):
        number = next((n for n in doc.doc_numbers if normalize_doc_number(claimed).endswith(n)), claimed)
        return Check("doc_number", "ok", claimed, {"doc_number": "；".join(doc.doc_numbers), "note": f"文号 {number}"},
                     corpus.locate(doc.id, _number_needles(number), edges=EDGES))
    others = [o for o in owners if o.id not in doc.family]
    if others:
        owner = others[0]
        return Check("doc_number", "mismatch", claimed,
                     {"doc_number": "；".join(doc.doc_numbers) or None, "belongs_to": owner.ref().to_dict(),
                      "note": f"{claimed} belongs to another document, {owner.describe()}"
                              + (f"; the cited one is {'；'.join(doc.doc_numbers)}" if doc.doc_numbers else "")},
                     corpus.locate(owner.id, _number_needles(owner.doc_numbers[0]) if owner.doc_numbers else [], edges=EDGES))
    if not doc.doc_numbers:
        located = corpus.locate(doc.id, _number_needles(normalize_doc_number(claimed)), edges=EDGES)
        if located:
            return Check("doc_number", "ok", claimed, {"doc_number": claimed, "note": "stated in the document's text"},
                         located)
        return Check("doc_number", "uncertain", claimed,
                     {"doc_number": None, "note": "the document's 文号 is not known to the corpus or the catalogue"})
    return Check("doc_number", "mismatch", claimed,
                 {"doc_number": "；".join(doc.doc_numbers), "belongs_to": None,
                  "note": f"the document's 文号 is {'；'.join(doc.doc_numbers)}"},
                 corpus.locate(doc.id, _number_needles(doc.doc_numbers[0]), edges=EDGES))


def _number_needles(number: str) -> list[str]:
    m = re.match(r"(.*)〔(\d{4})〕(.*)", number)
    if not m:
        return [number]
    code, year, rest = m.groups()
    return [number] + [f"{code}{o}{year}{c}{rest}" for o, c in ("[]", "【】", "（）", "()", "［］")]


def check_region(place) -> Check:
    status = {"ok": "ok", "mismatch": "mismatch"}.get(place.status, "uncertain")
    division = place.division.full_name if place.division else None
    note = place.note or (f"{place.text} = {division}" if division else place.status)
    return Check("region", status, place.text, {"division": division, "note": note})
