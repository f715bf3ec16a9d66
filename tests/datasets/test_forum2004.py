"""The Forum 2004 dataset: complete, sourced, idempotent, all or nothing."""

import re
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from clearinghouse.actors.models import Institution
from clearinghouse.matrix.models import Concern, Mandate
from clearinghouse.taxonomy.models import Area, Issue

pytestmark = pytest.mark.django_db

DATASET = Path(__file__).resolve().parents[2] / "data" / "forum2004"
SUMMARY = re.sub(r"\s+", " ", (DATASET / "summary.txt").read_text(encoding="utf-8"))


def _counts():
    return {
        model.__name__: (model.objects.count(), model.history.count())
        for model in (Area, Issue, Institution, Mandate, Concern)
    }


def test_dataset_holds_at_least_25_issues_and_20_institutions(forum2004):
    assert Issue.objects.count() >= 25
    assert Institution.objects.count() >= 20
    assert Mandate.objects.count() > 0
    assert Concern.objects.count() > 0


@pytest.mark.parametrize("model", [Area, Issue, Institution, Mandate, Concern])
def test_every_record_quotes_the_summary_or_names_a_public_source(forum2004, model):
    for record in model.objects.all():
        assert record.source_quote or record.source_url, record
        if record.source_quote:
            assert record.source_quote in SUMMARY, record
        if record.source_url:
            assert record.source_title, record


def test_records_the_issue_names_icann_itu_wto_uncitral_oecd_and_minc(forum2004):
    acronyms = set(Institution.objects.values_list("acronym", flat=True))
    assert {"ICANN", "ITU", "WTO", "UNCITRAL", "OECD", "MINC"} <= acronyms
    assert Mandate.objects.filter(institution__acronym="ICANN").exists()
    assert Concern.objects.filter(
        kind="legitimacy", mandate__institution__acronym="ICANN"
    ).exists()
    assert Concern.objects.filter(kind="language_barriers").exists()


def test_loading_twice_changes_nothing(forum2004, capsys):
    before = _counts()
    capsys.readouterr()
    call_command("load_forum2004")
    out = capsys.readouterr().out
    assert _counts() == before
    assert " 0 created, 0 updated" in out
    assert "created, 0 updated, 0 unchanged" not in out


def test_gaps_page_lists_the_issues_with_no_home(client, forum2004):
    homeless = set(
        Issue.objects.exclude(mandates__status="active").values_list("slug", flat=True)
    )
    assert homeless, "the summary names issues no institution addresses"
    response = client.get("/en/matrix/gaps/")
    listed = {issue.slug for issue in response.context["gaps"].no_home}
    assert listed == homeless
    html = response.content.decode()
    for slug in homeless:
        assert f"/en/issues/{slug}/" in html


def test_matrix_page_shows_the_dataset_in_french_with_fallback(client, forum2004):
    response = client.get("/fr/matrix/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="fr"' in html
    itu = Institution.objects.get(acronym="ITU")
    assert itu.name_fr and itu.name_fr in html or "ITU" in html


def test_every_page_of_the_dataset_renders(client, forum2004):
    for issue in Issue.objects.all():
        assert client.get(f"/en/issues/{issue.slug}/").status_code == 200
    for institution in Institution.objects.all():
        assert client.get(f"/ar/institutions/{institution.slug}/").status_code == 200
    for mandate in Mandate.objects.select_related("issue", "institution"):
        url = f"/zh-hans/matrix/cell/{mandate.issue.slug}/{mandate.institution.slug}/"
        assert client.get(url).status_code == 200


@pytest.fixture
def broken_copy(tmp_path):
    target = tmp_path / "forum2004"
    shutil.copytree(DATASET, target)
    return target


def _edit(path: Path, change) -> None:
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")


def test_a_mandate_naming_a_missing_issue_stops_the_load_and_writes_nothing(
    reference_data, broken_copy
):
    _edit(broken_copy / "mandates.yaml", lambda r: r[0].update(issue="no-such-issue"))
    before = _counts()
    with pytest.raises(CommandError) as error:
        call_command("load_forum2004", data_dir=str(broken_copy))
    assert "unknown issue 'no-such-issue'" in str(error.value)
    assert _counts() == before


def test_a_quote_not_in_the_summary_is_refused(reference_data, broken_copy):
    _edit(
        broken_copy / "issues.yaml",
        lambda r: r[0].update(source={"quote": "The Forum abolished spam."}),
    )
    with pytest.raises(CommandError) as error:
        call_command("load_forum2004", data_dir=str(broken_copy))
    assert "source quote is not in the summary" in str(error.value)
    assert not Issue.objects.exists()


def test_broken_yaml_is_reported_with_the_file_name(reference_data, broken_copy):
    (broken_copy / "areas.yaml").write_text("- slug: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("load_forum2004", data_dir=str(broken_copy))
    assert "areas.yaml: is not valid YAML" in str(error.value)


def test_an_over_long_name_is_refused_without_partial_writes(
    reference_data, broken_copy
):
    _edit(
        broken_copy / "institutions.yaml",
        lambda r: r[-1]["name"].update(en="x" * 301),
    )
    with pytest.raises(CommandError, match="institutions.yaml .*at most 300"):
        call_command("load_forum2004", data_dir=str(broken_copy))
    assert not Issue.objects.exists()
    assert not Institution.objects.exists()


def test_a_cycle_of_broader_issues_is_refused(reference_data, broken_copy):
    def cycle(records):
        records[0]["broader"] = records[1]["slug"]
        records[1]["broader"] = records[0]["slug"]

    _edit(broken_copy / "issues.yaml", cycle)
    with pytest.raises(CommandError, match="cycle"):
        call_command("load_forum2004", data_dir=str(broken_copy))


def test_dry_run_checks_and_writes_nothing(reference_data, capsys):
    call_command("load_forum2004", dry_run=True)
    assert "Dry run: nothing was written." in capsys.readouterr().out
    assert not Issue.objects.exists()


def test_meetings_proposals_and_participation_are_checked_too(
    reference_data, broken_copy
):
    _edit(
        broken_copy / "proposals.yaml",
        lambda r: r[0].update(addressed_to=["no-such-body"]),
    )
    with pytest.raises(CommandError, match="no-such-body"):
        call_command("load_forum2004", data_dir=str(broken_copy))


def test_participation_shares_add_up_as_the_footnote_says():
    figures = yaml.safe_load((DATASET / "participation.yaml").read_text("utf-8"))
    shares = [
        f["value"]
        for f in figures
        if f["population"] == "forum_participants"
        and f["dimension"] == "stakeholder_group"
    ]
    assert sum(shares) == 100
