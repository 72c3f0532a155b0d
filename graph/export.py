"""Exports of the networkx graph: GraphML and GEXF (Gephi, yEd, Cytoscape) and the CSV files that
`neo4j-admin database import full` loads into a new database (the fast path for a first load).
"""
from __future__ import annotations

from collections import defaultdict
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
    node_files: list[tuple[Path, Path]]             # (header, data) per label
    relationship_files: list[tuple[Path, Path]]     # (header, data) per (type, start label, end label)

    @property
    def files(self) -> list[Path]:
        return [p for pair in self.node_files + self.relationship_files for p in pair]

    def import_args(self, database: str = "neo4j") -> list[str]:
        """Arguments for neo4j-admin: `neo4j-admin <these>` loads the files into a new database."""
        args = ["database", "import", "full", database, "--overwrite-destination=true",
                "--multiline-fields=true"]
        args += [f"--nodes={h},{d}" for h, d in self.node_files]
        args += [f"--relationships={h},{d}" for h, d in self.relationship_files]
        return args


def write_neo4j_csv(g: nx.MultiDiGraph, directory: Path) -> CsvExport:
    """One header file and one data file per label and per relationship shape. Nodes: `key:ID(Label)`
    (the key property, in the label's id space) and `:LABEL`; relationships: `:START_ID(Label)`,
    `:END_ID(Label)`, `:TYPE`; typed columns (year:int, date:date, …). Documents carry the fingerprint
    the Neo4j store writes, so a push after the import rewrites nothing."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    prints = fingerprints(g)
    nodes: dict[str, list[dict]] = defaultdict(list)
    for _, data in g.nodes(data=True):
        row = {k: v for k, v in data.items() if k != "label"}
        if data["label"] == "Document":
            row["fingerprint"] = prints[data["key"]]
            row["date_text"] = data.get("date")     # as the Neo4j store keeps it (see graph/neo4j_store.py)
        nodes[data["label"]].append(row)
    node_files = [_write_nodes(directory, label, rows) for label, rows in sorted(nodes.items())]

    shapes: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for u, v, key, data in g.edges(keys=True, data=True):
        a, b = g.nodes[u], g.nodes[v]
        row = {k: v for k, v in data.items() if k != "type"}
        row.update({"key": str(key), ":START_ID": a["key"], ":END_ID": b["key"]})
        shapes[(data["type"], a["label"], b["label"])].append(row)
    rel_files = [_write_relationships(directory, shape, rows) for shape, rows in sorted(shapes.items())]
    export = CsvExport(directory, node_files, rel_files)
    (directory / "import-command.txt").write_text("neo4j-admin " + " ".join(export.import_args()) + "\n")
    return export


def _write_nodes(directory: Path, label: str, rows: list[dict]) -> tuple[Path, Path]:
    columns = _columns(rows, first=["key"])
    header = [f"key:ID({label})"] + [_typed(c, NODE_TYPES) for c in columns[1:]] + [":LABEL"]
    data = [[row.get(c) for c in columns] + [label] for row in rows]
    return _write_pair(directory, f"nodes_{label}", header, data)


def _write_relationships(directory: Path, shape: tuple[str, str, str], rows: list[dict]) -> tuple[Path, Path]:
    edge_type, start_label, end_label = shape
    columns = _columns(rows, first=[":START_ID", ":END_ID", "key"])
    header = [f":START_ID({start_label})", f":END_ID({end_label})"] + \
        [_typed(c, EDGE_TYPES_OF_COLUMNS) for c in columns[2:]] + [":TYPE"]
    data = [[row.get(c) for c in columns] + [edge_type] for row in rows]
    return _write_pair(directory, f"rels_{edge_type}_{start_label}_{end_label}", header, data)


def _columns(rows: list[dict], first: list[str]) -> list[str]:
    rest = sorted({k for row in rows for k in row} - set(first))
    return first + rest


def _typed(column: str, types: dict[str, str]) -> str:
    return f"{column}:{types[column]}" if column in types else column


def _write_pair(directory: Path, stem: str, header: list[str], rows: list[list]) -> tuple[Path, Path]:
    header_path, data_path = directory / f"{stem}_header.csv", directory / f"{stem}.csv"
    header_path.write_text(",".join(header) + "\n", encoding="utf-8")
    with open(data_path, "w", encoding="utf-8", newline="") as f:
        for row in rows:
            f.write(",".join(_field(v) for v in row) + "\n")
    return header_path, data_path


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
