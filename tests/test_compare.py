"""compare(): the verdict other stages rely on, and its JSON contract (DESIGN.md)."""

import json

from monitor.compare import Comparison, compare
from monitor.model import Clause, PolicyDocument

SEC = ("Privacy Policy", "Sharing")


def doc(*texts, title="Acme Privacy Policy"):
    return PolicyDocument(
        clauses=(
            Clause(("Privacy Policy",), "heading", "Sharing"),
            *(Clause(SEC, "paragraph", t) for t in texts),
        ),
        title=title,
    )


OLD = doc(
    "We do not sell your personal information to data brokers.",
    "We keep your messages for 30 days.",
    "Write to privacy@acme.example with questions.",
)


def test_same_version_is_no_change():
    c = compare(OLD, OLD)
    assert not c.material and c.changes == [] and c.score == 0
    assert c.summary.startswith("No change")


def test_json_contract_exactly():
    new = doc(
        "We sell your personal information to data brokers.",
        "We keep your messages for 30 days.",
        "Write to privacy@acme.example with questions.",
    )
    d = compare(OLD, new).to_dict()
    assert set(d) == {"material", "score", "summary", "old", "new", "changes"}
    assert set(d["old"]) == {"title", "effective_date", "clauses"}
    assert d["old"] == {"title": "Acme Privacy Policy", "effective_date": None, "clauses": 4}
    assert d["material"] is True and 0.5 <= d["score"] <= 1
    [ch] = d["changes"]
    assert set(ch) == {"kind", "section", "old", "new", "material", "categories", "reason"}
    assert ch["kind"] == "modified" and ch["section"] == "Privacy Policy > Sharing"
    assert "third-party-sharing" in ch["categories"]
    assert "not" in ch["reason"]
    json.dumps(d)  # plain JSON types only


def test_detail_dict_round_trips():
    new = doc(
        "We do not sell your personal information to data brokers.",
        "We keep your messages for 5 years.",
        "We share your location with advertising partners.",
    )
    c = compare(OLD, new)
    detail = c.to_detail_dict()
    back = Comparison.from_detail_dict(json.loads(json.dumps(detail)))
    assert back.to_detail_dict() == detail
    mod = next(ch for ch in detail["changes"] if ch["kind"] == "modified")
    assert ["delete", "30 days"] in mod["word_ops"] and ["insert", "5 years"] in mod["word_ops"]
    assert mod["old_section"] == mod["new_section"] == "Privacy Policy > Sharing"
    assert c.categories == sorted(
        c.categories,
        key=[
            "first-party-collection",
            "third-party-sharing",
            "user-choice",
            "user-access",
            "data-retention",
            "data-security",
            "policy-change",
            "do-not-track",
            "specific-audiences",
            "other",
        ].index,
    )
    assert {"third-party-sharing", "data-retention"} <= set(c.categories)


def test_material_score_and_summary():
    new = doc(
        "We do not sell your personal information to data brokers.",
        "We keep your messages for 5 years.",
        "Write to privacy@acme.example with questions.",
    )
    c = compare(OLD, new)
    assert c.material and c.score >= 0.5
    assert "extends retention from 30 days to 5 years" in c.summary


def test_cosmetic_only_scores_below_half():
    new = doc(
        "We do not sell your personal information to data-brokers!",
        "We keep your mesages for 30 days.",
        "Write to privacy@acme.example with questions.",
    )
    c = compare(OLD, new)
    assert not c.material and 0 < c.score < 0.5 and c.summary.startswith("No material change")


def test_rewrite_is_one_material_change():
    # Both sides read as a policy: a side that does not is a wrong capture (labelling B13).
    old = doc(
        *[f"We collect your e-mail address {i} and retain it for {i} months." for i in range(12)]
    )
    new = doc(*[f"We collect device identifier {i} and share it with partners." for i in range(12)])
    c = compare(old, new)
    assert c.rewrite and c.material and len(c.changes) == 1
    assert c.changes[0].reason.startswith("rewrites the policy")
    assert "third-party-sharing" in c.categories


def test_summary_says_a_repeated_edit_once_with_its_count():
    def doc(age: str) -> PolicyDocument:
        return PolicyDocument(
            clauses=tuple(
                Clause(
                    ("Sharing",),
                    "paragraph",
                    f"With respect to users under the age of {age}, we do not disclose personal "
                    f"data to {partner} partners by default.",
                )
                for partner in ("advertising", "marketing")
            )
        )

    result = compare(doc("16"), doc("18"))
    assert result.material and len(result.changes) == 2
    reason = result.changes[0].reason
    assert result.summary.count(reason) == 1
    assert f"{reason} (in 2 clauses)" in result.summary


def test_score_comes_from_the_structured_verdict_not_the_reason_wording():
    # A clause added on web beacons quotes 'drops “' and 'sale of' in its reason; the score
    # used to read those words as a strong change. It now reads each change's verdict.
    from monitor.compare import _score
    from monitor.diff import ClauseChange

    quoted = ClauseChange(
        kind="added",
        section="Cookies",
        old=None,
        new="x",
        material=True,
        reason="adds a clause on cookies: “This drops “beacons” before any sale of…”",
        rule="clause",
        strength=0.5,
    )
    strong = ClauseChange(
        kind="modified",
        section="Sharing",
        old="a",
        new="b",
        material=True,
        reason="rewords the clause",
        rule="negation",
        strength=1.0,
    )
    assert _score([quoted]) < _score([strong])
    assert _score([quoted]) == _score(
        [ClauseChange("added", "", None, "y", material=True, strength=0.5)]
    )


def test_verdict_fields_name_the_rule_and_its_weight():
    new = doc(
        "We may sell your personal information to data brokers.",
        "We keep your messages for 30 days.",
        "Write to privacy@acme.example with questions.",
    )
    (ch,) = compare(OLD, new).material_changes
    assert (ch.rule, ch.strength) == ("negation", 1.0)
    assert "not" in ch.evidence
    d = ch.to_detail_dict()
    assert d["rule"] == "negation" and d["strength"] == 1.0
    assert "rule" not in ch.to_dict()  # the DESIGN.md contract is unchanged


def test_summary_grammar_for_one_and_for_several_other_changes():
    one = doc(
        "We may sell your personal information to data brokers.",
        "We keep your mesages for 30 days.",
        "Write to privacy@acme.example with questions.",
    )
    c = compare(OLD, one)
    assert c.summary.endswith("The other one is cosmetic or carries no data practice."), c.summary
    two = doc(
        "We may sell your personal information to data brokers.",
        "We keep your mesages for 30 days.",
        "Write to privacy@acme.example with any questions!",
    )
    c = compare(OLD, two)
    assert c.summary.endswith("The other 2 are cosmetic or carry no data practice."), c.summary
