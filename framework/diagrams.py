"""The one place that draws pictures: configuration diagrams, month charts and heat maps.

Everything here works from plain data (no models, no requests), so the explorer, the practice
pages and the PDFs draw exactly the same picture from the same input. Output is deterministic:
the same input gives byte-for-byte the same SVG, which is what makes it testable.

Rules every picture follows:
- inline SVG with a `<title>` and `<desc>` the wrapping `<figure>` is labelled by, and a text
  alternative (tables of exactly what is drawn) straight after the SVG;
- all words are real `<text>` so screen readers and PDF text extraction find them;
- colours come from presentation attributes (so WeasyPrint draws them without the page's CSS)
  and from classes that explorer.css can refine; never a `style` attribute, which the Content
  Security Policy forbids;
- every label goes through `format_html`, so data can never inject markup.
"""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

NodeKind = Literal["context", "factor", "mechanism", "outcome"]

# The context colours repeat app.css's --ctx-* tokens because WeasyPrint draws inline SVG
# from its presentation attributes; in the browser, explorer.css applies the same tokens.
CONTEXT_COLOURS = {
    "context--accepting": "#7b3f8c",
    "context--personalised_practice": "#1f5f99",
    "context--empowering": "#a0400b",
    "context--available": "#1e6b4e",
    "context--reciprocal": "#8c2f4a",
}
INK = "#1b2a2f"
INK_SOFT = "#44565c"
LINE = "#d5dcdc"
EDGE = "#5f7479"
KIND_STROKE = {
    "context": "#1d5c63",
    "factor": "#44565c",
    "mechanism": "#2f5d73",
    "outcome": "#4a4a4a",
}
KIND_FILL = {
    "context": "#ffffff",
    "factor": "#f6f7f5",
    "mechanism": "#eaf2f5",
    "outcome": "#f3f3f1",
}
# Mechanisms are soft (rounded) rectangles and outcomes hard ones, as in the paper's figures.
KIND_RADIUS = {"context": 6.0, "factor": 4.0, "mechanism": 16.0, "outcome": 0.0}
# Series colours for charts, chosen for 3:1 contrast on white and to stay apart for the
# common colour-vision deficiencies; the small-multiple rows never rely on colour alone.
SERIES_COLOURS = ["#1d5c63", "#a0400b", "#7b3f8c", "#1f5f99", "#1e6b4e", "#8c2f4a", "#4a4a4a"]
HEAT = "#1d5c63"
# Heat-map cells stay light enough for dark numbers to keep 4.5:1 contrast on the darkest one
# (about 4.9:1 at 60% of HEAT over white). White numbers on mid-tone cells would fall short.
HEAT_MIN = 0.06
HEAT_MAX = 0.6

# Diagram geometry, in viewBox units (about pixels at full width).
FONT = 14.0
LINE_HEIGHT = 18.0
SMALL = 12.0
SMALL_LINE_HEIGHT = 15.0
COLUMN_WIDTH = 220.0
COLUMN_GAP = 130.0
MARGIN = 12.0
TITLE_HEIGHT = 30.0
NODE_GAP = 16.0
PAD_X = 10.0
PAD_Y = 9.0
FACTOR_INSET = 10.0
# Average glyph width as a share of the font size for the usual sans-serif faces; used to wrap.
GLYPH = 0.56
# Named on the <svg> itself because WeasyPrint draws inline SVG apart from the page's CSS:
# PDFs then use the face static/css/pdf.css ships, while on screen app.css sets the site's.
FONT_FAMILY = "APPEAR Inter, sans-serif"


@dataclass(frozen=True)
class DiagramNode:
    key: str
    kind: NodeKind
    label: str
    href: str | None = None
    weight: float = 1.0
    detail: str = ""
    css_class: str = ""


@dataclass(frozen=True)
class DiagramEdge:
    source: str
    target: str
    weight: float
    label: str = ""


@dataclass(frozen=True)
class Diagram:
    title: str
    description: str
    columns: list[list[DiagramNode]]
    edges: list[DiagramEdge]
    column_titles: list[str]


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    values: list[float]
    css_class: str = ""


def line_width(weight: float, max_weight: float) -> float:
    """Stroke width of an edge: 1.5 at no support, 7.5 at the maximum."""
    return round(1.5 + 6.0 * _share(weight, max_weight), 2)


def border_width(weight: float, max_weight: float) -> float:
    """Border width of a box: 1 at no support, 5 at the maximum."""
    return round(1.0 + 4.0 * _share(weight, max_weight), 2)


def _share(weight: float, max_weight: float) -> float:
    if max_weight <= 0 or weight <= 0:
        return 0.0
    return min(weight / max_weight, 1.0)


def _num(value: float) -> str:
    """A number as SVG and tables show it: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _uid(prefix: str, *parts: object) -> str:
    """A stable id from the picture's content, so ids are unique per picture yet repeatable."""
    digest = hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:10]
    return f"{prefix}-{digest}"


