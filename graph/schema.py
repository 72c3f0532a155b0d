"""The graph schema, shared by the networkx store and the Neo4j store.

Nodes (``label`` attribute; node id = f"{label}:{key}")

| label      | key          | properties                                                              |
|------------|--------------|-------------------------------------------------------------------------|
| Document   | document id  | title, date (YYYY-MM-DD), year, level, region, doc_number, doc_type,    |
|            |              | in_corpus (False for catalogue-only documents), catalog_id, sha256      |
| Actor      | name         | type (党政机关, 公共卫生机构, 医院, …)                                     |
| Instrument | name         | side (供给型/环境型/需求型)                                                |
| Region     | full name    | level (national/province/city/county)                                   |
| Term       | name         | –                                                                       |
| Disease    | name         | kind (disease / group)                                                  |

Edges (``type`` attribute). Every edge that comes from the text carries the evidence:
``doc_id``, ``clause_id``, ``start``, ``end`` (offsets into the document), ``matched`` and ``source``
(the rule or model that produced it).

| type       | from → to               | meaning                                                        |
|------------|-------------------------|----------------------------------------------------------------|
| ISSUED_BY  | Document → Actor        | issuing body (from metadata; clause_id "" unless named in text) |
| USES       | Document → Instrument   | a clause of the document uses the instrument                    |
| MENTIONS   | Document → Actor/Region/Term/Disease | a clause names it                                  |
| APPLIES_TO | Document → Region       | the document's own jurisdiction (issuer level)                  |
| USED_IN    | Instrument → Region     | mention level: the region a clause names in the instrument's sentence (or the one an earlier sentence opens with, or an anaphor speaks of), the place a short text or a deck's footer names; the instrument set up or told as done (a practice tag); rules in graph.build._add_mention_links |
| CITES      | Document → Document     | a clause cites the other document by title                      |
| CARRIES    | Document → Document     | a wrapper notice (关于印发X的通知) carries X as its attachment     |
| PART_OF    | Region → Region         | county → city → province (gazetteer)                            |
"""
from __future__ import annotations

NODE_LABELS = ("Document", "Actor", "Instrument", "Region", "Term", "Disease")
EDGE_TYPES = ("ISSUED_BY", "USES", "MENTIONS", "APPLIES_TO", "USED_IN", "CITES", "CARRIES", "PART_OF")
NATIONAL = "全国"

# tag kind (mining) → node label
KIND_LABEL = {"instrument": "Instrument", "actor": "Actor", "region": "Region", "term": "Term",
              "disease": "Disease", "group": "Disease"}


def node_id(label: str, key: str) -> str:
    return f"{label}:{key}"


def node_key(node: str) -> str:
    return node.split(":", 1)[1]
