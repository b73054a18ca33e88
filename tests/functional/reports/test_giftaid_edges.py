"""The Gift Aid claim at the edges of HMRC's rules, each file read back cell by cell.

Sources: gov.uk, "Schedule spreadsheet to claim back tax on Gift Aid donations" (updated
2025-11): title at most 4 characters ("Prof", "Rev"), names at most 35 with a hyphen as a space
("House Martin"), postcode in capitals with a space, DD/MM/YY, 2 decimals, aggregated donations
"under £30" at most £1,000 a line described in at most 35 characters, "Yes" only on a
participant's line, at most 1,000 lines a schedule. HMRC Charities, "Chapter 3: Gift Aid", 3.38
onwards: a sponsor giving over £500 is listed with their own details; gifts from the
participant or connected persons are excluded where the participant gets a benefit tied to the
fundraising."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from fundraiser.donations.giftaid import GiftAidDetails, gift_aid_declaration
from fundraiser.extensions import db
from tests.functional.reports.conftest import declare, make_donation
from tests.functional.reports.test_giftaid import HEADER, claim_files, rows_of

APRIL = {"from": "2026-04-01", "to": "2026-04-30"}


@pytest.fixture
def charity(factories):
    """A UK cause, its admin, a page whose runner keeps an address for Gift Aid and one whose
    runner does not, on an event without a runner benefit, and a page on one with."""
    admin = factories.user(name="Finance Officer", email="finance@example.test")
    cause = factories.cause("GB", admins=(admin,), slug="shelter", name="Shelter Run")
    plain = factories.event(causes=(cause,), name="Park 5K")
    benefit = factories.event(causes=(cause,), name="Marathon Place", participant_benefit=True)
    runner = factories.user(name="Rita Runner", email="rita@example.test")
    sponsored = factories.page(
        runner=runner,
        event=plain,
        cause=cause,
        sponsor_first_name="Rita",
        sponsor_last_name="Smith-Jones",
        sponsor_house_name_or_number="1",
        sponsor_postcode="LS6 1AA",
    )
    no_address = factories.page(event=plain, cause=cause)
    ben = factories.user(name="Ben Runner", email="ben@example.test")
    benefit_page = factories.page(runner=ben, event=benefit, cause=cause)
    db.session.commit()
    return SimpleNamespace(
        admin=admin,
        cause=cause,
        sponsored=sponsored,
        no_address=no_address,
        benefit_page=benefit_page,
        ben=ben,
    )


def gift(page, amount, when, first="Sam", last="Sponsor", *, email=None, **declared):
    donation = make_donation(page, amount, when, donor_email=email or f"{first.lower()}{amount}@example.test")
    declare(donation, first=first, last=last, house="9", postcode="ls2 9jt", **({"title": "Ms"} | declared))
    return donation


def test_names_titles_and_postcodes_as_the_schedule_takes_them(charity, signed_in):
    """35 characters fit, 36 do not (listed as left out); "House-Martin" becomes "House
    Martin"; an old "Professor" is shortened to "Prof", "Reverend" to "Rev", a title we cannot
    shorten is left blank (it is optional); the postcode in capitals with its space."""
    page = charity.sponsored
    gift(page, 1000, "2026-04-02T09:00:00", first="A" * 35, last="House-Martin", title="Professor")
    gift(page, 1100, "2026-04-03T09:00:00", first="Jean-Paul", last="B" * 35, title="Reverend")
    gift(page, 1200, "2026-04-04T09:00:00", first="Cy", last="Long", title="Brigadier")
    too_long = gift(page, 1300, "2026-04-05T09:00:00", first="Di", last="C" * 36)
    db.session.commit()

    files = claim_files(signed_in(charity.admin), "shelter", **APRIL)
    assert files["schedule-01.csv"][1:] == [
        ["Prof", "A" * 35, "House Martin", "9", "LS2 9JT", "", "", "02/04/26", "10.00"],
        ["Rev", "Jean Paul", "B" * 35, "9", "LS2 9JT", "", "", "03/04/26", "11.00"],
        ["", "Cy", "Long", "9", "LS2 9JT", "", "", "04/04/26", "12.00"],
    ]
    assert [(row[0], row[6]) for row in files["excluded.csv"][1:]] == [(too_long.public_id, "name_too_long")]


def test_the_declaration_refuses_what_the_schedule_cannot_take(charity):
    """Names over 35 characters and titles over 4 ("Professor") are refused when declared,
    where the donor can shorten them, rather than cut in the claim."""

    def declared(**fields):
        values = dict(
            first_name="Ada", last_name="Lovelace", house_name_or_number="12", address="x", postcode="ls1 4ap"
        )
        details = GiftAidDetails(**(values | fields))
        return gift_aid_declaration(charity.sponsored, details, 2000, is_company=False, donor_user_id=None)

    assert declared(first_name="A" * 35, last_name="B" * 35, title="Prof")[1] == {}
    assert declared(first_name="A" * 36)[1] == {"first_name": "Use at most 35 characters."}
    assert declared(last_name="B" * 36)[1] == {"last_name": "Use at most 35 characters."}
    _none, errors = declared(title="Professor")
    assert errors == {"title": "Use at most 4 characters for your title, like Prof or Rev (HMRC's limit)."}


def test_500_and_500_01_on_a_sponsored_page_under_both_routes(charity, signed_in):
    """Exactly £500.00 from a sponsor is added to the runner's line on the sponsored-event
    route; £500.01 (here £500.00 plus a penny of fee cover) is listed alone with its donor's
    details; "Yes" appears only on the runner's line. Listed individually, every gift has its
    donor's details and a blank "Sponsored event". Both routes claim the same total."""
    page = charity.sponsored
    gift(page, 50000, "2026-04-10T09:00:00", first="Exactly")
    over = make_donation(page, 50000, "2026-04-11T09:00:00", fee_cover=1, donor_email="over@example.test")
    declare(over, first="Over", last="Limit", house="2", postcode="yo1 7hh", title="Mr")
    gift(page, 2000, "2026-04-12T09:00:00", first="Small")
    # One sponsor giving £300 twice gave over £500: both gifts are listed with their details.
    gift(page, 30000, "2026-04-13T09:00:00", first="Twice", email="twice@example.test")
    gift(page, 30000, "2026-04-14T09:00:00", first="Twice", email="twice@example.test")
    # A runner without an address on file: their page's gifts are listed one by one.
    gift(charity.no_address, 4000, "2026-04-15T09:00:00", first="Other")
    db.session.commit()
    client = signed_in(charity.admin)

    individual = claim_files(client, "shelter", **APRIL)["schedule-01.csv"]
    assert individual[1:] == [
        ["Ms", "Exactly", "Sponsor", "9", "LS2 9JT", "", "", "10/04/26", "500.00"],
        ["Mr", "Over", "Limit", "2", "YO1 7HH", "", "", "11/04/26", "500.01"],
        ["Ms", "Small", "Sponsor", "9", "LS2 9JT", "", "", "12/04/26", "20.00"],
        ["Ms", "Twice", "Sponsor", "9", "LS2 9JT", "", "", "13/04/26", "300.00"],
        ["Ms", "Twice", "Sponsor", "9", "LS2 9JT", "", "", "14/04/26", "300.00"],
        ["Ms", "Other", "Sponsor", "9", "LS2 9JT", "", "", "15/04/26", "40.00"],
    ]

    files = claim_files(client, "shelter", route="sponsored", **APRIL)
    assert files["schedule-01.csv"][1:] == [
        ["Mr", "Over", "Limit", "2", "YO1 7HH", "", "", "11/04/26", "500.01"],
        # The runner's line: £500.00 + £20.00, dated the latest of them.
        ["", "Rita", "Smith Jones", "1", "LS6 1AA", "", "Yes", "12/04/26", "520.00"],
        ["Ms", "Twice", "Sponsor", "9", "LS2 9JT", "", "", "13/04/26", "300.00"],
        ["Ms", "Twice", "Sponsor", "9", "LS2 9JT", "", "", "14/04/26", "300.00"],
        ["Ms", "Other", "Sponsor", "9", "LS2 9JT", "", "", "15/04/26", "40.00"],
    ]
    assert files["summary.csv"][2] == ["all", "", "5", "6", "1660.01", "415.00", "11/04/26", "15/04/26"]
    assert claim_files(client, "shelter", **APRIL)["summary.csv"][2][4] == "1660.01"