def _wrap(text: str, width_units: float, font: float) -> list[str]:
    chars = max(6, int(width_units / (font * GLYPH)))
    return textwrap.wrap(text, chars, break_long_words=True, break_on_hyphens=False) or [""]


def _stroke_for(css_class: str, default: str) -> str:
    for name in css_class.split():
        if name in CONTEXT_COLOURS:
            return CONTEXT_COLOURS[name]
    return default


def _text(
    x: float,
    y: float,
    lines: Sequence[str],
    *,
    size: float,
    line_height: float,
    css_class: str,
    fill: str = INK,
    anchor: str = "start",
    bold: bool = False,
    transform: str = "",
) -> SafeString:
    """A `<text>` element with one `<tspan>` per line; `y` is the first line's baseline."""
    spans = format_html_join(
        "",
        '<tspan x="{}" y="{}">{}</tspan>',
        ((_num(x), _num(y + index * line_height), line) for index, line in enumerate(lines)),
    )
    return format_html(
        '<text class="{}" x="{}" y="{}" font-size="{}" fill="{}" text-anchor="{}"'
        ' font-weight="{}"{}>{}</text>',
        css_class,
        _num(x),
        _num(y),
        _num(size),
        fill,
        anchor,
        "600" if bold else "400",
        format_html(' transform="{}"', transform) if transform else "",
        spans,
    )


def _join(parts: Iterable[SafeString | str]) -> SafeString:
    # Every part was built by format_html (or is one of this module's constants).
    return mark_safe("".join(parts))  # noqa: S308


# --------------------------------------------------------------------------------------------
# Configuration diagrams
# --------------------------------------------------------------------------------------------


@dataclass
class _Box:
    node: DiagramNode
    column: int
    x: float
    y: float
    width: float
    height: float
    label_lines: list[str]
    detail_lines: list[str]
    children: list[_Box]
    parent: _Box | None = None

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


def _measure(node: DiagramNode, width: float) -> tuple[list[str], list[str], float]:
    inner = width - 2 * PAD_X
    label_lines = _wrap(node.label, inner, FONT)
    detail_lines = _wrap(node.detail, inner, SMALL) if node.detail else []
    height = 2 * PAD_Y + len(label_lines) * LINE_HEIGHT
    if detail_lines:
        height += len(detail_lines) * SMALL_LINE_HEIGHT + 2
    return label_lines, detail_lines, height


def _layout_column(nodes: list[DiagramNode], column: int, x: float) -> list[_Box]:
    """Stack a column's boxes; factors that follow a context are drawn inside its box."""
    boxes: list[_Box] = []
    for node in nodes:
        owner = boxes[-1] if boxes and boxes[-1].node.kind == "context" else None
        if node.kind == "factor" and owner is not None:
            width = COLUMN_WIDTH - 2 * FACTOR_INSET
            label_lines, detail_lines, height = _measure(node, width)
            owner.children.append(
                _Box(
                    node, column, x + FACTOR_INSET, 0, width, height, label_lines, detail_lines, []
                )
            )
            owner.children[-1].parent = owner
            continue
        label_lines, detail_lines, height = _measure(node, COLUMN_WIDTH)
        boxes.append(_Box(node, column, x, 0, COLUMN_WIDTH, height, label_lines, detail_lines, []))
    for box in boxes:
        if box.children:
            box.height += sum(child.height + 8 for child in box.children) + 2
    return boxes


def _place_column(boxes: list[_Box], top: float) -> None:
    y = top
    for box in boxes:
        box.y = y
        _, _, header = _measure(box.node, box.width)
        child_y = y + header
        for child in box.children:
            child.y = child_y
            child_y += child.height + 8
        y += box.height + NODE_GAP


def _column_height(boxes: list[_Box]) -> float:
    return sum(box.height for box in boxes) + NODE_GAP * max(len(boxes) - 1, 0)


def _node_shape(box: _Box, max_weight: float) -> SafeString:
    node = box.node
    stroke = _stroke_for(node.css_class, KIND_STROKE[node.kind])
    classes = " ".join(
        part for part in ("diagram__node", f"diagram__node--{node.kind}", node.css_class) if part
    )
    tooltip = f"{node.label} ({node.detail})" if node.detail else node.label
    label_fill = stroke if node.kind == "context" else INK
    text_x = box.x + PAD_X
    first_baseline = box.y + PAD_Y + FONT
    parts = [
        format_html("<title>{}</title>", tooltip),
        format_html(
            '<rect class="diagram__box" x="{}" y="{}" width="{}" height="{}" rx="{}"'
            ' fill="{}" stroke="{}" stroke-width="{}"{}/>',
            _num(box.x),
            _num(box.y),
            _num(box.width),
            _num(box.height),
            _num(KIND_RADIUS[node.kind]),
            KIND_FILL[node.kind],
            stroke,
            _num(border_width(node.weight, max_weight)),
            # A box nothing supports gets a dashed border, so absence reads as absence.
            mark_safe(' stroke-dasharray="5 4"') if node.weight <= 0 else "",
        ),
        _text(
            text_x,
            first_baseline,
            box.label_lines,
            size=FONT,
            line_height=LINE_HEIGHT,
            css_class="diagram__label",
            fill=label_fill,
            bold=node.kind in {"context", "mechanism"},
        ),
    ]
    if box.detail_lines:
        parts.append(
            _text(
                text_x,
                first_baseline + len(box.label_lines) * LINE_HEIGHT - 1,
                box.detail_lines,
                size=SMALL,
                line_height=SMALL_LINE_HEIGHT,
                css_class="diagram__detail",
                fill=INK_SOFT,
            )
        )
    body = _join(parts)
    if node.href:
        return format_html(
            '<a class="{}" href="{}" data-node="{}">{}</a>', classes, node.href, node.key, body
        )
    return format_html('<g class="{}" data-node="{}">{}</g>', classes, node.key, body)


