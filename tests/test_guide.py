"""The buying guide (`go-advisor guide`): golden files per template, links and citations that resolve, numbers
that are recommend's, deterministic valid SVG, hostile names kept as text, block overrides, the zh-CN catalog."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from test_cli import run
from test_hostile_cli import cli

from advisor import api, cli_guide
from advisor.guide import GUIDE_FORMATS, LANGS, build_guide, charts, guide_files, write_guide
from advisor.guide.context import CAVEAT_RULES, CAVEATS
from advisor.guide.i18n import load_catalog
from advisor.render.formats import FORMATS
from advisor.render.templating import Templates
from advisor.types.knowledge import STRONG_LEVELS_BY_KIND
from advisor.types.provenance import EVIDENCE_ORDER
from advisor.verdict import OS_LABELS

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "guide"
DATA = api.load(rules_backend="builtin")  # both backends give the same findings (tests/test_rules.py)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def us():
    return build_guide(["microservice"], market="us", data=DATA)


@pytest.fixture(scope="module")
def cn():
    return build_guide(["microservice", "learning", "microservice"], market="cn", data=DATA)  # given twice: once


def _check(name: str, text: str) -> None:
    import os  # noqa: PLC0415

    path = GOLDEN / name
    if os.environ.get("GO_ADVISOR_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with GO_ADVISOR_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


# ------------------------------------------------------------------ golden files, one per template and language
def test_markdown_guide_in_english_is_exactly_the_golden_file(us):
    _check("microservice-us.en.md", guide_files(us, "markdown", "en")["guide.md"])


def test_markdown_guide_in_chinese_for_the_cn_market_is_exactly_the_golden_file(cn):
    _check("microservice-cn.zh-CN.md", guide_files(cn, "markdown", "zh-CN")["guide.md"])


def test_html_guide_is_exactly_the_golden_file(us):
    _check("microservice-us.en.html", guide_files(us, "html", "en")["guide.html"])


# ------------------------------------------------------------------ the same numbers as recommend
def _verdict_lines(markdown: str) -> dict[str, tuple[str, float]]:
    """role -> (label, total) from the verdict's bullet lines."""
    found = {}
    for match in re.finditer(r"^- \*\*(?P<role>[^:*]+): (?P<label>.+?)\*\*, total (?P<total>[\d.]+) ", markdown, re.M):
        found[match["role"]] = (match["label"], float(match["total"]))
    return found


def _matrix_rows(markdown: str) -> list[list[str]]:
    """The comparison matrix's body rows, split into cells (escaped pipes kept inside their cell)."""
    section = markdown.split("### Comparison matrix", 1)[1].split("###", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| # |")]
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]


def test_best_pick_runner_up_and_totals_equal_recommends_json(tmp_path):
    # the guide command as installed, with the global --templates option overriding its header block
    folder = tmp_path / "templates" / "guide"
    folder.mkdir(parents=True)
    (folder / "guide.md.j2").write_text('{% extends "default:guide/guide.md.j2" %}{% block header %}# Ours\n\n'
                                        '{% endblock %}\n')
    recommended = run("recommend", "--format", "json", "--market", "us", cwd=tmp_path)
    written = run("--templates", str(tmp_path / "templates"), "guide", "-o", str(tmp_path / "g"), "--market", "us",
                  cwd=tmp_path)
    assert recommended.returncode == 0 and written.returncode == 0, recommended.stderr + written.stderr
    document = json.loads(recommended.stdout)
    markdown = (tmp_path / "g" / "guide.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Ours\n\n- [Microservice")
    verdict = _verdict_lines(markdown)
    for pick in document["verdict"]:
        assert verdict[pick["role"]] == (pick["label"], pick["total"])
        assert "; ".join(pick["reasons"]) in markdown
    assert [role for role in verdict] == [pick["role"] for pick in document["verdict"]]
    rows = _matrix_rows(markdown)
    assert [(row[1], float(row[2].split()[0])) for row in rows] == [
        (entry["label"], entry["total"]) for entry in document["ranked"][:len(rows)]]
    assert len(rows) == 8


