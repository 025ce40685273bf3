"""Is this capture the policy? Evidence that holds across sites and languages (pure).

A policy URL sometimes answers with something else: the site's home page or a landing
page, an error or maintenance page, a login or consent wall, another document. Recorded as
a version, such a page reads as "the policy was rewritten: 0 of 107 clauses kept", and its
return as a second rewrite. The evidence used here is what any policy shares, never a
site's name:

- policy vocabulary: how densely the text speaks of personal data, processing, sharing,
  rights, cookies, consent, retention (English, French, German, Spanish, Italian, Dutch,
  Portuguese);
- the title and first headings: "Privacy Policy", "Politique de confidentialité",
  "Datenschutzerklärung"…; on a page with neither, its first lines ("This Privacy
  Statement explains…");
- similarity to the current version: the share of its clauses still there;
- length against the current version.

An edit of the current version (enough of its clauses kept) is always the policy. A text
that keeps (almost) nothing of it is the policy only if it reads as one: its vocabulary at
least MIN_DENSITY, and not a fraction of its length unless titled as a policy. A genuine
rewrite of a policy passes; a home page or a wall does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.model import PolicyDocument

# Stems and phrases that policy text is dense with; matched on casefolded text at word
# starts, so "traitement" and "Verarbeitung" count whatever their ending.
_TERMS = [
    # English
    r"personal (?:data|information)",
    r"privacy",
    r"data protection",
    r"process(?:es|ed|ing)?\b",
    r"collect",
    r"shar(?:e|es|ed|ing)\b",
    r"third[- ]part",
    r"cookie",
    r"consent",
    r"retain",
    r"retention",
    r"disclos",
    r"controller",
    r"gdpr",
    r"opt[- ]out",
    r"your rights?\b",
    r"information we",
    # French
    r"données",
    r"vie privée",
    r"confidentialit",
    r"traitement",
    r"trait(?:er|ons|ées?)\b",
    r"collect",
    r"partag",
    r"tiers\b",
    r"consentement",
    r"conserv",
    r"vos droits",
    r"responsable du traitement",
    r"rgpd",
    r"cnil",
    # German
    r"personenbezogen",
    r"datenschutz",
    r"verarbeit",
    r"erheb",
    r"erhoben",
    r"weitergabe",
    r"weitergeben",
    r"dritt",
    r"einwilligung",
    r"speicher",
    r"ihre rechte",
    r"verantwortlich",
    r"dsgvo",
    r"daten\b",
    # Spanish, Italian, Dutch, Portuguese
    r"datos personales",
    r"privacidad",
    r"tratamiento",
    r"dati personali",
    r"trattamento",
    r"persoonsgegevens",
    r"verwerking",
    r"dados pessoais",
    r"privacidade",
]
_TERM = re.compile(r"(?<!\w)(?:" + "|".join(sorted(set(_TERMS), key=len, reverse=True)) + ")")
# What a policy's title says it is.
_TITLE = re.compile(
    r"privacy|personal (?:data|information)|data protection|cookie"
    r"|confidentialit|vie privée|données personnelles|protection des données"
    r"|datenschutz|privatsphäre|personenbezogen"
    r"|privacidad|privacidade|riservatezza|privacy|dati personali|gegevensbescherming"
)
# What a heading that names a document says it is: a privacy word (_TITLE) with one of these.
# German compounds ("Datenschutzerklärung") end in theirs; the others start a word.
_DOCUMENT = re.compile(
    r"erklärung|hinweise|(?<!\w)(?:polic(?:y|ies)|notice|statement|politique|déclaration|avis"
    r"|informativa|política|aviso|verklaring|beleid|regeling)\b"
)
_WORD = re.compile(r"\w+")

# Policy text is dense with these (about 5 to 9 per 100 words in the capture histories);
# a home page, an error page or a login wall rarely reaches 1.5.
MIN_DENSITY = 1.5
# A text that keeps less than this share of the current version's clauses is not an edit
# of it; it has to read as a policy on its own.
MIN_KEPT = 0.2
# A short page whose headings name at least this many privacy documents is a hub that lists
# and links them (labelling guide B13), not one of them.
HUB_MIN_DOCUMENTS = 2
# Against the current version's length, what a rewrite of it still reaches. (Density is
# not compared with the current version's: real policies range from 2.6 to 9.7 terms per
# 100 words, so a rewrite may legitimately halve it; home pages sit near 0.3.)
MIN_LENGTH_RATIO = 0.2


@dataclass(frozen=True, slots=True)
class Evidence:
    words: int
    density: float  # policy terms per 100 words
    titled: bool  # the title or an early heading names a policy
    title: str


def evidence(doc: PolicyDocument) -> Evidence:
    text = " ".join(c.key for c in doc.clauses)
    words = len(_WORD.findall(text))
    hits = len(_TERM.findall(text))
    heads = [doc.title or ""] + [c.text for c in doc.headings[:3]]
    titled = any(_TITLE.search(h.casefold()) for h in heads if h)
    title = next((h for h in heads if h), "")
    return Evidence(words, 100 * hits / max(words, 1), titled, title)


def kept_share(doc: PolicyDocument, reference: PolicyDocument) -> float:
    """The share of the reference's body clauses that `doc` holds word for word."""
    ref = {c.key for c in reference.body}
    if not ref:
        return 0.0
    return len(ref & {c.key for c in doc.body}) / len(ref)


