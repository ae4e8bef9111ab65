"""Provisioning timeline: hand-computed stages, the measured transfer rates and
published totals from data/, hostile inputs through the model and the widget,
the platform preset and the time axis."""

from __future__ import annotations

import pytest

from tests.hostile import HOSTILE
from tests.unit.support.provisioning import NUMERIC, read_csv
from widgets.core import data
from widgets.models.provisioning import provision_timeline
from widgets.models.rates import CUSTOM, rate_options, transfer_rates


def test_custom_rate_is_read_only_when_chosen():
    assert provision_timeline(rate="ec2", custom_rate_mb_s="abc") == provision_timeline()


def test_all_zero_is_refused():
    with pytest.raises(ValueError, match="every stage takes 0 s"):
        provision_timeline(api_s=0, image_size_mb=0, boot_s=0, services_s=0, health_s=0)


def test_transfer_rates_equal_the_csv_values_and_facts():
    rows = read_csv("image_transfer_rates.csv")
    assert {k: float(r["rate_mb_per_s"]) for k, r in rows.items()} == {"ec2": 10.9, "azure": 1.1, "rackspace": 22.5}
    assert {r["source"] for r in rows.values()} == {"mao2012"}
    assert {r["confidence"] for r in rows.values()} == {"verified"}
    assert all("slide 5" in r["note"] and "VM <-> image store" in r["conditions"] for r in rows.values())
    rates = transfer_rates()
    assert {k: v[1] for k, v in rates.items()} == {k: float(r["rate_mb_per_s"]) for k, r in rows.items()}
    assert {v[0] for v in rates.values()} == {"EC2", "Azure", "Rackspace"}
    table = data.load("image_transfer_rates")
    assert rates["ec2"][2] == table.cite(table.row(id="ec2")) == "M. Mao 2012"
    assert [k for _, k in rate_options()] == ["ec2", "azure", "rackspace", CUSTOM]
    assert rate_options()[0][0] == "EC2: 10.9 MB/s (M. Mao 2012)"


@pytest.mark.parametrize(("arg", "name"), NUMERIC)
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_model_refuses_hostile_values(arg, name, value, words):
    with pytest.raises(ValueError, match=words) as info:
        provision_timeline(**{arg: value, "rate": CUSTOM})
    assert str(info.value).startswith(name + " "), str(info.value)


def test_zero_rate_is_refused_and_zero_stages_are_allowed():
    with pytest.raises(ValueError, match="^custom transfer rate must not be zero"):
        provision_timeline(rate=CUSTOM, custom_rate_mb_s=0)
    assert provision_timeline(api_s=0, health_s="0").total_s == pytest.approx(500 / 10.9 + 30)


@pytest.mark.parametrize("value", ["gcp", "", None, ["ec2"], "EC2", 10.9])
def test_model_refuses_unknown_rate(value):
    with pytest.raises(ValueError, match="^transfer rate must be one of ec2, azure, rackspace, custom"):
        provision_timeline(rate=value)
