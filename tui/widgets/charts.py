"""Plotext charts with explicit ticks; the series arrive ready, built in core/storage."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import plotext
from rich.console import Console
from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.text import Text
from textual.app import RenderResult
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual_plotext import PlotextPlot

from core import fmt

TICK_STEPS = (1, 2, 3, 6, 12)
AXIS_WIDTH = 8  # columns plotext keeps for the y axis and the frame
BAR_WIDTH = 0.8  # of one month's step
LEGEND_GAP = 3  # cells between the legend's entries
SHORT_CHART = 12  # rows: a chart shorter keeps its legend, not its title, above the plot


@dataclass
class ChartData:
    """What a chart shows: labels on x, named series (None = no value), horizontal lines."""

    title: str
    labels: list[str]
    series: dict[str, list[float | None]] = field(default_factory=dict)
    lines: dict[str, float] = field(default_factory=dict)
    stacked: bool = False
    ylabel: str = ""


class Chart(PlotextPlot):
    """Lines (or stacked bars) over months. plotext is global state: only the UI thread plots."""

    COLOURS = ("cyan", "orange", "green", "magenta")
    LINE_COLOURS = ("gray", "red", "blue")  # none a series' colour: a line is no series

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: ChartData | None = None
        # The last plot built, and the size and themes it was built for.
        self._built: tuple[tuple[object, ...], RenderResult] | None = None

    def show(self, data: ChartData) -> None:
        self.data = data
        self._built = None
        self.refresh()

    def render(self) -> RenderResult:
        # Plotted when painted, once per data, size and theme: a repaint after a layout pass,
        # or a resize to the same size, shows the plot built last. plotext's build and the
        # parsing of its output are most of what a frame costs.
        key = (self.size, self.app.theme, self.theme)
        if self._built is None or self._built[0] != key:
            header = self._header()
            height = max(self.size.height - len(header), 1)
            self._plot_data(height)
            console = self.app.console
            rows = [list(line.render(console)) for line in header]
            rows += _ansi_rows(self._build(height))[:height]
            self._built = (key, _Lines(rows))
        return self._built[1]

    def _build(self, height: int) -> str:
        """PlotextPlot.render for a plot `height` rows tall: the header has the rows above it."""
        plot: Any = self.plt
        plot.plotsize(self.size.width, height)
        plot._set_size(self.size.width, height)  # as PlotextPlot.render does, to be sure
        plot.theme(self._get_plotext_theme_name(self.app.theme))
        # plotext's picture, in its colour codes
        return str(plot.build())

    def _header(self) -> list[Text]:
        """The title and the series' names in their colours, above the plot, where they cover no
        data (plotext writes its legend over the plot's top left corner): on one row where both
        fit, else on a row each; a short chart keeps the legend alone (its title is most often
        said beside it)."""
        data = self.data
        width = self.size.width
        title = "Ingen data" if data is None or not data.labels else data.title
        # Shortened to fit: plotext left out a title wider than the plot.
        if 0 < width - 2 < len(title):
            title = title[: width - 3] + "…"
        if data is None or not data.labels:
            return [Text(title.center(width))]
        mark = "██" if data.stacked else "━━"
        entries = [
            Text.from_ansi(plotext.colorize(mark, colour)) + Text(f" {name}")
            for colour, (name, values) in zip(self.COLOURS, data.series.items(), strict=False)
            if data.stacked or any(v is not None for v in values)
        ]
        legend: list[Text] = []
        for entry in entries:
            if legend and legend[-1].cell_len + LEGEND_GAP + entry.cell_len <= width - 1:
                legend[-1] = Text.assemble(legend[-1], " " * LEGEND_GAP, entry)
            else:
                legend.append(Text.assemble(" ", entry))
        if len(legend) == 1 and len(title) + 2 + legend[0].cell_len <= width:
            gap = width - len(title) - 1 - legend[0].cell_len
            return [Text.assemble(" ", title, " " * gap, legend[0])]
        if self.size.height < SHORT_CHART and legend:
            return legend
        return [Text(title.center(width)), *legend]

    def _plot_data(self, height: int) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        data = self.data
        if data is None or not data.labels:
            return
        xs = [float(x) for x in range(len(data.labels))]
        # Every label's place on the axis whichever points have values: plotext would fit the
        # axis to the points, and a series of one point (the project beside a hidden unit) then
        # lost the ticks outside it. Bars get half a step on either side.
        if data.stacked:
            plt.xlim(-0.5, len(xs) - 0.5)
            # Each stack's total drawn first, the series below it on top: plotext's own
            # stacked bars lift a bar a row off zero where the series under it is 0.
            totals = [0.0] * len(xs)
            tops = []
            for values in data.series.values():
                totals = [t + (v or 0.0) for t, v in zip(totals, values, strict=True)]
                tops.append(totals)
            for colour, top in reversed(list(zip(self.COLOURS, tops, strict=False))):
                # Only bars above zero: plotext draws one of no height as a blank row.
                bars = [(x, v) for x, v in zip(xs, top, strict=True) if v > 0]
                if bars:
                    px, py = zip(*bars, strict=True)
                    plt.bar(list(px), list(py), color=colour, width=_bar_width(list(px)))
        else:
            plt.xlim(0.0, max(len(xs) - 1, 1))
            for colour, values in zip(self.COLOURS, data.series.values(), strict=False):
                points = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
                if points:
                    px, py = zip(*points, strict=True)
                    plt.plot(list(px), list(py), color=colour, marker="braille")
        # Each line labelled from the left, each label after the one before: lines a row apart
        # (the baseline and the goal) would otherwise write their labels over each other.
        per_cell = max(len(xs) - 1, 1) / max(self.size.width - AXIS_WIDTH, 1)
        cell = 0
        for colour, (name, value) in zip(self.LINE_COLOURS, data.lines.items(), strict=False):
            plt.hline(value, colour)
            plt.text(name, x=cell * per_cell, y=value, color=colour, alignment="left")
            cell += len(name) + 2
        # Explicit ticks, spaced so that the labels fit: plotext otherwise drops labels
        # differently from run to run.
        every = tick_spacing(len(data.labels), max(len(x) for x in data.labels), self.size.width)
        ticks = list(range(0, len(data.labels), every))
        plt.xticks([float(i) for i in ticks], [data.labels[i] for i in ticks])
        if data.ylabel:
            plt.ylabel(data.ylabel)
        high = max([1.0, *self._values()]) * 1.15
        plt.ylim(0.0, high)
        # No more ticks than the plot has rows (less its frame and the x labels): plotext would
        # put two on a row and leave one out.
        step = nice_step(high, min(6, max(height - 3, 1)))
        yticks = [i * step for i in range(int(high / step) + 1)]
        plt.yticks(yticks, [fmt.tick(t, step) for t in yticks])

    def _values(self) -> list[float]:
        assert self.data is not None
        if self.data.stacked:
            sums = [0.0] * len(self.data.labels)
            for series in self.data.series.values():
                sums = [a + (b or 0.0) for a, b in zip(sums, series, strict=True)]
            return [*sums, *self.data.lines.values()]
        values = [v for s in self.data.series.values() for v in s if v is not None]
        return [*values, *self.data.lines.values()]


class _Lines(Visual):
    """A plot's lines as strips, made once: a plot is all colour changes, and going through
    Textual's general text layout for it took longer than plotext's own drawing."""

    def __init__(self, rows: list[list[Segment]]) -> None:
        self._rows = rows
        self._strips: tuple[Style, list[Strip]] | None = None

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        if self._strips is None or self._strips[0] != style:
            base = style.rich_style
            lines = [Strip(Segment.apply_style(row, base)) for row in self._rows]
            self._strips = (style, lines)
        return [strip.crop(0, width) for strip in self._strips[1][:height]]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((Segment.get_line_length(row) for row in self._rows), default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self._rows)


# A colour code: plotext colours its picture with nothing else.
_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def _ansi_rows(ansi: str) -> list[list[Segment]]:
    """plotext's picture as rows of segments, styled as rich's Text.from_ansi styles them:
    parsed through a Text, the picture took as long again as plotext took to draw it."""
    rows = []
    codes = ""  # the codes in force: those since the last reset
    for line in ansi.splitlines():
        row = []
        start = 0
        for code in _SGR.finditer(line):
            if code.start() > start:
                row.append(Segment(line[start : code.start()], _ansi_style(codes)))
            codes = "" if code.group(1) in ("", "0") else codes + code.group(0)
            start = code.end()
        if start < len(line):
            row.append(Segment(line[start:], _ansi_style(codes)))
        rows.append(row)
    return rows


@lru_cache(maxsize=256)
def _ansi_style(codes: str) -> RichStyle:
    """The style of text after `codes`, as rich reads them (a picture has a few)."""
    text = Text.from_ansi(codes + " ")
    return text.get_style_at_offset(Console(), 0)


def _bar_width(xs: list[float]) -> float:
    """plotext's bar width for bars at `xs`, so that each is BAR_WIDTH of one x step wide: it
    scales the width by the mean step between the bars it is given."""
    if len(xs) < 2:
        return BAR_WIDTH
    return BAR_WIDTH * (len(xs) - 1) / (max(xs) - min(xs))


def tick_spacing(count: int, label_width: int, width: int) -> int:
    """Every how many points to put an x label so that labels never touch."""
    room = max(width - AXIS_WIDTH, 1) / max(count, 1)
    for step in TICK_STEPS:
        if room * step >= label_width + 2:
            return step
    return TICK_STEPS[-1]


def nice_step(high: float, most: int = 6) -> float:
    """The smallest round tick step that gives at most `most` ticks from 0 to `high`."""
    for step in (0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100):
        if high / step <= most:
            return float(step)
    return float(int(high / most) + 1)