def _ports(boxes: dict[str, _Box], edges: list[DiagramEdge]) -> dict[tuple[int, str], float]:
    """Spread each box's edge ends down its side, ordered by where the other end lies."""
    outgoing: dict[str, list[tuple[float, str, int]]] = {}
    incoming: dict[str, list[tuple[float, str, int]]] = {}
    for index, edge in enumerate(edges):
        source, target = boxes[edge.source], boxes[edge.target]
        outgoing.setdefault(edge.source, []).append((target.middle, edge.target, index))
        incoming.setdefault(edge.target, []).append((source.middle, edge.source, index))
    ports: dict[tuple[int, str], float] = {}
    for side, groups in (("out", outgoing), ("in", incoming)):
        for key, ends in groups.items():
            box = boxes[key]
            ends.sort()
            count = len(ends)
            span = min(box.height * 0.7, 12.0 * (count - 1))
            for position, (_middle, _key, index) in enumerate(ends):
                offset = span * position / (count - 1) - span / 2 if count > 1 else 0.0
                ports[(index, side)] = box.middle + offset
    return ports


@dataclass
class _NetworkLayout:
    width: float
    height: float
    max_weight: float
    columns: list[list[_Box]]
    edges: list[DiagramEdge]
    boxes_by_key: dict[str, _Box]
    ports: dict[tuple[int, str], float]


def _network_layout(diagram: Diagram, max_weight: float | None) -> _NetworkLayout:
    """Where every box and edge end of a configuration diagram goes, in viewBox units."""
    all_nodes = [node for column in diagram.columns for node in column]
    keys = {node.key for node in all_nodes}
    edges = [edge for edge in diagram.edges if edge.source in keys and edge.target in keys]
    if max_weight is None:
        weights = [node.weight for node in all_nodes] + [edge.weight for edge in edges]
        max_weight = max(weights, default=1.0) or 1.0

    column_count = max(len(diagram.columns), 1)
    width = 2 * MARGIN + column_count * COLUMN_WIDTH + (column_count - 1) * COLUMN_GAP
    has_titles = any(diagram.column_titles)
    top = MARGIN + (TITLE_HEIGHT if has_titles else 0)

    columns = [
        _layout_column(nodes, index, MARGIN + index * (COLUMN_WIDTH + COLUMN_GAP))
        for index, nodes in enumerate(diagram.columns)
    ]
    tallest = max((_column_height(boxes) for boxes in columns), default=0.0)
    for boxes in columns:
        _place_column(boxes, top + (tallest - _column_height(boxes)) / 2)
    height = top + tallest + MARGIN

    boxes_by_key: dict[str, _Box] = {}
    for boxes in columns:
        for box in boxes:
            boxes_by_key[box.node.key] = box
            for child in box.children:
                boxes_by_key[child.node.key] = child
    ports = _ports(boxes_by_key, edges)

    return _NetworkLayout(
        width=width,
        height=height,
        max_weight=max_weight,
        columns=columns,
        edges=edges,
        boxes_by_key=boxes_by_key,
        ports=ports,
    )


def _edge_path(layout: _NetworkLayout, index: int) -> tuple[_Box, _Box, str]:
    """The source and target boxes of edge `index` and its curve as SVG path data."""
    edge = layout.edges[index]
    source, target = layout.boxes_by_key[edge.source], layout.boxes_by_key[edge.target]
    x1, y1 = source.x + source.width, layout.ports[(index, "out")]
    x2, y2 = target.x, layout.ports[(index, "in")]
    bend = max(abs(x2 - x1) / 2, 40.0)
    path = (
        f"M{_num(x1)} {_num(y1)} C{_num(x1 + bend)} {_num(y1)} {_num(x2 - bend)} {_num(y2)} "
        f"{_num(x2)} {_num(y2)}"
    )
    return source, target, path


