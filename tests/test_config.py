"""Another programme reuses casegen by editing configuration, not code."""
from decimal import Decimal

from click.testing import CliRunner
from docx import Document

import docx_text
from casegen import config
from casegen.cli import cli
from casegen.intake.form import write_form
from casegen.intake.reader import read_workbook
from helpers import sample_case


def _other_programme(tmp_path):
    text = config.default_text()
    text = text.replace('programme = "Luton Transformation Programme"', 'programme = "Anytown Change Programme"')
    text = text.replace('financial_years = ["23/24", "24/25", "25/26", "26/27"]',
                        'financial_years = ["24/25", "25/26", "26/27", "27/28", "28/29"]')
    path = tmp_path / "anytown.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_another_programme_gets_its_name_and_years_in_form_and_document(tmp_path):
    cfg = _other_programme(tmp_path)
    form = tmp_path / "case.xlsx"
    result = CliRunner().invoke(cli, ["--config", str(cfg), "new", "bcl", str(form)])
    assert result.exit_code == 0, result.output
    programme = config.load(cfg)
    case = sample_case("bcl-service-optimisation", config.load())
    for year, y in zip(programme.financial_years, case.finance.years, strict=False):
        y.year = year
    case.finance.validated = []
    write_form("bcl", form, programme, case)
    assert read_workbook(form, programme)[0].finance.years[0].year == "24/25"
    result = CliRunner().invoke(cli, ["--config", str(cfg), "build", str(form), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    doc = tmp_path / "out" / "case.docx"
    assert "Business Case Lite – Anytown Change Programme" in docx_text.text(doc)
    heads = [[c.text for c in t.rows[0].cells] for t in Document(doc).tables]
    assert ["", "24/25", "25/26", "26/27", "27/28", "Total"] in heads  # the years the form had rows for


def test_a_year_from_the_old_programme_is_refused_with_its_cell(tmp_path, make_form):
    cfg = _other_programme(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(cfg), "validate", str(make_form())])
    assert result.exit_code == 1
    assert "Finance!A" in result.output and "year: must be one of: 24/25; 25/26" in result.output


def test_a_broken_configuration_is_named(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(config.default_text().replace("themes = [", "theme_list = ["), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(bad), "schema", "bcl"])
    assert result.exit_code == 1
    assert f"{bad}: unknown setting 'theme_list'" in result.output
    bad.write_text('programme = "X"\nthemes = "one"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(bad), "schema", "bcl"])
    assert result.exit_code == 1 and "themes: must be a list of one or more names" in result.output
    bad.write_text("programme = [", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(bad), "schema", "bcl"])
    assert result.exit_code == 1 and "not valid TOML" in result.output


def test_targets_and_templates_are_read_and_checked(tmp_path):
    good = tmp_path / "targets.toml"
    good.write_text(config.default_text() + '\ntemplates = "office-templates"\n[targets."Place"]\n"24/25" = 150000\n',
                    encoding="utf-8")
    programme = config.load(good)
    assert programme.targets == {"Place": {"24/25": 150000}}
    assert programme.templates == tmp_path / "office-templates"
    bad = tmp_path / "bad-targets.toml"
    bad.write_text(config.default_text() + '\n[targets."Parks"]\n"24/25" = 1\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(bad), "schema", "bcl"])
    assert result.exit_code == 1
    assert f"{bad}: targets: 'Parks' is not one of the themes" in result.output
    bad.write_text(config.default_text() + '\n[targets."Place"]\n"29/30" = 1\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(bad), "schema", "bcl"])
    assert "targets: Place: '29/30' is not one of the financial years" in result.output


def test_the_configuration_s_stamps_are_those_casegen_made_before(tmp_path):
    """The stamps a build records of the configuration are the ones the Pydantic model of casegen 0.1 made (its
    JSON, compact): a folder built before the configuration became a plain dataclass is not rebuilt for
    "configuration changed"."""
    from casegen.batch.build import config_digest

    assert (config.load().digest(), config_digest(config.load())) == ("c97c830e9369711d", "d2b3b7f6c3161d4a")
    path = tmp_path / "other.toml"
    path.write_text(config.default_text().replace('council = "Luton Borough Council"', 'council = "Cyngor Môn"\n'
                                                  'language = "cy-GB"') + '\n'
                    '[targets."Place"]\n"24/25" = 150000\n"25/26" = 1.5\n[targets."Partners"]\n"23/24" = -20\n',
                    encoding="utf-8")
    programme = config.load(path)
    assert (programme.digest(), config_digest(programme)) == ("7b93178f1439efc5", "16fcc8f16132903c")
    assert programme.targets == {"Place": {"24/25": Decimal("150000"), "25/26": Decimal("1.5")},
                                 "Partners": {"23/24": Decimal("-20")}}


def test_every_mistake_in_a_configuration_is_named_at_once(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(config.default_text().replace('council = "Luton Borough Council"', 'council = 3\nlanguage = "English'
                                                 ' (UK)"\ntemplates = 7').replace('"Workforce",', '"Workforce", "  ",')
                   + '\n[targets."Place"]\n"24/25" = "lots"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(bad), "schema", "bcl"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    for said in ("council: must be text, got 3", "language: must be a language tag such as en-GB or cy-GB, got "
                 "'English (UK)'", "templates: must be the path of a folder, got 7", "themes.6: must be a name "
                 "(text, not blank), got '  '", "targets.Place.24/25: must be an amount in pounds (150000), got "
                 "'lots'"):
        assert f"{bad}: {said}" in result.output
    bad.write_text('programme = "X"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(bad), "schema", "bcl"])
    assert f"{bad}: themes: missing; add it (see src/casegen/programme.toml)" in result.output
    assert f"{bad}: attributions: missing" in result.output
