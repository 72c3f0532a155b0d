"""Verify policy citations in a manuscript against the corpus, with evidence (issue 4).

    report = verify_file("paper.docx", store)      # or verify_text(text, store, name)
    report.to_dict()                               # the JSON contract of the issue

Pipeline: find citations (《》 titles, informal names, GB/T 7714 reference entries) → read the
claims around each (year, issuers, 文号, quotations, novelty claims, places) → resolve the
cited document (exact title / short name / wrapper↔attachment / fuzzy) → check each claim.

Modules, in pipeline order: ``claims`` (sentences, quotations, mentions, their claims),
``corpus_view`` (the store and catalogue as the checks see them), ``resolve`` (citation →
document), ``checks`` and ``text_checks`` (with ``issuers``), ``records`` (the report),
``verifier`` (the pipeline).

Statuses: ``ok``; ``mismatch`` (the corpus contradicts the claim); ``not_found`` (nothing in the
corpus matches); ``uncertain`` (the corpus cannot decide: the document's text is not in the
corpus, a near relation rather than a contradiction, a punctuation-only difference in a quotation).
Decisions made here, on purpose:

- a quotation whose words are verbatim but whose punctuation differs is ``uncertain`` (not a
  fabrication, but an editor wants to see it), with the differences listed;
- an issuer that is the parent of the real issuer (国务院 for 国务院办公厅), or its
  predecessor/successor after a renaming, is ``uncertain``; an alias is ``ok``; but an office named
  for the body above it (国务院办公厅 for a 国务院 document) is ``mismatch`` (国办发 ≠ 国发); a
  legislature said to adopt (审议通过/批准) a report it did not issue is ``uncertain``;
- a quotation with no Chinese text (a translation) is ``uncertain``; a yearly series cited
  without its year (《关于做好国家基本公共卫生服务项目工作的通知》) exists, its title ``uncertain``;
- a novelty claim about a catalogue-only document is ``mismatch`` when a corpus text dated before
  it contains the term, else ``uncertain``;
- a year one off the document's date across a new year, or a year the text itself gives as an
  earlier stage (a law's adoption), is ``uncertain``;
- a document known only from the catalogue: ``exists: ok`` with a note that its text is not in
  the corpus; its ``quote`` and ``first_appearance`` checks are ``uncertain``.
"""
from mining.verify.records import (KINDS, PROBLEMS, STATUSES, CitationResult, Check, DocumentRef, Evidence,
                                   VerificationReport)
from mining.verify.verifier import verify_file, verify_manuscript, verify_text

__all__ = ["KINDS", "PROBLEMS", "STATUSES", "Check", "CitationResult", "DocumentRef", "Evidence",
           "VerificationReport", "verify_file", "verify_manuscript", "verify_text"]
