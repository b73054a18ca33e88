"""What a receipt does with goods or services the donor received (an advantage, in the CRA's
words; a quid pro quo, in the IRS's). The one home of these tax rules.

Canada (CRA, "Advantage and eligible amount"): the eligible amount is the gift less the
advantage; an advantage not over the lesser of $75 and 10% of the gift is ignored (de minimis);
an advantage over 80% of the gift allows no receipt unless the charity can show the donor
meant to give. United States (IRS Publication 1771): a payment over $75 that is partly for
goods or services needs a statement that only the excess is deductible, with a good-faith
estimate of their value; we state goods on every US receipt that has some, whatever the amount.
"""

from __future__ import annotations

CA_DE_MINIMIS_CAP = 7500  # CAD cents: $75
CA_DE_MINIMIS_PERCENT = 10
CA_MAX_ADVANTAGE_PERCENT = 80
US_QUID_PRO_QUO_OVER = 7500  # USD cents: a payment over $75 needs the disclosure

CA_ADVANTAGE_OVER_80 = (
    "The advantage is worth more than 80% of the gift: the CRA allows no official receipt unless "
    "the charity records that the donor meant to make a gift."
)


def ca_is_de_minimis(gift: int, advantage: int) -> bool:
    """An advantage not over the lesser of $75 and 10% of the gift (both in cents)."""
    return advantage <= CA_DE_MINIMIS_CAP and advantage * 100 <= gift * CA_DE_MINIMIS_PERCENT


def ca_counted_advantage(gift: int, advantage: int) -> int:
    """The advantage a Canadian receipt states and takes off the gift (0 when de minimis)."""
    advantage = min(max(advantage, 0), gift)
    return 0 if ca_is_de_minimis(gift, advantage) else advantage


def ca_refusal(gift: int, advantage: int, *, intent_to_give_shown: bool) -> str:
    """Why the CRA's 80% threshold allows no receipt for this gift, or ''."""
    if advantage * 100 > gift * CA_MAX_ADVANTAGE_PERCENT and not intent_to_give_shown:
        return CA_ADVANTAGE_OVER_80
    return ""


def us_needs_quid_pro_quo_statement(payment: int, advantage: int) -> bool:
    """IRS Pub. 1771: over $75 and partly for goods or services."""
    return payment > US_QUID_PRO_QUO_OVER and advantage > 0
