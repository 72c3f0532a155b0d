"""Exports of the networkx graph: GraphML and GEXF (Gephi, yEd, Cytoscape) and the CSV files that
`neo4j-admin database import full` loads into a new database (the fast path for a first load).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from graph.neo4j_store import fingerprints

FORMATS = ("graphml", "gexf", "neo4j-csv")

# neo4j-admin column types of the properties that are not strings.
NODE_TYPES = {"year": "int", "date": "date", "in_corpus": "boolean"}
EDGE_TYPES_OF_COLUMNS = {"start": "int", "end": "int", "score": "float"}


def export(g: nx.MultiDiGraph, fmt: str, out: Path) -> list[Path]:
    """Write g in fmt to out (a file for graphml/gexf, a directory for neo4j-csv); return the files."""
    out = Path(out)
    if fmt == "graphml":
        return [write_graphml(g, out)]
    if fmt == "gexf":
        return [write_gexf(g, out)]
    if fmt == "neo4j-csv":
        return write_neo4j_csv(g, out).files
    raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")


# -- GraphML / GEXF -------------------------------------------------------------------------------

def _flat(value):
    """GraphML/GEXF hold only scalars: None → "", lists and dicts → "; "-joined text."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return "; ".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return value


def flat_copy(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    h = nx.MultiDiGraph()
    for node, data in g.nodes(data=True):
        h.add_node(node, **{k: _flat(v) for k, v in data.items()})
    for u, v, key, data in g.edges(keys=True, data=True):
        h.add_edge(u, v, key=key, **{k: _flat(v) for k, v in data.items()})
    return h


def write_graphml(g: nx.MultiDiGraph, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(flat_copy(g), path)
    return path


def write_gexf(g: nx.MultiDiGraph, path: Path) -> Path:
    """GEXF gives some names a meaning of its own: a node's `label` is its display name, an edge's `type`
    is directed/undirected, `start`/`end` are time spells, and networkx writes `key` as networkx_key.
    So: label = title (or key), schema_label = the schema label, node_key = key, rel_type = the edge type,
    offset_start/offset_end = the text offsets."""
    flat = flat_copy(g)
    h = nx.MultiDiGraph()
    for node, data in flat.nodes(data=True):
        props = {k: v for k, v in data.items() if k not in ("label", "key")}
        h.add_node(node, label=str(data.get("title") or data["key"]), schema_label=data["label"],
                   node_key=data["key"], **props)
    for u, v, key, data in flat.edges(keys=True, data=True):
        props = {k: v for k, v in data.items() if k not in ("type", "start", "end")}
        h.add_edge(u, v, key=key, id=f"{u}|{v}|{key}", rel_type=data["type"], offset_start=data.get("start", ""),
                   offset_end=data.get("end", ""), **props)
    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_gexf(h, path)
    return path


# -- neo4j-admin CSV ------------------------------------------------------------------------------

@dataclass
class CsvExport:
    directory: Path
    node_files: list[tuple[Path, Path]]             # (header, data): all nodes
    relationship_files: list[tuple[Path, Path]]     # (header, data): all relationships
    multiline: bool = False                         # some value contains a line break

    @property
    def files(self) -> list[Path]:
        return [p for pair in self.node_files + self.relationship_files for p in pair]

    def import_args(self, database: str = "neo4j") -> list[str]:
        """Arguments for neo4j-admin: `neo4j-admin <these>` loads the files into a new database."""
        args = ["database", "import", "full", database, "--overwrite-destination=true", "--id-type=integer",
                f"--multiline-fields={str(self.multiline).lower()}"]
        args += [f"--nodes={h},{d}" for h, d in self.node_files]
        args += [f"--relationships={h},{d}" for h, d in self.relationship_files]
        return args


def write_neo4j_csv(g: nx.MultiDiGraph, directory: Path) -> CsvExport:
    """One file of nodes and one of relationships, each with a header file, because the import tool
    samples every input file before it starts (about 0.1 s each, mostly waiting). Nodes: `:ID` (a
    number, not stored: the import maps integer ids faster than strings, 13.1–13.6 s against
    15.5–17.7 s for a million relationships), `key`, `:LABEL`; relationships: `:START_ID`, `:END_ID`,
    `:TYPE`; typed columns (year:int, date:date, …). A column a node or relationship lacks is left
    empty, which the import reads as no property. Documents carry the fingerprint the Neo4j store
    writes, so a push after the import rewrites nothing."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    prints = fingerprints(g)
    nodes, number = [], {}
    for node, data in g.nodes(data=True):
        number[node] = len(number)
        row = {**data, ":ID": number[node], ":LABEL": data["label"]}
        del row["label"]
        if data["label"] == "Document":
            row["fingerprint"] = prints[data["key"]]
            row["date_text"] = data.get("date")     # as the Neo4j store keeps it (see graph/neo4j_store.py)
        nodes.append(row)
    relationships = [{**data, ":START_ID": number[u], ":END_ID": number[v], ":TYPE": data["type"], "key": str(key)}
                     for u, v, key, data in g.edges(keys=True, data=True)]
    for row in relationships:
        del row["type"]
    node_pair, node_lines = _write_table(directory, "nodes", nodes, [":ID", ":LABEL", "key"], NODE_TYPES)
    rel_pair, rel_lines = _write_table(directory, "relationships", relationships, [":START_ID", ":END_ID", ":TYPE"],
                                       EDGE_TYPES_OF_COLUMNS)
    export = CsvExport(directory, [node_pair], [rel_pair], multiline=node_lines or rel_lines)
    (directory / "import-command.txt").write_text("neo4j-admin " + " ".join(export.import_args()) + "\n")
    return export


def _write_table(directory: Path, stem: str, rows: list[dict], first: list[str],
                 types: dict[str, str]) -> tuple[tuple[Path, Path], bool]:
    """Header and data file; True when a value spans lines (the import then needs --multiline-fields)."""
    columns = first + sorted({k for row in rows for k in row} - set(first))
    header_path, data_path = directory / f"{stem}_header.csv", directory / f"{stem}.csv"
    header_path.write_text(",".join(_typed(c, types) for c in columns) + "\n", encoding="utf-8")
    multiline = False
    with open(data_path, "w", encoding="utf-8", newline="") as f:
        for row in rows:
            line = ",".join(_field(row.get(c)) for c in columns)
            multiline = multiline or "\n" in line or "\r" in line
            f.write(line + "\n")
    return (header_path, data_path), multiline


def _typed(column: str, types: dict[str, str]) -> str:
    return f"{column}:{types[column]}" if column in types else column


def _field(value) -> str:
    """An empty unquoted field is no property (as None is in Neo4j); strings are always quoted, so an
    empty string stays an empty string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        value = "; ".join(map(str, value))
    return '"' + str(value).replace('"', '""') + '"'
