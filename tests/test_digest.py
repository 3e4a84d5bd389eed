"""Region digests over the shared corpus, as `planbot region` shows them."""
from __future__ import annotations

import pytest

from retrieval.ask.digest import RegionReader
from retrieval.errors import UnknownRegion


@pytest.fixture(scope="module")
def reader(corpus_index):
    return RegionReader(corpus_index)


def sources(digest):
    return {f["source"]["title"] for f in digest["figures"]}


def test_city_digest_includes_its_districts_and_nothing_outside(reader):
    d = reader.region("Nanjing")
    assert d["region"]["name"] == "Nanjing" and d["region"]["level"] == "city"
    titles = sources(d)
    assert any("Qinhuai" in t for t in titles), titles
    assert any("江北新區" in t for t in titles), titles
    assert not any("政府工作报告" in t and "江苏" not in t for t in titles), titles


def test_province_digest_has_results_and_targets_from_its_report(reader):
    d = reader.region("江苏")
    kinds = {f["kind"] for f in d["figures"] if "江苏" in f["source"]["title"]}
    assert {"achieved", "target"} <= kinds
    assert {f["period"] for f in d["figures"] if "江苏" in f["source"]["title"]} & {"2024", "2025"}
    # every figure comes from Jiangsu's own report or from a source about a place inside it
    inside = sources(reader.region("Nanjing"))
    assert all("江苏" in f["source"]["title"] or f["source"]["title"] in inside for f in d["figures"]), sources(d)


def test_province_includes_its_cities(reader):
    fujian = reader.region("Fujian")
    # the city article's figures are part of the province's digest, beside the province's report
    assert any(t.startswith("Ningde") for t in sources(fujian)) and "2025年福建省政府工作报告" in sources(fujian), sources(fujian)
    ningde = reader.region("寧德")
    assert any(f["text"] == "39.8%" for f in ningde["figures"])
    assert any(i["name"] == "lithium batteries" for i in ningde["industries"])


def test_regions_tree_counts_documents(reader):
    rows = {r["name"]: r for r in reader.regions()}
    assert rows["Jiangsu"]["documents"] >= 4 and rows["Nanjing"]["documents"] == 3
    assert rows["Nanjing"]["parent"] == rows["Jiangsu"]["id"]


def test_unknown_region_offers_closest_matches(reader):
    with pytest.raises(UnknownRegion) as err:
        reader.region("Nanjng")
    assert any(c.name == "Nanjing" for c in err.value.candidates)
    with pytest.raises(UnknownRegion):
        reader.region("Tokyo")


def test_digest_figures_carry_their_fact_and_places_inside_under_their_own_name(reader):
    d = reader.region("Nanjing")
    assert d["figures"]
    for f in d["figures"]:
        assert {"region", "period", "kind", "measure"} <= set(f)
        if f["region"]["id"] != d["region"]["id"]:
            assert f["place"] and f["metric"].startswith(f["place"] + ":")
    assert any(f["place"] == "Jiangbei New Area" for f in d["figures"])
    # the region's own figures come first
    own = [f["place"] is None for f in d["figures"]]
    assert own == sorted(own, reverse=True)


def test_province_digest_has_no_figure_of_another_region_and_right_kinds(reader):
    from retrieval.knowledge.regions import load_gazetteer

    inside = load_gazetteer().descendants("320000")
    d = reader.region("Jiangsu")
    assert d["figures"] and all(f["region"]["id"] in inside for f in d["figures"])
    sichuan = reader.region("Sichuan")
    jobs = [f for f in sichuan["figures"] if f["text"].startswith("85万人")]
    assert all(f["kind"] == "target" and f["period"] == "2025" for f in jobs)
    tibet = reader.region("Tibet")
    assert not any(f["kind"] == "target" and f["period"] == "2024" for f in tibet["figures"])