_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")
_CITATION = re.compile(r"\[([a-z0-9][a-z0-9.+-]*)\]\(#src-\1\)")


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in _NUMBER.findall(text)]


def test_every_number_in_the_verdict_and_matrix_is_recommends_and_every_price_is_cited(us):
    """The rule: every number in a verdict line or a matrix row, once the machine's label and the citation links
    are taken out, is one of that machine's values in recommend's result (rank, total, criterion scores, the
    predicted minutes a day, the price and the date it was seen) or is in a reason recommend gave, quoted whole;
    and every price is followed by the citation of its source, or says it is the project's estimate."""
    markdown = guide_files(us)["guide.md"]
    rec = us.sections[0].rec
    by_label = {s.label: s for s in rec.ranked}
    knowledge = DATA.knowledge

    def allowed(score, rank=None) -> set[float]:
        values = {score.total, *(round(c.score) for c in score.criteria if c.score is not None)}
        wait = score.metrics.value("daily_wait_min")
        if wait is not None:
            values.add(round(wait, 1))
        if rank is not None:
            values.add(rank)
        if score.price is not None:
            values.add(round(score.price.amount))
            values.update(_numbers(score.price.seen.replace("-", " ")))
        return values

    def price_is_cited(text: str, score) -> bool:
        if score.price is None:
            return "no price" in text
        if score.price.source in knowledge.sources:
            return f"[{score.price.source}](#src-{score.price.source})" in text
        return "project estimate" in text

    for index, row in enumerate(_matrix_rows(markdown)):
        score = by_label[row[1]]
        rest = _CITATION.sub("", " | ".join([row[0], *row[2:]]))
        assert set(_numbers(rest)) <= allowed(score, index + 1), row
        assert price_is_cited(row[-1], score)
    picks = {pick.label: pick for pick in rec.verdict}
    verdict = markdown.split("### Verdict", 1)[1].split("###", 1)[0]
    items = re.split(r"^- ", verdict, flags=re.M)[1:]
    assert len(items) == len(rec.verdict)
    for item in items:
        head = item.splitlines()[0]
        label = re.match(r"\*\*[^:]+: (.+?)\*\*", head)[1]
        score, pick = by_label[label], picks[label]
        assert set(_numbers(_CITATION.sub("", head.replace(label, "")))) <= allowed(score)
        assert price_is_cited(head, score)
        reasons_line = item.splitlines()[1]
        assert "; ".join(pick.reasons) in reasons_line  # the reasons' numbers are recommend's, quoted whole
        against = by_label[next(s.label for s in rec.ranked if s.machine_config == pick.against)].label
        assert set(_numbers(reasons_line.replace(against, "").replace("; ".join(pick.reasons), ""))) == set()


def test_tiers_partition_the_ranked_prices_and_name_each_bands_best(us):
    section = us.sections[0]
    priced = [s for s in section.rec.ranked if s.price is not None]
    assert sum(tier.machines for tier in section.tiers) == len(priced)
    for tier in section.tiers:
        inside = [s for s in priced if tier.low < s.price.amount <= tier.high]
        assert tier.best is inside[0]  # the first of the band in recommend's order
        for difference in tier.gives_up:
            assert difference.theirs - difference.mine >= 5
    assert [t.high for t in section.tiers] == sorted(t.high for t in section.tiers)


def _ahead_of(rec, machine: str) -> bool:
    """Another machine's total is higher than this machine's best (a tie broken by id is not ahead)."""
    mine = [s.total for s in rec.ranked if s.machine_id == machine]
    return rec.ranked[0].machine_id != machine and (not mine or rec.ranked[0].total > mine[0])


