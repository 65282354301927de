"""The printed QR code carries the ticket's unguessable status token (issue #14), not its id."""

from __future__ import annotations

import pytest

from hallcall.broker.service.projections import catalog as catalog_payload
from hallcall.kiosk.catalog import parse_catalog
from hallcall.kiosk.printout import qr_data, ticket_print

TOKEN = "k3Jq0-Zx_T9wLm2VbN4pQa"


def catalog_with(hall_config, status_url):
    payload = catalog_payload(hall_config, 1)
    return parse_catalog({**payload, "hall": {**payload["hall"], "status_url": status_url}})


def ticket(**extra):
    return {"id": "20261123-A042", "number": "A042", "department": "registrar", **extra}


def test_the_example_hall_prints_the_token_in_its_status_link(hall_config):
    cat = parse_catalog(catalog_payload(hall_config, 1))
    assert cat.hall.status_url == "https://hall.example.edu.cn/t/{token}"
    printed = ticket_print(ticket(token=TOKEN), cat, "zh")
    assert printed.qr_data == f"https://hall.example.edu.cn/t/{TOKEN}"
    assert "20261123-A042" not in printed.qr_data


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://h/t/{token}", f"https://h/t/{TOKEN}"),
        ("https://h/t/{token}?n={number}", f"https://h/t/{TOKEN}?n=A042"),
        # An older hall file: the ticket id still works (and other braces stay as they are).
        ("https://h/t/{ticket_id}", "https://h/t/20261123-A042"),
        ("https://h/{x}/{ticket_id}", "https://h/{x}/20261123-A042"),
    ],
)
def test_the_status_url_placeholders(hall_config, url, expected):
    assert qr_data(catalog_with(hall_config, url), ticket(token=TOKEN)) == expected


def test_a_reply_without_a_token_prints_the_ticket_id_not_a_broken_link(hall_config):
    cat = catalog_with(hall_config, "https://h/t/{token}")
    assert qr_data(cat, ticket()) == "20261123-A042"
    assert qr_data(cat, ticket(token="")) == "20261123-A042"
    assert qr_data(cat, ticket(token=None)) == "20261123-A042"


def test_without_a_status_url_the_qr_is_the_ticket_id(hall_config):
    assert qr_data(catalog_with(hall_config, None), ticket(token=TOKEN)) == "20261123-A042"
    assert qr_data(None, ticket(token=TOKEN)) == "20261123-A042"