def render_diagram(
    diagram: Diagram, *, max_weight: float | None = None, compact: bool = False
) -> SafeString:
    """A configuration diagram as a `<figure>`: the SVG, then tables of what it shows.

    Columns run left to right. A `factor` node straight after a `context` node is drawn inside
    that context's box. Edge thickness follows `line_width` and box borders `border_width`,
    both scaled against `max_weight` (default: the largest weight in the diagram), so several
    diagrams drawn with the same `max_weight` can be compared by eye.

    `compact` adds the same network as a vertical list of text for a phone (see
    `_compact_network`); the stylesheet shows it instead of the drawing on narrow screens,
    with the drawing one tap away. Without it the output is exactly as before.
    """
    layout = _network_layout(diagram, max_weight)
    width, height, max_weight = layout.width, layout.height, layout.max_weight
    columns, edges, boxes_by_key, ports = (
        layout.columns,
        layout.edges,
        layout.boxes_by_key,
        layout.ports,
    )
    column_count = max(len(diagram.columns), 1)

    uid = _uid("diagram", diagram)
    parts: list[SafeString] = [
        format_html('<title id="{}-title">{}</title>', uid, diagram.title),
        format_html('<desc id="{}-desc">{}</desc>', uid, diagram.description),
    ]
    for index, title in enumerate(diagram.column_titles[:column_count]):
        parts.append(
            _text(
                MARGIN + index * (COLUMN_WIDTH + COLUMN_GAP),
                MARGIN + SMALL + 4,
                [title],
                size=SMALL + 1,
                line_height=SMALL_LINE_HEIGHT,
                css_class="diagram__column-title",
                fill=INK_SOFT,
                bold=True,
            )
        )

    # Thick edges first, so thin ones stay visible on top of them.
    order = sorted(range(len(edges)), key=lambda i: (-edges[i].weight, i))
    edge_parts: list[SafeString] = []
    for index in order:
        edge = edges[index]
        source, target = boxes_by_key[edge.source], boxes_by_key[edge.target]
        x1, y1 = source.x + source.width, ports[(index, "out")]
        x2, y2 = target.x, ports[(index, "in")]
        bend = max(abs(x2 - x1) / 2, 40.0)
        colour = _stroke_for(source.node.css_class, EDGE)
        tooltip = f"{source.node.label} → {target.node.label}"
        if edge.label:
            tooltip += f": {edge.label}"
        edge_parts.append(
            format_html(
                '<path class="diagram__edge {}" data-source="{}" data-target="{}"'
                ' d="M{} {} C{} {} {} {} {} {}" fill="none" stroke="{}" stroke-width="{}"'
                ' stroke-linecap="round" stroke-opacity="0.85"><title>{}</title></path>',
                source.node.css_class,
                edge.source,
                edge.target,
                _num(x1),
                _num(y1),
                _num(x1 + bend),
                _num(y1),
                _num(x2 - bend),
                _num(y2),
                _num(x2),
                _num(y2),
                colour,
                _num(line_width(edge.weight, max_weight)),
                tooltip,
            )
        )
    parts.append(format_html('<g class="diagram__edges">{}</g>', _join(edge_parts)))

    node_parts: list[SafeString] = []
    for boxes in columns:
        for box in boxes:
            node_parts.append(_node_shape(box, max_weight))
            node_parts.extend(_node_shape(child, max_weight) for child in box.children)
    parts.append(format_html('<g class="diagram__nodes">{}</g>', _join(node_parts)))

    svg = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="diagram__svg diagram__svg--network"'
        ' viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet"'
        ' font-family="{}" aria-labelledby="{}-title {}-desc">{}</svg>',
        _num(width),
        _num(height),
        FONT_FAMILY,
        uid,
        uid,
        _join(parts),
    )
    if compact:
        return format_html(
            '<figure class="diagram diagram--network diagram--has-compact"'
            ' aria-labelledby="{}-title"><figcaption class="diagram__caption">{}</figcaption>'
            '{}<div class="diagram__canvas" id="{}-full">{}</div>{}</figure>',
            uid,
            diagram.description,
            _compact_network(diagram, edges, max_weight, full_id=f"{uid}-full"),
            uid,
            svg,
            _diagram_text(diagram, edges, max_weight),
        )
    # The caption comes first: HTML allows a figcaption only as a figure's first or last child,
    # and the text alternative has to follow the picture directly.
    return format_html(
        '<figure class="diagram diagram--network" aria-labelledby="{}-title">'
        '<figcaption class="diagram__caption">{}</figcaption>'
        '<div class="diagram__canvas">{}</div>{}</figure>',
        uid,
        diagram.description,
        svg,
        _diagram_text(diagram, edges, max_weight),
    )


# Line weights in the compact network are shown in four steps (a thicker rule beside the link),
# through classes: the Content Security Policy forbids a style attribute.
COMPACT_STEPS = 4


def _compact_step(weight: float, max_weight: float) -> int:
    if weight <= 0:
        return 0
    return max(1, min(COMPACT_STEPS, round(_share(weight, max_weight) * COMPACT_STEPS)))


def _compact_name(node: DiagramNode) -> SafeString:
    if node.href:
        return format_html('<a class="network__name" href="{}">{}</a>', node.href, node.label)
    return format_html('<span class="network__name">{}</span>', node.label)