def not_policy(doc: PolicyDocument, reference: PolicyDocument | None = None) -> str | None:
    """Why `doc` is not the policy (current version `reference`), or None if it is."""
    ev = evidence(doc)
    what = _describe(ev)
    if reference is None:
        if ev.density < MIN_DENSITY and not ev.titled:
            return f"the page does not read as a privacy policy ({what})"
        return None
    kept = kept_share(doc, reference)
    if kept >= MIN_KEPT:
        return None
    ref = evidence(reference)
    shared = f"{round(100 * kept)} % of the current version's clauses kept"
    if ev.density < MIN_DENSITY:
        return (
            f"{shared}, and the page does not read as a privacy policy ({what};"
            f" the policy: {ref.density:.1f} per 100 words)"
        )
    if ev.words < MIN_LENGTH_RATIO * ref.words:
        short = f"{shared}, and the page has {ev.words} words against the policy's {ref.words}"
        if not ev.titled:
            # A wall or an error page that happens to speak of cookies and consent.
            return short
        # Titled as a policy, a short text is left to the shrink check (monitor.check),
        # unless it lists several privacy documents by name: a hub page that links them.
        named = documents_named(doc)
        if len(named) >= HUB_MIN_DOCUMENTS:
            listed = ", ".join(f"“{h[:60]}”" for h in named[:3])
            return f"{short}; it lists {len(named)} notices by name ({listed}): a hub page"
    if ref.titled and not ev.titled and not opens_as_policy(doc):
        return f"{shared}, and the page is titled “{ev.title[:80]}”, not as a policy"
    return None


# How far into the page's first clause its opening may name the policy.
_OPENING_CHARS = 200


def opens_as_policy(doc: PolicyDocument) -> bool:
    """Whether the page's first lines name it a privacy document where it has no title:
    "This Privacy Statement explains our practices…", "World Market Privacy Policy" as a
    plain first line, "… That is our privacy policy in a nutshell." A page without a title
    or a policy heading that says what it is in its first words is the policy, rewritten."""
    body = doc.body
    return bool(body) and names_document(body[0].text[:_OPENING_CHARS])


def names_document(heading: str) -> bool:
    """Whether a heading names a privacy document ("COOKIE NOTICE", "Privacy Policy for our
    digital presence")."""
    folded = heading.casefold()
    return bool(_TITLE.search(folded) and _DOCUMENT.search(folded))


def documents_named(doc: PolicyDocument) -> list[str]:
    """The headings after the first that name a privacy document ("Privacy Policy for our
    digital presence", "Data protection notice for Swiss Post services")."""
    return [h.text for h in doc.headings[1:] if names_document(h.text)]


def _describe(ev: Evidence) -> str:
    title = f"titled “{ev.title[:80]}”, " if ev.title else ""
    return f"{title}{ev.words} words, {ev.density:.1f} policy terms per 100 words"