def test_every_weight_flip_is_what_recommend_gives_with_that_weight(us):
    section = us.sections[0]
    top = section.rec.ranked[0].machine_id
    assert section.flips.weights, "the microservice pick flips on some weight in the grid"
    for flip in section.flips.weights:
        rec = api.recommend(section.rec.profile, data=DATA, weights={flip.criterion: flip.new})
        assert rec.ranked[0].machine_config == flip.machine_config and rec.ranked[0].total == flip.total
        assert _ahead_of(rec, top)
        nearer = [w for w in section.flips.weight_grid if abs(w - flip.old) < abs(flip.new - flip.old)
                  and w != flip.old]
        for weight in nearer:  # nothing nearer the current weight flips it
            assert not _ahead_of(api.recommend(section.rec.profile, data=DATA, weights={flip.criterion: weight}), top)
    for criterion in section.flips.unflipped:  # and the criteria said not to flip do not, anywhere in the grid
        for weight in section.flips.weight_grid:
            assert not _ahead_of(api.recommend(section.rec.profile, data=DATA, weights={criterion: weight}), top)


def test_a_budget_flip_is_what_recommend_gives_with_that_budget(cn):
    section = cn.sections[0]
    flip = section.flips.budget
    assert flip is not None and flip.currency == "CNY"
    rec = api.recommend(section.rec.profile, data=DATA, budget=flip.amount, currency="CNY")
    assert rec.ranked[0].machine_config == flip.machine_config
    assert _ahead_of(rec, section.rec.ranked[0].machine_id)


def test_a_market_where_nothing_is_ranked_still_gives_a_guide_that_says_so():
    guide = build_guide(["microservice"], market="in", budget=10, data=DATA)
    files = guide_files(guide)
    markdown = files["guide.md"]
    assert "No machine is ranked for this profile in this market." in markdown
    assert "### Comparison matrix" not in markdown and "### Budget tiers" not in markdown
    for name in (n for n in files if n.endswith(".svg")):
        ElementTree.fromstring(files[name].encode("utf-8"))
    flip = guide.sections[0].flips.budget  # what budget would rank something at all
    assert flip is not None and api.recommend(guide.sections[0].rec.profile, data=DATA, budget=flip.amount,
                                              currency="INR").ranked[0].machine_config == flip.machine_config


# ------------------------------------------------------------------ links, anchors and citations
def _links(markdown: str) -> tuple[list[str], list[str], set[str]]:
    """(link targets, image sources, ids of the explicit anchors) of a CommonMark document."""
    md = MarkdownIt("commonmark").enable("table")
    hrefs, images, anchors = [], [], set()
    for block in md.parse(markdown):
        if block.type == "html_block":
            anchors.update(re.findall(r'<a id="([^"]+)"></a>', block.content))
        for token in block.children or ():
            if token.type == "link_open":
                hrefs.append(str(token.attrGet("href")))
            elif token.type == "image":
                images.append(str(token.attrGet("src")))
            elif token.type == "html_inline":
                anchors.update(re.findall(r'<a id="([^"]+)">', token.content))
    return hrefs, images, anchors


@pytest.mark.parametrize("lang", LANGS)
def test_every_link_resolves_to_an_anchor_or_a_file_written_beside_it(us, lang):
    files = guide_files(us, "markdown", lang)
    hrefs, images, anchors = _links(files["guide.md"])
    assert len(images) == 3 and all(image in files and image.endswith(".svg") for image in images)
    internal = [h for h in hrefs if h.startswith("#")]
    assert internal and all(h[1:] in anchors for h in internal)
    external = [h for h in hrefs if not h.startswith("#")]
    assert external and all(re.match(r"https?://", h) for h in external)  # the appendix's source links