def _compact_network(
    diagram: Diagram, edges: list[DiagramEdge], max_weight: float, *, full_id: str
) -> SafeString:
    """The diagram's network as text running down the page, for a phone.

    One part per column but the last: each box, then the boxes its lines lead to (strongest
    first, with the line's label and a rule as thick as its weight in four steps); then the
    last column's boxes with their details. Factors drawn inside a context's box are named
    under it. Words are HTML text at the page's size, never scaled down like the drawing's.
    """
    nodes = {node.key: node for column in diagram.columns for node in column}
    outgoing: dict[str, list[DiagramEdge]] = {}
    for edge in edges:
        outgoing.setdefault(edge.source, []).append(edge)
    titles = diagram.column_titles
    parts: list[SafeString] = []
    for index, column in enumerate(diagram.columns[:-1]):
        here = titles[index] if index < len(titles) else ""
        there = titles[index + 1] if index + 1 < len(titles) else ""
        items: list[SafeString] = []
        for node in column:
            if node.kind == "factor":
                continue
            links = sorted(outgoing.get(node.key, []), key=lambda e: (-e.weight, e.target))
            link_items = [
                format_html(
                    '<li class="network__link network__link--{}">{}'
                    ' <span class="network__detail">{}</span></li>',
                    _compact_step(edge.weight, max_weight),
                    _compact_name(nodes[edge.target]),
                    edge.label or _num(edge.weight),
                )
                for edge in links
            ]
            factors = [
                other.label for other in column[column.index(node) + 1 :] if other.kind == "factor"
            ]
            items.append(
                format_html(
                    '<li class="network__node {}">{} <span class="network__detail">{}</span>'
                    "{}{}</li>",
                    node.css_class,
                    _compact_name(node),
                    node.detail,
                    format_html(
                        '<p class="network__factors">{}</p>',
                        _("Made up of: %(factors)s") % {"factors": "; ".join(factors)},
                    )
                    if factors and node.kind == "context"
                    else "",
                    format_html('<ul class="network__links">{}</ul>', _join(link_items))
                    if link_items
                    else format_html(
                        '<p class="network__none">{}</p>', _("No lines lead on from here.")
                    ),
                )
            )
        parts.append(
            format_html(
                '<li class="network__part"><p class="network__title">{}</p>'
                '<ul class="network__nodes">{}</ul></li>',
                _("From %(from)s to %(to)s") % {"from": here.lower(), "to": there.lower()}
                if here and there
                else here,
                _join(items),
            )
        )
    if diagram.columns:
        last = diagram.columns[-1]
        parts.append(
            format_html(
                '<li class="network__part"><p class="network__title">{}</p>'
                '<ul class="network__ends">{}</ul></li>',
                titles[len(diagram.columns) - 1] if len(titles) >= len(diagram.columns) else "",
                format_html_join(
                    "",
                    '<li class="network__end">{} <span class="network__detail">{}</span></li>',
                    ((_compact_name(node), node.detail) for node in last),
                ),
            )
        )
    return format_html(
        '<div class="diagram__compact network"><p class="network__intro">{}'
        ' <a class="network__full-link" href="#{}">{}</a></p><ol class="network__parts">{}</ol>'
        "</div>",
        _("The same map as a list, strongest links first; thicker rules mean more weight."),
        full_id,
        _("Show the full drawing"),
        _join(parts),
    )


# Points per inch over millimetres per inch: turns a printed width in mm into points.
PT_PER_MM = 72 / 25.4
# No printed word smaller than this, whatever the scale: 7 pt stays readable on paper.
PRINT_MIN_FONT_PT = 7.0


def _print_label(
    *,
    left: float,
    top: float,
    width: float,
    lines: Sequence[str],
    size: float,
    colour: str,
    bold: bool,
) -> SafeString:
    # An inline style is safe here and only here: this markup is handed to WeasyPrint and never
    # served to a browser, so the Content Security Policy that forbids `style` does not apply.
    return format_html(
        # A set width spares WeasyPrint fitting the box to its content (slow for absolute boxes).
        '<span class="diagram-print__label" style="position: absolute; left: {}pt; top: {}pt;'
        " width: {}pt; font-size: {}pt; line-height: {}pt; color: {}; font-weight: {}; white-space: nowrap;"
        ' display: block;">{}</span>',
        _num(left),
        _num(top),
        _num(width),
        _num(size),
        _num(size * LINE_HEIGHT / FONT),
        colour,
        "700" if bold else "400",
        format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines)),
    )


