"""framework.diagrams draws every picture from plain data: these check it does so safely."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.test import SimpleTestCase

from framework.diagrams import (
    Diagram,
    DiagramEdge,
    DiagramNode,
    Series,
    border_width,
    line_width,
    render_diagram,
    render_matrix,
    render_month_chart,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    """The rendered figure as an element tree (the output is well-formed XML)."""
    return ET.fromstring(f"<root>{markup}</root>")  # noqa: S314 - our own output


def small_diagram(**overrides: object) -> Diagram:
    fields: dict[str, object] = {
        "title": "Test diagram",
        "description": "A small test picture.",
        "columns": [
            [
                DiagramNode(
                    "ctx", "context", "Accepting", "/c/", 18, "coded in 18", "context--accepting"
                ),
                DiagramNode("f1", "factor", "Understanding and validation", "/c/#f1", 16),
                DiagramNode("f2", "factor", "Explicitly valuing the person", "/c/#f2", 7),
            ],
            [
                DiagramNode("m1", "mechanism", "I am acceptable", "/m1/", 10),
                DiagramNode("m2", "mechanism", "Relationships are safe", "/m2/", 3),
            ],
            [DiagramNode("o1", "outcome", "Reduced social isolation", "/o1/", 7)],
        ],
        "edges": [
            DiagramEdge("ctx", "m1", 10, "10 studies"),
            DiagramEdge("ctx", "m2", 3, "3 studies"),
            DiagramEdge("m1", "o1", 5, "5 studies"),
            DiagramEdge("m2", "o1", 1, "1 study"),
        ],
        "column_titles": ["Context", "Mechanisms", "Outcomes"],
    }
    fields.update(overrides)
    return Diagram(**fields)  # type: ignore[arg-type]


def edge_widths(root: ET.Element) -> dict[tuple[str, str], float]:
    return {
        (path.get("data-source", ""), path.get("data-target", "")): float(
            path.get("stroke-width", "0")
        )
        for path in root.iter(f"{SVG}path")
    }


def box_for(root: ET.Element, key: str) -> ET.Element:
    for element in root.iter():
        if element.get("data-node") == key:
            rect = element.find(f"{SVG}rect")
            assert rect is not None
            return rect
    raise AssertionError(f"no node {key}")


class TestWeightScales(SimpleTestCase):
    def test_line_width_grows_with_weight_from_1_5_to_7_5(self) -> None:
        widths = [line_width(weight, 20) for weight in (0, 1, 5, 10, 20, 40)]
        assert widths == sorted(widths)
        assert widths[0] == 1.5
        assert widths[-2] == 7.5
        assert widths[-1] == 7.5  # capped at the maximum

    def test_border_width_grows_with_weight_from_1_to_5(self) -> None:
        widths = [border_width(weight, 20) for weight in (0, 3, 7, 20)]
        assert widths == sorted(widths)
        assert (widths[0], widths[-1]) == (1.0, 5.0)

    def test_a_zero_maximum_does_not_divide_by_zero(self) -> None:
        assert line_width(3, 0) == 1.5


class TestRenderDiagram(SimpleTestCase):
    def test_a_label_with_markup_is_escaped_everywhere(self) -> None:
        diagram = small_diagram(
            title="<b>title</b>",
            columns=[
                [DiagramNode("x", "mechanism", "<script>alert(1)</script>", '/m/"onclick="x')],
                [DiagramNode("y", "outcome", "Fine & dandy", None)],
            ],
            edges=[DiagramEdge("x", "y", 1, "<i>1</i>")],
        )
        html = str(render_diagram(diagram))
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>" not in html
        assert "<i>" not in html
        assert 'onclick="x' not in html
        assert "Fine &amp; dandy" in html
        parse(html)  # still well-formed

    def test_thicker_lines_stand_for_heavier_edges(self) -> None:
        widths = edge_widths(parse(render_diagram(small_diagram())))
        assert widths[("ctx", "m1")] > widths[("m1", "o1")] > widths[("ctx", "m2")]
        assert widths[("ctx", "m2")] > widths[("m2", "o1")]

    def test_a_shared_maximum_makes_the_same_weight_thinner(self) -> None:
        own = edge_widths(parse(render_diagram(small_diagram())))
        shared = edge_widths(parse(render_diagram(small_diagram(), max_weight=40)))
        assert shared[("ctx", "m1")] < own[("ctx", "m1")]
        # Without a shared maximum the heaviest weight drawn (the context's 18) is the scale.
        assert own[("ctx", "m1")] == line_width(10, 18)
        assert shared[("ctx", "m1")] == line_width(10, 40)

    def test_box_borders_grow_with_node_weight(self) -> None:
        root = parse(render_diagram(small_diagram()))
        borders = {key: float(box_for(root, key).get("stroke-width", "0")) for key in ("m1", "m2")}
        assert borders["m1"] > borders["m2"]

    def test_an_unsupported_box_has_a_dashed_border(self) -> None:
        diagram = small_diagram(
            columns=[[DiagramNode("k", "outcome", "Knowledge and skills", "/k/", 0)]], edges=[]
        )
        assert box_for(parse(render_diagram(diagram)), "k").get("stroke-dasharray") == "5 4"

    def test_mechanisms_are_rounded_and_outcomes_square(self) -> None:
        root = parse(render_diagram(small_diagram()))
        assert float(box_for(root, "m1").get("rx", "0")) > 0
        assert float(box_for(root, "o1").get("rx", "1")) == 0

    def test_factors_after_a_context_are_drawn_inside_its_box(self) -> None:
        root = parse(render_diagram(small_diagram()))
        outer, inner = box_for(root, "ctx"), box_for(root, "f2")

        def edges_of(rect: ET.Element) -> tuple[float, float, float, float]:
            x, y = float(rect.get("x", "0")), float(rect.get("y", "0"))
            return x, y, x + float(rect.get("width", "0")), y + float(rect.get("height", "0"))

        ox1, oy1, ox2, oy2 = edges_of(outer)
        ix1, iy1, ix2, iy2 = edges_of(inner)
        assert ox1 < ix1
        assert oy1 < iy1
        assert ix2 < ox2
        assert iy2 < oy2

    def test_every_box_with_a_page_is_a_link(self) -> None:
        root = parse(render_diagram(small_diagram()))
        hrefs = {a.get("href") for a in root.iter(f"{SVG}a")}
        assert hrefs == {"/c/", "/c/#f1", "/c/#f2", "/m1/", "/m2/", "/o1/"}

    def test_the_svg_is_labelled_by_its_own_title_and_description(self) -> None:
        root = parse(render_diagram(small_diagram()))
        figure = root.find("figure")
        svg = root.find(f".//{SVG}svg")
        assert figure is not None
        assert svg is not None
        title_id, desc_id = (svg.get("aria-labelledby") or "").split()
        assert figure.get("aria-labelledby") == title_id
        title = svg.find(f"{SVG}title")
        desc = svg.find(f"{SVG}desc")
        assert title is not None
        assert title.get("id") == title_id
        assert title.text == "Test diagram"
        assert desc is not None
        assert desc.get("id") == desc_id

    def test_it_is_sized_by_its_view_box_so_it_scales_to_any_width(self) -> None:
        svg = parse(render_diagram(small_diagram())).find(f".//{SVG}svg")
        assert svg is not None
        assert svg.get("width") == "100%"
        assert len((svg.get("viewBox") or "").split()) == 4
        assert svg.get("height") is None

    def test_labels_are_real_text_and_long_ones_wrap(self) -> None:
        root = parse(render_diagram(small_diagram()))
        texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
        assert "Accepting" in texts
        wrapped = [t for t in root.iter(f"{SVG}text") if "Explicitly" in "".join(t.itertext())]
        assert len(wrapped[0].findall(f"{SVG}tspan")) >= 2

    def test_nothing_carries_a_style_attribute(self) -> None:
        html = str(render_diagram(small_diagram()))
        assert "style=" not in html
        assert "<script" not in html

    def test_the_text_alternative_lists_every_box_and_line_with_its_weight(self) -> None:
        root = parse(render_diagram(small_diagram()))
        tables = root.findall(".//details/table")
        assert len(tables) == 2
        boxes, lines = (
            [["".join(cell.itertext()) for cell in row] for row in table.iter("tr")][1:]
            for table in tables
        )
        assert [row[1] for row in boxes] == [
            "Accepting",
            "Understanding and validation",
            "Explicitly valuing the person",
            "I am acceptable",
            "Relationships are safe",
            "Reduced social isolation",
        ]
        assert ["Context", "Accepting", "coded in 18", "18"] in boxes
        assert lines == [
            ["Accepting", "I am acceptable", "10 studies", "10"],
            ["Accepting", "Relationships are safe", "3 studies", "3"],
            ["I am acceptable", "Reduced social isolation", "5 studies", "5"],
            ["Relationships are safe", "Reduced social isolation", "1 study", "1"],
        ]

    def test_the_same_input_gives_the_same_svg(self) -> None:
        assert render_diagram(small_diagram()) == render_diagram(small_diagram())

    def test_two_different_diagrams_get_different_ids(self) -> None:
        one = parse(render_diagram(small_diagram())).find("figure")
        two = parse(render_diagram(small_diagram(title="Other"))).find("figure")
        assert one is not None
        assert two is not None
        assert one.get("aria-labelledby") != two.get("aria-labelledby")

    def test_edges_to_unknown_boxes_are_left_out(self) -> None:
        diagram = small_diagram(edges=[DiagramEdge("ctx", "nowhere", 3)])
        assert edge_widths(parse(render_diagram(diagram))) == {}


class TestCompactNetwork(SimpleTestCase):
    """Issue 11: the network as a list of text for a phone, the drawing one tap away."""

    def compact(self, diagram: Diagram | None = None) -> ET.Element:
        figure = parse(render_diagram(diagram or small_diagram(), compact=True)).find("figure")
        assert figure is not None
        return figure

    def test_without_compact_the_figure_is_unchanged_which_is_what_pdfs_draw(self) -> None:
        html = str(render_diagram(small_diagram()))
        assert "diagram__compact" not in html
        assert 'class="diagram diagram--network"' in html
        full = str(render_diagram(small_diagram(), compact=True))
        # The drawing itself is the same, byte for byte.
        svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
        assert svg in full

    def test_each_box_is_listed_with_the_boxes_its_lines_lead_to_strongest_first(self) -> None:
        """Rules in four steps of the largest weight (18 here, the context box): 10 is 2, 3 is 1."""
        figure = self.compact()
        compact = figure.find("div[@class='diagram__compact network']")
        assert compact is not None
        nodes = compact.findall(".//li[@class='network__node context--accepting']")
        assert len(nodes) == 1
        links = [
            ("".join(li.itertext()), li.get("class"))
            for li in nodes[0].iter("li")
            if "network__link" in (li.get("class") or "")
        ]
        assert links == [
            ("I am acceptable 10 studies", "network__link network__link--2"),
            ("Relationships are safe 3 studies", "network__link network__link--1"),
        ]
        text = "".join(compact.itertext())
        assert "Made up of: Understanding and validation; Explicitly valuing the person" in text
        assert "From context to mechanisms" in text
        assert "Reduced social isolation" in text

    def test_the_full_drawing_is_one_link_away(self) -> None:
        figure = self.compact()
        canvas = figure.find("div[@class='diagram__canvas']")
        assert canvas is not None
        assert canvas.find(f"{SVG}svg") is not None
        link = figure.find(".//a[@class='network__full-link']")
        assert link is not None
        assert link.get("href") == f"#{canvas.get('id')}"

    def test_labels_are_escaped_in_the_list_too(self) -> None:
        diagram = small_diagram(
            columns=[
                [DiagramNode("x", "mechanism", "<script>alert(1)</script>", '/m/"onclick="x')],
                [DiagramNode("y", "outcome", "Fine & dandy", None)],
            ],
            edges=[DiagramEdge("x", "y", 1, "<i>1</i>")],
        )
        html = str(render_diagram(diagram, compact=True))
        assert "<script>" not in html
        assert "<i>" not in html
        assert 'onclick="x' not in html
        parse(html)


class TestRenderMonthChart(SimpleTestCase):
    def chart(self, **overrides: object) -> str:
        arguments: dict[str, object] = {
            "title": "Contexts reflected on",
            "description": "One row per context.",
            "months": ["Jan", "Feb", "Mar"],
            "series": [
                Series("accepting", "Accepting", [1, 4, 2], "context--accepting"),
                Series("available", "Available", [0, 2, 3], "context--available"),
            ],
            "max_value": 4,
        }
        arguments.update(overrides)
        return str(render_month_chart(**arguments))  # type: ignore[arg-type]

    def bar_heights(self, root: ET.Element) -> list[float]:
        return [float(rect.get("height", "0")) for rect in root.iter(f"{SVG}rect")]

    def test_bars_are_as_tall_as_their_values_on_one_scale(self) -> None:
        heights = self.bar_heights(parse(self.chart()))
        # Accepting 1, 4, 2 then Available 2, 3 (a zero draws no bar).
        assert len(heights) == 5
        assert heights[1] == 2 * heights[2] == 4 * heights[0]
        assert heights[3] == heights[2]

    def test_the_table_gives_every_value_by_series_and_month(self) -> None:
        root = parse(self.chart())
        rows = [["".join(c.itertext()) for c in row] for row in root.iter("tr")]
        assert rows == [
            ["Series", "Jan", "Feb", "Mar"],
            ["Accepting", "1", "4", "2"],
            ["Available", "0", "2", "3"],
        ]

    def test_it_is_an_image_labelled_by_its_title(self) -> None:
        svg = parse(self.chart()).find(f".//{SVG}svg")
        assert svg is not None
        assert svg.get("role") == "img"
        title = svg.find(f"{SVG}title")
        assert title is not None
        assert title.text == "Contexts reflected on"

    def test_labels_are_escaped(self) -> None:
        html = self.chart(series=[Series("x", "<script>x</script>", [1, 2, 3])], months=["<b>"])
        assert "<script>" not in html
        assert "<b>" not in html
        assert "&lt;script&gt;" in html
        parse(html)

    def test_the_same_input_gives_the_same_svg(self) -> None:
        assert self.chart() == self.chart()

    def test_each_series_has_its_own_row_label_so_colour_is_not_needed(self) -> None:
        texts = ["".join(t.itertext()) for t in parse(self.chart()).iter(f"{SVG}text")]
        assert "Accepting" in texts
        assert "Available" in texts


class TestRenderMatrix(SimpleTestCase):
    def matrix(self, **overrides: object) -> str:
        arguments: dict[str, object] = {
            "title": "Contexts together",
            "description": "How often two contexts were rated in one session.",
            "labels": ["Accepting", "Empowering", "Reciprocal"],
            "values": [[5, 2, 0], [2, 4, 1], [0, 1, 3]],
        }
        arguments.update(overrides)
        return str(render_matrix(**arguments))  # type: ignore[arg-type]

    def test_darker_cells_stand_for_larger_values(self) -> None:
        cells = [
            float(rect.get("fill-opacity", "0")) for rect in parse(self.matrix()).iter(f"{SVG}rect")
        ]
        values = [5, 2, 0, 2, 4, 1, 0, 1, 3]
        pairs = sorted(zip(values, cells, strict=True))
        assert [cell for _, cell in pairs] == sorted(cells)
        assert cells[0] == max(cells)

    def test_every_number_is_dark_on_a_cell_light_enough_to_read_it(self) -> None:
        """The darkest cell is 60% of #1d5c63 over white: about 4.9:1 against the ink."""
        root = parse(self.matrix())
        values = [t for t in root.iter(f"{SVG}text") if t.get("class") == "chart__cell-value"]
        assert {t.get("fill") for t in values} == {"#1b2a2f"}
        opacities = [float(r.get("fill-opacity", "1")) for r in root.iter(f"{SVG}rect")]
        assert max(opacities) == 0.6

    def test_the_table_gives_every_cell(self) -> None:
        rows = [["".join(c.itertext()) for c in row] for row in parse(self.matrix()).iter("tr")]
        assert rows[0] == ["", "Accepting", "Empowering", "Reciprocal"]
        assert rows[1] == ["Accepting", "5", "2", "0"]
        assert rows[3] == ["Reciprocal", "0", "1", "3"]

    def test_labels_are_escaped(self) -> None:
        html = self.matrix(labels=["<script>", "b", "c"])
        assert "<script>" not in html
        assert "&lt;script&gt;" in html

    def test_the_same_input_gives_the_same_svg(self) -> None:
        assert self.matrix() == self.matrix()

    def test_an_all_zero_matrix_still_draws(self) -> None:
        html = self.matrix(values=[[0, 0, 0], [0, 0, 0], [0, 0, 0]])
        assert len(list(parse(html).iter(f"{SVG}rect"))) == 9