def test_every_citation_links_to_its_dated_appendix_entry_and_every_entry_is_cited(us):
    markdown = guide_files(us)["guide.md"]
    body, appendix = markdown.split('<a id="evidence"></a>', 1)
    cited = set(re.findall(r"\]\(#src-([^)]+)\)", body))
    links = re.findall(r"\[([^\]]+)\]\(#src-([^)]+)\)", body)
    assert links and all(text == target for text, target in links)
    entries = re.findall(r'^- <a id="src-([^"]+)"></a>\*\*\1\*\*: (.+)$', appendix, re.M)
    assert {sid for sid, _ in entries} == cited
    for sid, entry in entries:
        source = DATA.knowledge.sources[sid]
        assert source.title in entry or source.title.replace("|", "\\|") in entry
        assert f"Kind: {source.kind}" in entry and f"accessed {source.accessed}" in entry
        assert "cited for: " in entry
        if STRONG_LEVELS_BY_KIND[source.kind]:
            assert "can establish: " in entry


def test_caveats_are_stated_once_and_cite_their_rules_sources(us):
    markdown = guide_files(us)["guide.md"]
    for caveat in CAVEATS:
        assert markdown.count(f"### {caveat.title}\n") == 1
        for rule_id in caveat.rules:
            rule = DATA.knowledge.rules_by_id[rule_id]
            line = next(line for line in markdown.splitlines() if line.startswith(f"- `{rule_id}`"))
            assert all(f"[{s}](#src-{s})" in line for s in rule.sources)
    verdict = markdown.split("### Verdict", 1)[1].split("### Budget tiers", 1)[0]
    for rule_id in CAVEAT_RULES:  # not repeated under the machines of the verdict
        literal = max(re.split(r"\{\{.*?\}\}", DATA.knowledge.rules_by_id[rule_id].message), key=len).strip()
        assert len(literal) > 20 and literal not in verdict


def test_seed_claims_are_labelled_and_never_stated_as_facts(knowledge_copy):
    rules = knowledge_copy / "rules" / "memory.yaml"
    text = rules.read_text()
    start = text.index("  - id: memory.upgradeable")
    block = text[start:text.index("  - id:", start + 10)]
    rules.write_text(text.replace(block, block.replace("confidence: estimate", "confidence: seed-claim", 1)))
    data = api.load(ROOT / "hardware_db", knowledge_copy, rules_backend="builtin")
    shown = guide_files(build_guide(["microservice"], market="us", evidence="seed-claim", data=data))["guide.md"]
    lines = [line for line in shown.splitlines() if "Memory sits in SODIMM/CAMM slots" in line]
    assert lines and all("(seed-claim; " in line and "unconfirmed seed claim, not a fact" in line for line in lines)
    entry = next(line for line in shown.splitlines() if line.startswith('- <a id="src-advisor-estimates">'))
    assert "seed-claim" in entry and "unconfirmed seed claim, not a fact" in entry
    default = api.recommend("microservice", market="us", data=data)  # what the default guide is made of
    assert not [f for s in default.ranked for f in s.findings if f.rule_id == "memory.upgradeable"]


# ------------------------------------------------------------------ charts
def test_charts_are_valid_svg_and_byte_identical_from_a_fresh_run(us):
    first = guide_files(us)
    fresh = guide_files(build_guide(["microservice"], market="us", data=api.load(rules_backend="builtin")))
    svgs = sorted(name for name in first if name.endswith(".svg"))
    assert svgs == ["microservice-criteria.svg", "microservice-price-vs-wait.svg", "microservice-wait.svg"]
    for name in svgs:
        assert first[name] == fresh[name]
        root = ElementTree.fromstring(first[name].encode("utf-8"))
        assert root.tag == f"{SVG}svg" and root.find(f"{SVG}title") is not None
        assert not [e for e in root.iter() if e.tag in (f"{SVG}script", f"{SVG}image", f"{SVG}foreignObject")]
    assert first["guide.md"] == fresh["guide.md"]