def render_diagram_print(diagram: Diagram, *, width_mm: float) -> SafeString:
    """A configuration diagram for paper: the same picture as `render_diagram`, lighter to print.

    WeasyPrint lays SVG text out one letter at a time, which made the map most of a PDF's
    cost; here the SVG draws only lines and boxes, and the words are HTML text placed over
    it (still real, tagged text). No tooltips, links or text-alternative tables, which paper
    cannot use; the SVG keeps its title and description. Drawn `width_mm` wide, with no word
    under PRINT_MIN_FONT_PT.
    """
    layout = _network_layout(diagram, None)
    scale = width_mm * PT_PER_MM / layout.width
    uid = _uid("diagram-print", diagram)
    order = sorted(range(len(layout.edges)), key=lambda i: (-layout.edges[i].weight, i))
    shapes: list[SafeString] = []
    for index in order:
        source, _target, path = _edge_path(layout, index)
        shapes.append(
            format_html(
                '<path d="{}" fill="none" stroke="{}" stroke-width="{}" stroke-linecap="round"'
                ' stroke-opacity="0.85"/>',
                path,
                _stroke_for(source.node.css_class, EDGE),
                _num(line_width(layout.edges[index].weight, layout.max_weight)),
            )
        )
    labels: list[SafeString] = []
    font = max(FONT * scale, PRINT_MIN_FONT_PT)
    for box in layout.boxes_by_key.values():
        node = box.node
        stroke = _stroke_for(node.css_class, KIND_STROKE[node.kind])
        shapes.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="{}" stroke="{}"'
                ' stroke-width="{}"{}/>',
                _num(box.x),
                _num(box.y),
                _num(box.width),
                _num(box.height),
                _num(KIND_RADIUS[node.kind]),
                KIND_FILL[node.kind],
                stroke,
                _num(border_width(node.weight, layout.max_weight)),
                mark_safe(' stroke-dasharray="5 4"') if node.weight <= 0 else "",
            )
        )
        labels.append(
            _print_label(
                left=(box.x + PAD_X) * scale,
                # A line box puts its baseline lower than SVG text's first baseline; raise it
                # by the difference so the words sit where render_diagram draws them.
                top=(box.y + PAD_Y) * scale - 0.1 * font,
                width=(box.width - 2 * PAD_X) * scale,
                lines=box.label_lines + box.detail_lines,
                size=font,
                colour=stroke if node.kind == "context" else INK,
                bold=node.kind in {"context", "mechanism"},
            )
        )
    for index, title in enumerate(diagram.column_titles[: len(diagram.columns)]):
        labels.append(
            _print_label(
                left=(MARGIN + index * (COLUMN_WIDTH + COLUMN_GAP)) * scale,
                top=MARGIN * scale,
                width=COLUMN_WIDTH * scale,
                lines=[title],
                size=max((SMALL + 1) * scale, PRINT_MIN_FONT_PT),
                colour=INK_SOFT,
                bold=True,
            )
        )
    width_pt, height_pt = layout.width * scale, layout.height * scale
    svg = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}pt" height="{}pt"'
        ' aria-labelledby="{}-title {}-desc"><title id="{}-title">{}</title>'
        '<desc id="{}-desc">{}</desc>{}</svg>',
        _num(layout.width),
        _num(layout.height),
        _num(width_pt),
        _num(height_pt),
        uid,
        uid,
        uid,
        diagram.title,
        uid,
        diagram.description,
        _join(shapes),
    )
    return format_html(
        '<figure class="diagram diagram--print" aria-labelledby="{}-title"'
        ' style="position: relative; width: {}pt; height: {}pt; margin: 0;">{}{}</figure>',
        uid,
        _num(width_pt),
        _num(height_pt),
        svg,
        _join(labels),
    )


def _diagram_text(diagram: Diagram, edges: list[DiagramEdge], max_weight: float) -> SafeString:
    labels = {node.key: node.label for column in diagram.columns for node in column}
    node_rows = []
    for index, column in enumerate(diagram.columns):
        column_title = diagram.column_titles[index] if index < len(diagram.column_titles) else ""
        for node in column:
            name = (
                format_html('<a href="{}">{}</a>', node.href, node.label)
                if node.href
                else format_html("{}", node.label)
            )
            node_rows.append(
                format_html(
                    "<tr><td>{}</td><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>",
                    column_title,
                    name,
                    node.detail,
                    _num(node.weight),
                )
            )
    edge_rows = [
        format_html(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            labels[edge.source],
            labels[edge.target],
            edge.label,
            _num(edge.weight),
        )
        for edge in edges
    ]
    node_table = format_html(
        '<table class="diagram__table"><caption>{}</caption><thead><tr><th scope="col">{}</th>'
        '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        _("Boxes"),
        _("Column"),
        _("Box"),
        _("Details"),
        _("Weight (border thickness)"),
        _join(node_rows),
    )
    if edge_rows:
        edge_table = format_html(
            '<table class="diagram__table"><caption>{}</caption><thead><tr>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            _("Lines"),
            _("From"),
            _("To"),
            _("Details"),
            _("Weight (line thickness)"),
            _join(edge_rows),
        )
    else:
        edge_table = format_html('<p class="diagram__empty">{}</p>', _("No lines are drawn."))
    scale = format_html(
        '<p class="diagram__scale">{}</p>',
        _("Thicker lines and borders mean more weight; the thickest stands for %(max)s.")
        % {"max": _num(max_weight)},
    )
    return format_html(
        '<details class="diagram__text"><summary>{}</summary>{}{}{}</details>',
        _("The diagram as text"),
        scale,
        node_table,
        edge_table,
    )


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------

