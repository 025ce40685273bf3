from datetime import date

import pytest

from monitor.extract.dates import find_date, parse_iso, stated_date


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Last Updated: April 1, 2020", date(2020, 4, 1)),
        ("Effective date: December 19, 2020", date(2020, 12, 19)),
        ("Last Modified: 03/15/2023", date(2023, 3, 15)),
        ("Last modified: 15/03/2023", date(2023, 3, 15)),
        ("Updated on 2024-02-03", date(2024, 2, 3)),
        ("Effective as of Jan 2019", date(2019, 1, 1)),
        ("This Privacy Policy was last updated on May 25th, 2018.", date(2018, 5, 25)),
        ("Last revised: 1 Sept. 2021", date(2021, 9, 1)),
        ("Stand: 1. Januar 2021", date(2021, 1, 1)),
        ("Zuletzt aktualisiert am 24. März 2022", date(2022, 3, 24)),
        ("Dernière mise à jour : 1er mars 2022", date(2022, 3, 1)),
        ("Última actualización: 5 de mayo de 2021", date(2021, 5, 5)),
        ("Ultimo aggiornamento: 12 giugno 2020", date(2020, 6, 12)),
        ("Laatst bijgewerkt: 3 februari 2023", date(2023, 2, 3)),
        ("Última atualização: 10 de outubro de 2024", date(2024, 10, 10)),
    ],
)
def test_date_lines(line, expected):
    assert stated_date(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "We collect data since 2019 and keep it for April 1, 2020 purposes.",  # no label
        "Updated: sometime soon",  # no date
        "Last updated: February 30, 2020",  # no such day
        "Effective " + "x" * 200 + " April 1, 2020",  # a paragraph, not a date line
    ],
)
def test_not_date_lines(line):
    assert stated_date(line) is None


def test_day_first_follows_the_language():
    assert find_date("04/05/2021") == date(2021, 4, 5)
    assert find_date("04/05/2021", day_first=True) == date(2021, 5, 4)


def test_parse_iso_reads_wordpress_timestamps():
    assert parse_iso("2023-06-07T09:10:11") == date(2023, 6, 7)
    assert parse_iso("nope") is None
    assert parse_iso(None) is None
