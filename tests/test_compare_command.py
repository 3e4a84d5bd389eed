"""The arguments of /compare and /trend, read as the CLI's options or as plain words (pure: no index)."""
from __future__ import annotations

import pytest

from retrieval.compare.command import CommandError, split_options, table_request
from retrieval.knowledge.regions import load_gazetteer


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


@pytest.mark.parametrize("what, text, indicator, expected", [
    ("compare", "GDP growth --level province --period 2025 --kind target", "GDP growth",
     {"regions": None, "level": "province", "period": "2025", "kind": "target", "sort": False}),
    ("compare", "GDP growth --regions Shanghai, Jiangsu ,浙江 --sort --above 5.5%", "GDP growth",
     {"regions": ["Shanghai", "Jiangsu", "浙江"], "level": None, "sort": True, "above": 5.5}),
    ("compare", "GDP growth —level city —period=2024", "GDP growth", {"level": "city", "period": "2024"}),  # Slack's dashes
    ("trend", "GDP growth --region national --from 2000", "GDP growth", {"region": "national", "since": 2000, "until": None}),
    ("trend", "GDP growth --region Inner Mongolia --to 2024 --kind achieved", "GDP growth",
     {"region": "Inner Mongolia", "until": 2024, "kind": "achieved"}),
])
def test_options_as_the_cli_takes_them(gazetteer, what, text, indicator, expected):
    words, options = table_request(text, what, gazetteer)
    assert words == indicator
    assert {k: options[k] for k in expected} == expected


def test_plain_words_name_places_year_and_kind(gazetteer):
    words, options = table_request("R&D intensity Jiangsu, Zhejiang, Guangdong", "compare", gazetteer)
    assert options["regions"] == ["320000", "330000", "440000"] and options["level"] is None
    _, options = table_request("经济增长 长三角 2025 目标", "compare", gazetteer)
    assert (options["regions"], options["period"], options["kind"]) == (["Yangtze River Delta"], "2025", "target")
    _, options = table_request("地区生产总值增长 江苏 since 2010", "trend", gazetteer)
    assert (options["region"], options["since"]) == ("320000", 2010)
    _, options = table_request("GDP growth Jiangsu --level province", "compare", gazetteer)
    assert (options["regions"], options["level"]) == (None, "province")  # an option wins over the words


@pytest.mark.parametrize("what, text, says", [
    ("compare", "GDP growth --lvl province", "`--lvl` is not an option of /compare"),
    ("compare", "GDP growth --period 20x5", "takes a year such as 2025"),
    ("compare", "GDP growth --kind plan", "`--kind` is one of target, achieved"),
    ("compare", "GDP growth --above lots", "takes a number"),
    ("compare", "GDP growth --regions", "`--regions` needs a value"),
    ("compare", "GDP growth --sort=yes", "takes no value"),
    ("compare", "GDP growth --period 2024 --period 2025", "given twice"),
    ("compare", "GDP growth --regions Jiangsu --level city", "not both"),
    ("trend", "GDP growth --regions Jiangsu", "`--regions` is not an option of /trend"),
    ("trend", "--from 2000", "name an indicator first"),
])
def test_bad_arguments_say_what_is_wrong_and_how_to_write_them(what, text, says):
    with pytest.raises(CommandError) as err:
        split_options(text, what)
    assert says in err.value.problem
    assert f"Usage: `/{what} INDICATOR" in str(err.value)


def test_full_width_digits_in_options_and_words(gazetteer):
    _, options = table_request("国内生产总值增长 --from ２０００", "trend", gazetteer)
    assert options["since"] == 2000
    _, options = table_request("经济增长 各省 ２０２５年 目标 高于５．５％", "compare", gazetteer)
    assert (options["period"], options["above"], options["kind"]) == ("2025", 5.5, "target")