def test_the_scatter_marks_and_lists_the_pareto_front(us):
    svg = guide_files(us)["microservice-price-vs-wait.svg"]
    rec = us.sections[0].rec
    points = [charts.PricePoint(s.machine_config, s.label, s.price.amount, s.metrics.value("daily_wait_min"))
              for s in rec.ranked if s.price is not None]
    front = charts.pareto_front(points)
    root = ElementTree.fromstring(svg)
    texts = ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]
    for index, point in enumerate(front, start=1):
        assert any(t.startswith(f"{index}  {point.name}: {point.price:,.0f} USD") for t in texts)
    marked = [c for c in root.iter(f"{SVG}circle") if c.get("fill") == charts.FRONT_COLOUR and c.get("r") == "5"]
    assert len(marked) == len(front) + 1  # and the legend's


_points = st.lists(st.builds(charts.PricePoint, machine_config=st.text(min_size=1, max_size=8),
                             name=st.text(max_size=60), price=st.floats(1, 1e5),
                             wait_min_per_day=st.floats(0.01, 500)),
                   min_size=1, max_size=25, unique_by=lambda p: p.machine_config)


@given(_points)
@settings(max_examples=60, deadline=None)
def test_the_pareto_front_is_exactly_the_undominated_machines(points):
    front = {p.machine_config for p in charts.pareto_front(points)}

    def dominated(p):
        return any(q.price <= p.price and q.wait_min_per_day <= p.wait_min_per_day
                   and (q.price, q.wait_min_per_day) != (p.price, p.wait_min_per_day) for q in points)
    for point in points:
        if point.machine_config in front:
            assert not dominated(point)
        else:  # left off: something else is at least as good on both and better on one, or the same point
            assert dominated(point) or any(q.machine_config in front and (q.price, q.wait_min_per_day) ==
                                           (point.price, point.wait_min_per_day) for q in points)


@given(_points)
@settings(max_examples=60, deadline=None)
def test_any_name_stays_a_text_node_of_valid_svg(points):
    labels = {"title": "t", "x": "x", "y": "y", "front": "f", "currency": "USD", "minutes": "min"}
    for svg in (charts.price_vs_wait(points, labels), charts.wait_bars([(p.name, p.wait_min_per_day) for p in points],
                                                                       {"title": "t", "x": "x"}),
                charts.criterion_bars([(p.name, {"build": 50.0}) for p in points[:4]], [("build", "build")],
                                      {"title": "t", "y": "y"})):
        root = ElementTree.fromstring(svg.encode("utf-8"))
        assert {e.tag for e in root.iter()} <= {f"{SVG}{tag}" for tag in ("svg", "title", "text", "line", "circle",
                                                                            "rect", "polyline")}


# ------------------------------------------------------------------ hostile data
EVIL = 'Evil <script>alert(1)</script> ](javascript:alert(1)) | x'


@pytest.fixture()
def evil_db(db_copy):
    path = db_copy / "machines" / "framework.yaml"
    old = "  name: Framework Laptop 13 (AMD Ryzen 7040 Series)\n"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, f"  name: {json.dumps(EVIL)}\n", 1))
    return db_copy


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_a_hostile_machine_name_stays_text_in_markdown_svg_and_html(evil_db, tmp_path):
    guide = build_guide(["microservice"], market="us", data=api.load(evil_db, rules_backend="builtin"))
    for fmt in GUIDE_FORMATS:
        write_guide(guide_files(guide, fmt), tmp_path / fmt)
    markdown = (tmp_path / "markdown" / "guide.md").read_text(encoding="utf-8")
    assert "**best pick: Evil &lt;script&gt;alert(1)&lt;/script&gt; \\](javascript:alert(1)) \\| x" in markdown
    assert "<script>" not in markdown
    hrefs, _, _ = _links(markdown)
    assert not [h for h in hrefs if "javascript" in h]
    for section in ("### Budget tiers", "### Comparison matrix"):
        table = [line for line in markdown.split(section, 1)[1].split("###", 1)[0].splitlines()
                 if line.startswith("|")]
        widths = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
        assert len(table) > 2 and len(widths) == 1, table  # the name's `|` split no row
    for name in (tmp_path / "markdown").glob("*.svg"):
        root = ElementTree.fromstring(name.read_bytes())
        assert f"{SVG}script" not in {e.tag for e in root.iter()}
    svg = (tmp_path / "markdown" / "microservice-wait.svg").read_text(encoding="utf-8")
    assert "Evil &lt;script&gt;alert(1)&lt;/script&gt;" in svg
    html = (tmp_path / "html" / "guide.html").read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(html)
    assert [tag for tag, _ in parser.tags].count("script") == 1  # the guide's own sorting script
    assert not [attrs for tag, attrs in parser.tags if tag == "a" and "javascript" in (attrs.get("href") or "")]
    assert "Evil &amp;lt;script&amp;gt;" not in html and "Evil &lt;script&gt;alert(1)" in html