CHART_WIDTH = 360.0
CHART_FONT = 11.0


def _series_colour(series: Series, index: int) -> str:
    return _stroke_for(series.css_class, SERIES_COLOURS[index % len(SERIES_COLOURS)])


def _figure(
    *, uid: str, css: str, description: str, svg: SafeString, table: SafeString
) -> SafeString:
    return format_html(
        '<figure class="diagram {}" aria-labelledby="{}-title">'
        '<figcaption class="diagram__caption">{}</figcaption>'
        # Focusable: on a phone a chart scrolls sideways in its frame (its text stays at 12 px
        # or more), and a keyboard must be able to scroll it too.
        '<div class="diagram__canvas" tabindex="0" role="group" aria-labelledby="{}-title">{}</div>'
        '<details class="diagram__text"><summary>{}</summary>{}</details></figure>',
        css,
        uid,
        description,
        uid,
        svg,
        _("The chart as a table"),
        table,
    )


def _svg(
    uid: str, css: str, width: float, height: float, title: str, description: str, body: SafeString
) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="diagram__svg {}" role="img"'
        ' viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet"'
        ' font-family="{}" aria-labelledby="{}-title {}-desc"><title id="{}-title">{}</title>'
        '<desc id="{}-desc">{}</desc>{}</svg>',
        css,
        _num(width),
        _num(height),
        FONT_FAMILY,
        uid,
        uid,
        uid,
        title,
        uid,
        description,
        body,
    )


def render_month_chart(
    *,
    title: str,
    description: str,
    months: list[str],
    series: list[Series],
    max_value: float,
) -> SafeString:
    """Small multiples: one row of monthly bars per series, all on the same scale.

    Each row carries its own label, so the chart reads without colour. Values above
    `max_value` are drawn at full height (and reported exactly in the table).
    """
    uid = _uid("chart", title, description, months, series, max_value)
    scale = max_value if max_value > 0 else 1.0
    left, right = 26.0, 8.0
    plot_width = CHART_WIDTH - left - right
    band = plot_width / max(len(months), 1)
    bar = max(min(band * 0.64, 22.0), 2.0)
    rotate = any(len(month) * CHART_FONT * GLYPH > band - 2 for month in months)
    label_room = (
        max((len(month) for month in months), default=0) * CHART_FONT * GLYPH * 0.72 + 14
        if rotate
        else 18.0
    )
    bar_height = 46.0
    parts: list[SafeString] = []
    y = MARGIN
    for index, item in enumerate(series):
        colour = _series_colour(item, index)
        label_lines = _wrap(item.label, CHART_WIDTH - 2 * MARGIN, CHART_FONT + 1)
        parts.append(
            _text(
                MARGIN,
                y + CHART_FONT + 1,
                label_lines,
                size=CHART_FONT + 1,
                line_height=LINE_HEIGHT - 2,
                css_class="chart__series-label",
                bold=True,
            )
        )
        y += len(label_lines) * (LINE_HEIGHT - 2) + 14
        base = y + bar_height
        parts.append(
            format_html(
                '<line class="chart__axis" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"'
                ' stroke-width="1"/>',
                _num(left),
                _num(base),
                _num(CHART_WIDTH - right),
                _num(base),
                INK_SOFT,
            )
        )
        parts.append(
            _text(
                left - 4,
                base,
                ["0"],
                size=CHART_FONT - 1,
                line_height=CHART_FONT,
                css_class="chart__tick",
                fill=INK_SOFT,
                anchor="end",
            )
        )
        for position, month in enumerate(months):
            value = item.values[position] if position < len(item.values) else 0.0
            height = bar_height * _share(value, scale)
            x = left + band * position + (band - bar) / 2
            if height > 0:
                parts.append(
                    format_html(
                        '<rect class="chart__bar {}" x="{}" y="{}" width="{}" height="{}"'
                        ' fill="{}"><title>{}</title></rect>',
                        item.css_class,
                        _num(x),
                        _num(base - height),
                        _num(bar),
                        _num(height),
                        colour,
                        f"{item.label}, {month}: {_num(value)}",
                    )
                )
            if value:
                parts.append(
                    _text(
                        x + bar / 2,
                        base - height - 3,
                        [_num(value)],
                        size=CHART_FONT - 1,
                        line_height=CHART_FONT,
                        css_class="chart__value",
                        anchor="middle",
                    )
                )
        y = base + 14
    axis_y = y + 2
    for position, month in enumerate(months):
        x = left + band * position + band / 2
        if rotate:
            parts.append(
                _text(
                    x,
                    axis_y + CHART_FONT,
                    [month],
                    size=CHART_FONT,
                    line_height=CHART_FONT,
                    css_class="chart__month",
                    fill=INK_SOFT,
                    anchor="end",
                    transform=f"rotate(-45 {_num(x)} {_num(axis_y + CHART_FONT)})",
                )
            )
        else:
            parts.append(
                _text(
                    x,
                    axis_y + CHART_FONT,
                    [month],
                    size=CHART_FONT,
                    line_height=CHART_FONT,
                    css_class="chart__month",
                    fill=INK_SOFT,
                    anchor="middle",
                )
            )
    height = axis_y + label_room + MARGIN
    svg = _svg(uid, "chart--months", CHART_WIDTH, height, title, description, _join(parts))

    head = format_html_join("", '<th scope="col">{}</th>', ((month,) for month in months))
    rows = format_html_join(
        "",
        "<tr><th scope='row'>{}</th>{}</tr>",
        (
            (
                item.label,
                format_html_join(
                    "",
                    "<td>{}</td>",
                    (
                        (_num(item.values[i]) if i < len(item.values) else "0",)
                        for i in range(len(months))
                    ),
                ),
            )
            for item in series
        ),
    )
    table = format_html(
        '<table class="diagram__table"><caption>{}</caption><thead><tr><th scope="col">{}</th>{}'
        "</tr></thead><tbody>{}</tbody></table>",
        title,
        _("Series"),
        head,
        rows,
    )
    return _figure(uid=uid, css="diagram--chart", description=description, svg=svg, table=table)


