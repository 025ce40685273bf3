import pytest

from monitor.extract.language import declared_language, guess_language
from monitor.extract.repair import clean_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Digi International Â® and â€œquotesâ€\x9d", "Digi International ® and “quotes”"),
        ("Ã©tÃ© rÃ©sumÃ©", "été résumé"),
        ("caf&eacute; &amp; co&#8217;s", "café & co’s"),
        ("soft\u00adhyphen zero\u200bwidth\ufeff", "softhyphen zerowidth"),
        ("non\u00a0breaking \t\n  spaces ", "non breaking spaces"),
    ],
)
def test_repairs(raw, clean):
    assert clean_text(raw) == clean


def test_display_text_is_kept_as_written():
    text = "We “don’t” sell — ever. Café MÜLLER"
    assert clean_text(text) == text


def test_languages():
    assert guess_language("We collect your data and share it with our partners for this") == "en"
    assert (
        guess_language("Wir erheben Ihre Daten und die Daten werden nicht mit Dritten geteilt")
        == "de"
    )
    assert (
        guess_language("Nous collectons vos données et les partageons avec nos partenaires") == "fr"
    )
    assert (
        guess_language("Recogemos sus datos y los compartimos con nuestros socios para la") == "es"
    )
    assert (
        guess_language("Raccogliamo i tuoi dati e li condividiamo con i nostri partner per il")
        == "it"
    )
    assert (
        guess_language("Wij verzamelen uw gegevens en delen deze niet met derden voor het") == "nl"
    )
    assert (
        guess_language("Nós coletamos os seus dados e não os compartilhamos com terceiros para")
        == "pt"
    )
    assert guess_language("12 34 56") is None
    assert declared_language("en-US") == "en"
    assert declared_language(" DE_at") == "de"
    assert declared_language("") is None