# ------------------------------------------------------------------ templates
def test_a_user_template_overrides_one_block_and_keeps_the_rest(us, tmp_path):
    folder = tmp_path / "templates" / "guide"
    folder.mkdir(parents=True)
    (folder / "guide.md.j2").write_text('{% extends "default:guide/guide.md.j2" %}'
                                        '{% block method %}## Our method\n\nWe asked the team.\n\n{% endblock %}\n')
    custom = guide_files(us, "markdown", "en", Templates(tmp_path / "templates"))["guide.md"]
    default = guide_files(us)["guide.md"]
    assert "## Our method\n\nWe asked the team." in custom and "## Method" not in custom
    assert custom.split("## Our method")[0] == default.split('<a id="method"></a>')[0]
    html = guide_files(us, "html", "en", Templates(tmp_path / "templates"))["guide.html"]
    assert "<h2>Our method</h2>" in html  # the HTML guide renders the same Markdown template


# ------------------------------------------------------------------ command line
def test_an_unknown_language_is_one_line_naming_the_choices(tmp_path, capsys):
    done = cli(capsys, "guide", "-o", str(tmp_path / "g"), "--lang", "fr")
    assert done.code == 2 and done.err.strip() == "go-advisor: error: --lang: 'fr' is not one of en, zh-CN"
    assert not (tmp_path / "g").exists()


def test_the_guide_is_never_written_over_an_input(tmp_path, capsys):
    templates = tmp_path / "templates"
    templates.mkdir()
    done = cli(capsys, "--templates", str(templates), "guide", "-o", str(templates))
    assert done.code == 2 and "is an input of this run" in done.err and not list(templates.iterdir())
    profile = tmp_path / "p.yaml"
    profile.write_text((ROOT / "knowledge" / "profiles" / "learning.yaml").read_text())
    done = cli(capsys, "guide", "-o", str(profile), "--profile", str(profile))
    assert done.code == 2 and "not a folder" in done.err
    assert profile.read_text() == (ROOT / "knowledge" / "profiles" / "learning.yaml").read_text()


def test_several_profiles_give_a_section_each_and_cn_prices_are_in_cny(cn, tmp_path):
    write_guide(guide_files(cn, "markdown", "zh-CN"), tmp_path / "g")
    markdown = (tmp_path / "g" / "guide.md").read_text(encoding="utf-8")
    assert markdown.count('<a id="p-') == 2 and "## 微服务（Kratos 风格）" in markdown and "## 学习 Go" in markdown
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == sorted(
        ["guide.md"] + [f"{p}-{c}.svg" for p in ("learning", "microservice") for c in ("criteria", "price-vs-wait",
                                                                                       "wait")])
    section = markdown.split("### 对比矩阵", 1)[1].split("###", 1)[0]
    prices = re.findall(r"\| ([\d,]+) ([A-Z]{3}) ", section)
    assert prices and {currency for _, currency in prices} == {"CNY"}


def test_the_guides_choices_are_the_registries(us):
    assert FORMATS["guide"] == GUIDE_FORMATS
    assert cli_guide._LANGS == LANGS


