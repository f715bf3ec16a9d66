"""Countries and regions: ISO 3166-1, UN M49, development status, six languages."""

import pytest
from django.core.management import call_command

from clearinghouse.core.models import Country, DevelopmentStatus, Region

pytestmark = pytest.mark.django_db


def test_every_iso_country_is_loaded_with_its_m49_region(reference_data):
    assert Country.objects.count() == 249
    unplaced = set(
        Country.objects.filter(region__isnull=True).values_list("iso2", flat=True)
    )
    assert unplaced == {"AQ", "TW"}  # as data/core/SOURCES.md explains
    senegal = Country.objects.with_regions().get(iso2="SN")
    assert senegal.region.name_en == "Africa"
    assert senegal.subregion.name_en == "Sub-Saharan Africa"
    assert senegal.intermediate_region.name_en == "Western Africa"
    assert senegal.region.code == "002"


def test_development_status_and_groupings(reference_data):
    assert (
        Country.objects.get(iso2="FR").development_status == DevelopmentStatus.DEVELOPED
    )
    assert (
        Country.objects.get(iso2="KZ").development_status
        == DevelopmentStatus.TRANSITION
    )
    assert (
        Country.objects.get(iso2="BR").development_status
        == DevelopmentStatus.DEVELOPING
    )
    assert Country.objects.filter(is_ldc=True).count() == 44
    assert Country.objects.filter(is_lldc=True).count() == 32
    assert (
        Country.objects.get(iso2="NP").is_lldc and Country.objects.get(iso2="NP").is_ldc
    )
    assert Country.objects.get(iso2="FJ").is_sids


def test_names_in_the_six_languages(reference_data):
    egypt = Country.objects.get(iso2="EG")
    assert egypt.name_en == "Egypt"
    assert egypt.name_fr == "Égypte"
    assert egypt.name_ar and egypt.name_zh_hans and egypt.name_ru and egypt.name_es
    africa = Region.objects.get(code="002")
    assert africa.name_fr == "Afrique"


def test_reloading_reference_data_changes_nothing(reference_data, capsys):
    call_command("load_reference_data")
    out = capsys.readouterr().out
    assert "countries: 0 created, 0 updated, 249 unchanged" in out
    assert "regions: 0 created, 0 updated, 29 unchanged" in out


def test_missing_data_folder_is_a_clear_error(db, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No countries.csv"):
        call_command("load_reference_data", data_dir=str(tmp_path))