def test_1000_lines_make_one_schedule_and_1001_make_two(charity, signed_in):
    """A schedule holds at most 1,000 lines: the 1,001st starts schedule 2, in date order."""
    for n in range(1000):
        gift(charity.no_address, 1000 + n, f"2026-04-{1 + n // 100:02d}T{8 + n % 10:02d}:{n % 60:02d}:00")
    db.session.commit()
    client = signed_in(charity.admin)

    files = claim_files(client, "shelter", **APRIL)
    assert list(files) == ["schedule-01.csv", "excluded.csv", "summary.csv"]
    assert len(files["schedule-01.csv"]) == 1 + 1000

    last = gift(charity.no_address, 777, "2026-04-30T12:00:00", first="Last")
    db.session.commit()
    files = claim_files(client, "shelter", **APRIL)
    assert list(files) == ["schedule-01.csv", "schedule-02.csv", "excluded.csv", "summary.csv"]
    assert len(files["schedule-01.csv"]) == 1 + 1000
    assert files["schedule-02.csv"] == [
        HEADER,
        ["Ms", "Last", "Sponsor", "9", "LS2 9JT", "", "", "30/04/26", "7.77"],
    ]
    summary = files["summary.csv"]
    assert [row[:4] for row in summary[1:4]] == [
        ["1", "schedule-01.csv", "1000", "1000"],
        ["2", "schedule-02.csv", "1", "1"],
        ["all", "", "1001", "1001"],
    ]
    # sum(1000..1999) = 1,499,500 pence; plus 777.
    assert summary[3][4:6] == ["15002.77", "3750.69"]
    one = client.get("/causes/shelter/reports/gift-aid.csv", query_string={**APRIL, "schedule": "2"})
    assert rows_of(one.get_data(as_text=True)) == files["schedule-02.csv"]
    assert last.public_id not in one.get_data(as_text=True)
    assert (
        client.get(
            "/causes/shelter/reports/gift-aid.csv", query_string={**APRIL, "schedule": "3"}
        ).status_code
        == 400
    )