# ------------------------------------------------------------------ the zh-CN catalog
def _message_ids() -> set[str]:
    """Every English text the guide looks up: literal t("...") calls and the data it passes through t()."""
    found: set[str] = set()
    for path in [*(ROOT / "templates" / "guide").glob("*.j2"), *(ROOT / "advisor" / "guide").glob("*.py")]:
        for match in re.finditer(r'\bt\("((?:[^"\\]|\\.)*)"', path.read_text(encoding="utf-8")):
            found.add(match.group(1).replace('\\"', '"'))
    scoring = DATA.knowledge.scoring
    found |= set(scoring.criteria) | {c.description for c in scoring.criteria.values()}
    found |= {word for _, word in scoring.ratings}
    found |= {"best pick", "runner-up", "best value", *(f"best on {label}" for label in OS_LABELS.values())}
    found |= set(EVIDENCE_ORDER) | {"list", "street"} | set(STRONG_LEVELS_BY_KIND) - {"policy"}
    found |= {c.title for c in CAVEATS} | {c.body for c in CAVEATS}
    presets = DATA.knowledge.presets.values()
    found |= {p.name for p in presets} | {p.description for p in presets}
    return found


def test_the_chinese_catalog_translates_every_message_and_keeps_its_placeholders():
    catalog = load_catalog("zh-CN")
    ids = _message_ids()
    missing = sorted(ids - set(catalog.messages))
    assert not missing
    stale = sorted(set(catalog.messages) - ids)  # a text the guide no longer says: its translation would rot
    assert not stale
    for message in ids:
        assert set(re.findall(r"\{(\w+)\}", catalog.messages[message])) == set(re.findall(r"\{(\w+)\}", message))


def test_the_chinese_catalog_translates_every_reason_and_finding_the_verdicts_quote():
    catalog = load_catalog("zh-CN")
    untranslated = set()
    for preset in DATA.knowledge.presets:
        for market in ("us", "cn"):
            rec = api.recommend(preset, data=DATA, market=market)
            by_id = {s.machine_config: s for s in rec.ranked}
            for pick in rec.verdict:
                sentences = [*pick.reasons, *(f.message for f in by_id[pick.machine_config].findings
                                              if f.rule_id not in CAVEAT_RULES
                                              and (f.effect.penalty or f.effect.bonus or f.effect.disqualify))]
                untranslated |= {s for s in sentences if catalog.sentence(s) == s}
    assert not untranslated


# Names and commands the Chinese text keeps as they are written (tools, OSes, file and flag names).
KEPT_AS_WRITTEN = {"Kratos", "gopls", "fsync", "tmpfs", "build", "race", "test", "WSL", "linux", "arm", "windows",
                   "Windows", "Docker", "yaml", "scoring", "etcd", "kind", "PostgreSQL", "MySQL", "builtin", "durable",
                   "rules", "CAMM", "SODIMM", "GOMAXPROCS", "GOFLAGS", "GOCACHE", "Postgres", "Redis", "HTTP",
                   "gRPC", "Operator", "Kubernetes", "protobuf", "sqlc", "mock", "schema", "TiDB", "macOS", "Linux"}


def test_the_chinese_guide_leaves_no_english_sentence_of_its_own(cn):
    markdown = guide_files(cn, "markdown", "zh-CN")["guide.md"]
    labels = sorted({s.label for section in cn.sections for s in section.rec.ranked}, key=len, reverse=True)
    left = set()
    for line in markdown.split('<a id="evidence"></a>')[0].splitlines():  # the appendix quotes source titles
        plain = re.sub(r"\]\([^)]*\)", "]", _CITATION.sub("", line))
        for label in labels:
            plain = plain.replace(label, "")
        left |= set(re.findall(r"[A-Za-z]{4,}", re.sub(r"`[^`]*`|<[^>]+>", "", plain))) - KEPT_AS_WRITTEN
    assert not left