def render_matrix(
    *, title: str, description: str, labels: list[str], values: list[list[float]]
) -> SafeString:
    """A co-occurrence heat map: row i, column j holds values[i][j], shaded by size.

    Every cell also prints its number, so the map does not depend on telling shades apart.
    """
    uid = _uid("matrix", title, description, labels, values)
    count = len(labels)
    peak = max((cell for row in values for cell in row), default=0.0)
    row_label_width = 120.0
    cell = max(min((CHART_WIDTH - row_label_width - MARGIN) / max(count, 1), 48.0), 16.0)
    longest = max((len(label) for label in labels), default=0)
    head_room = min(longest, 28) * CHART_FONT * GLYPH * 0.72 + 16
    top = MARGIN + head_room
    left = MARGIN + row_label_width
    parts: list[SafeString] = []
    for j, label in enumerate(labels):
        x = left + cell * j + cell / 2
        shown = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            _text(
                x,
                top - 6,
                [shown],
                size=CHART_FONT,
                line_height=CHART_FONT,
                css_class="chart__column-label",
                fill=INK,
                transform=f"rotate(-45 {_num(x)} {_num(top - 6)})",
            )
        )
    row_heights: list[float] = []
    y = top
    for i, label in enumerate(labels):
        lines = _wrap(label, row_label_width - 8, CHART_FONT)
        row_height = max(cell, len(lines) * (CHART_FONT + 3) + 6)
        row_heights.append(row_height)
        parts.append(
            _text(
                left - 6,
                y + (row_height - len(lines) * (CHART_FONT + 3)) / 2 + CHART_FONT,
                lines,
                size=CHART_FONT,
                line_height=CHART_FONT + 3,
                css_class="chart__row-label",
                anchor="end",
            )
        )
        for j in range(count):
            value = values[i][j] if i < len(values) and j < len(values[i]) else 0.0
            share = _share(value, peak)
            parts.append(
                format_html(
                    '<rect class="chart__cell" x="{}" y="{}" width="{}" height="{}" fill="{}"'
                    ' fill-opacity="{}" stroke="{}" stroke-width="1"><title>{}</title></rect>',
                    _num(left + cell * j),
                    _num(y),
                    _num(cell),
                    _num(row_height),
                    HEAT,
                    _num(HEAT_MIN + (HEAT_MAX - HEAT_MIN) * share),
                    LINE,
                    f"{label} × {labels[j]}: {_num(value)}",
                )
            )
            parts.append(
                _text(
                    left + cell * j + cell / 2,
                    y + row_height / 2 + CHART_FONT / 2 - 1,
                    [_num(value)],
                    size=CHART_FONT,
                    line_height=CHART_FONT,
                    css_class="chart__cell-value",
                    fill=INK,
                    anchor="middle",
                )
            )
        y += row_height
    # Column labels lean up and to the right, so the last one needs room past the grid.
    width = max(left + cell * (count - 0.5) + head_room + MARGIN, CHART_WIDTH)
    height = y + MARGIN
    svg = _svg(uid, "chart--matrix", width, height, title, description, _join(parts))

    head = format_html_join("", '<th scope="col">{}</th>', ((label,) for label in labels))
    rows = format_html_join(
        "",
        "<tr><th scope='row'>{}</th>{}</tr>",
        (
            (
                label,
                format_html_join(
                    "",
                    "<td>{}</td>",
                    (
                        (_num(values[i][j]) if i < len(values) and j < len(values[i]) else "0",)
                        for j in range(count)
                    ),
                ),
            )
            for i, label in enumerate(labels)
        ),
    )
    table = format_html(
        '<table class="diagram__table"><caption>{}</caption><thead><tr><td></td>{}</tr></thead>'
        "<tbody>{}</tbody></table>",
        title,
        head,
        rows,
    )
    return _figure(uid=uid, css="diagram--matrix", description=description, svg=svg, table=table)