def test_a_gift_at_half_past_eleven_on_5_april_in_london(charity, signed_in):
    """23:30 BST on 5 April (22:30 UTC) is dated 05/04 and falls in the tax year ending that
    day; 00:30 BST on 6 April (23:30 UTC on 5 April) is dated 06/04, in the next tax year. Added
    together, they never share a line."""
    gift(charity.no_address, 1000, "2026-04-05T22:30:00", first="Before")
    gift(charity.no_address, 1500, "2026-04-05T23:30:00", first="After")
    db.session.commit()
    client = signed_in(charity.admin)

    files = claim_files(client, "shelter", **APRIL)
    assert [(row[1], row[7]) for row in files["schedule-01.csv"][1:]] == [
        ("Before", "05/04/26"),
        ("After", "06/04/26"),
    ]
    assert [row[0] for row in files["summary.csv"][3:]] == ["tax year 2025-26", "tax year 2026-27"]
    assert [row[4] for row in files["summary.csv"][3:]] == ["10.00", "15.00"]

    aggregated = claim_files(client, "shelter", aggregate="1", **APRIL)["schedule-01.csv"]
    assert aggregated[1:] == [
        ["", "", "", "", "", "Small gifts 05-05 Apr 2026", "", "05/04/26", "10.00"],
        ["", "", "", "", "", "Small gifts 06-06 Apr 2026", "", "06/04/26", "15.00"],
    ]
    up_to_5_april = claim_files(client, "shelter", **{"from": "2026-04-01", "to": "2026-04-05"})
    assert [row[1] for row in up_to_5_april["schedule-01.csv"][1:]] == ["Before"]


def test_gifts_under_30_pounds_are_added_together_up_to_1000_a_line(charity, signed_in):
    """Under £30 (the 2025 page; £20 before): £29.99 is added together, £30.00 is listed with
    its donor. No line adds more than £1,000: 33 x £29.99 = £989.67 fits, a 34th would not."""
    for n in range(40):
        gift(charity.no_address, 2999, f"2026-04-{10 + n // 10:02d}T10:{n:02d}:00", first=f"Donor{n}")
    gift(charity.no_address, 3000, "2026-04-20T10:00:00", first="Thirty")
    db.session.commit()

    schedule = claim_files(signed_in(charity.admin), "shelter", aggregate="1", **APRIL)["schedule-01.csv"]
    assert schedule[1:] == [
        ["", "", "", "", "", "Small gifts 10-13 Apr 2026", "", "13/04/26", "989.67"],
        ["", "", "", "", "", "Small gifts 13-13 Apr 2026 (2)", "", "13/04/26", "209.93"],
        ["Ms", "Thirty", "Sponsor", "9", "LS2 9JT", "", "", "20/04/26", "30.00"],
    ]
    assert all(len(row[5]) <= 35 for row in schedule[1:])


def test_runners_and_their_family_on_an_event_with_a_runner_benefit(charity, signed_in, factories):
    """The Marathon Place event pays its runners' entry: Ben's own gift and a gift whose donor
    said they are his family are left out. On the Park 5K (no benefit), Rita's own gift is
    claimable. A declaration made on a page without a benefit never records family."""
    own_benefit = make_donation(
        charity.benefit_page, 2500, "2026-04-02T10:00:00", donor_email="ben@example.test"
    )
    declare(own_benefit, first="Ben", last="Runner")
    family = gift(charity.benefit_page, 3500, "2026-04-03T10:00:00", first="Mum", is_runner_family=True)
    friend = gift(charity.benefit_page, 4500, "2026-04-04T10:00:00", first="Friend")
    own_plain = make_donation(
        charity.sponsored, 5500, "2026-04-05T10:00:00", donor_user_id=charity.sponsored.runner_id
    )
    declare(own_plain, first="Rita", last="Smith")
    db.session.commit()

    files = claim_files(signed_in(charity.admin), "shelter", **APRIL)
    assert [row[1] for row in files["schedule-01.csv"][1:]] == ["Friend", "Rita"]
    assert [(row[0], row[6]) for row in files["excluded.csv"][1:]] == [
        (own_benefit.public_id, "runner"),
        (family.public_id, "runner_family"),
    ]
    assert friend.public_id not in {row[0] for row in files["excluded.csv"]}

    details = GiftAidDetails(
        first_name="Mum",
        last_name="Smith",
        house_name_or_number="1",
        address="x",
        postcode="LS6 1AA",
        is_runner_family=True,
    )
    on_benefit, _ = gift_aid_declaration(
        charity.benefit_page, details, 2000, is_company=False, donor_user_id=None
    )
    on_plain, _ = gift_aid_declaration(charity.sponsored, details, 2000, is_company=False, donor_user_id=None)
    assert (on_benefit.is_runner_family, on_plain.is_runner_family) == (True, False)
