"""Tests for the masker: names in free text, each by its own person's placeholder."""

from __future__ import annotations

import pytest

from core.masking import Masker, masker_of

STAFF = (
    ("100909", "Kari Nordmann"),
    ("100921", "Per Olsen"),
    ("100933", "Anne Marie Olsen"),
    ("100947", "Øyvind Sæther"),
    ("100952", "Åse Bjørnstad"),
    ("100960", "Kari Lie"),
    ("100971", "Karianne Dahl"),
)
LEADERS = (("E1001", "Hanne Olsen-Berg"),)


@pytest.fixture
def masker() -> Masker:
    return Masker(STAFF, LEADERS)


def test_the_demo_case_full_name_first_name_and_genitive(masker: Masker) -> None:
    note = "Per Olsen har avtalt vakter med Øyvind. Øyvinds turnus passer ikke."
    assert masker.text(note) == (
        "ansatt 100921 har avtalt vakter med ansatt 100947. ansatt 100947s turnus passer ikke."
    )


def test_a_double_barrelled_surname_is_one_person(masker: Masker) -> None:
    # Today's masker made "Hanne Olsen-Berg" into a number for "Per Olsen"'s namesake.
    assert masker.text("Hanne Olsen-Berg tar saken.") == "leder (E1001) tar saken."
    assert masker.text("Hannes ansvar") == "leder (E1001)s ansvar"
    # "Olsen" alone is not a first name of anybody: a surname is left as written.
    assert masker.text("Olsen-Berg") == "Olsen-Berg"


def test_the_longest_name_wins(masker: Masker) -> None:
    assert masker.text("Anne Marie Olsen og Anne Marie") == "ansatt 100933 og ansatt 100933"
    assert masker.text("Per  OLSEN") == "ansatt 100921"
    assert masker.text("kari nordmann") == "ansatt 100909"


def test_a_shared_first_name_names_neither(masker: Masker) -> None:
    text = masker.text("Kari sa at Karis plan holder; Kari Lie er enig.")
    assert text == "[navn] sa at [navn]s plan holder; ansatt 100960 er enig."


def test_a_name_inside_another_word_is_not_masked(masker: Masker) -> None:
    assert masker.text("Karianne og Perfekt, Pers og Per.") == (
        "ansatt 100971 og Perfekt, ansatt 100921s og ansatt 100921."
    )
    assert masker.text("Åsebakken og Åse") == "Åsebakken og ansatt 100952"
    assert masker.text("ØYVIND, Øyvind's og øyvind") == ("ansatt 100947, ansatt 100947's og øyvind")


def test_a_first_name_that_is_a_word_is_left_where_it_is_a_word() -> None:
    masker = Masker([("1", "Liv Berg"), ("2", "Per Dal")])
    assert masker.text("per dag, for livet og liv") == "per dag, for livet og liv"
    assert masker.text("Liv og Per") == "ansatt 1 og ansatt 2"


def test_a_leader_on_the_staff_under_the_same_name_is_shown_as_neither() -> None:
    masker = Masker([("7", "Hanne Berg")], [("E1", "Hanne Berg")])
    assert masker.text("Hanne Berg") == "[navn]"


def test_the_same_person_twice_is_not_shared() -> None:
    masker = Masker([("7", "Hanne Berg"), ("7", "Hanne Berg")])
    assert masker.text("Hanne") == "ansatt 7"


def test_text_as_written_when_not_masked(masker: Masker) -> None:
    assert masker.shown("Kari Nordmann", masked=False) == "Kari Nordmann"
    assert masker.shown("Kari Nordmann", masked=True) == "ansatt 100909"


def test_no_people_and_odd_names() -> None:
    assert Masker([]).text("Kari") == "Kari"
    masker = Masker([("1", None), ("2", "  "), ("3", "A.B. [x]* Hansen")])
    assert masker.text("A.B. [x]* Hansen kom") == "ansatt 3 kom"
    assert masker.text("Punktum. Ingen") == "Punktum. Ingen"


def test_a_person_is_named_or_hidden_behind_the_employee_number() -> None:
    from core.masking import person

    assert person("100234", "Kari Nordmann", masked=False) == "Kari Nordmann (100234)"
    assert person("100234", "Kari Nordmann", masked=True) == "ansatt 100234"
    assert person("100234", "  ", masked=False) == "ansatt 100234"  # no name to show
    assert person("100234", None, masked=False, capital=True) == "Ansatt 100234"


def test_the_masker_of_the_same_people_is_made_once() -> None:
    staff = [("100234", "Kari Nordmann"), ("100235", "Per Olsen")]
    leaders = [("E1", "Liv Berg")]
    masker = masker_of(staff, leaders)
    assert masker_of(list(staff), list(leaders)) is masker
    assert masker.text("Kari og Liv") == Masker(staff, leaders).text("Kari og Liv")
    assert masker.text("Kari og Liv") == "ansatt 100234 og leder (E1)"
    assert masker_of(staff[:1], leaders) is not masker
