"""The plotext chart widget: plotted when painted, its title fitted to its width."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tests.tui.conftest import drawn_rows
from tui.widgets.charts import Chart, ChartData

TITLE = "Tapte dagsverk – Kari Nordmann"  # 30 cells


class Plot(App[None]):
    CSS = "Chart { width: 24; height: 12; }"

    def compose(self) -> ComposeResult:
        yield Chart(id="chart")


def drawn(chart: Chart) -> str:
    return "\n".join(drawn_rows(chart))


async def test_the_title_is_cut_to_fit_and_shown_whole_once_there_is_room():
    app = Plot()
    async with app.run_test(size=(80, 20)) as pilot:
        chart = app.query_one(Chart)
        chart.show(ChartData(TITLE, ["jan", "feb", "mar"], {"Legemeldt": [1.0, 2.0, 0.0]}))
        await pilot.pause()
        assert "Tapte dagsverk – Kari…" in drawn(chart)  # 22 cells: the width less 2
        assert TITLE not in drawn(chart)

        chart.styles.width = 60
        await pilot.pause()
        assert TITLE in drawn(chart)
        assert chart.data is not None and chart.data.title == TITLE  # the data is kept whole


async def test_line_labels_a_row_apart_or_less_do_not_overwrite_each_other():
    app = Plot()
    async with app.run_test(size=(80, 20)) as pilot:
        chart = app.query_one(Chart)
        chart.styles.width = 60
        months = [f"m{i}" for i in range(24)]
        chart.show(
            ChartData(
                "Sykefravær",
                months,
                {"Sykefravær": [8.0] * 24, "Prognose": [None] * 24, "Sektor": [7.0] * 24},
                lines={"nullpunkt": 10.0, "mål": 9.0},
            )
        )
        await pilot.pause()
        assert "nullpunkt" in drawn(chart) and "mål" in drawn(chart)


def test_no_line_has_the_colour_of_a_series():
    assert not set(Chart.LINE_COLOURS) & set(Chart.COLOURS)


async def test_ticks_every_two_and_a_half_points_read_so():
    app = Plot()
    async with app.run_test(size=(80, 30)) as pilot:
        chart = app.query_one(Chart)
        chart.styles.width = 60
        chart.styles.height = 24
        chart.show(ChartData("Fravær", ["jan", "feb", "mar"], {"Legemeldt": [12.0, 4.0, 0.0]}))
        await pilot.pause()  # up to 13,8: a tick every 2,5
        assert "7,5┤" in drawn(chart) and "12,5┤" in drawn(chart)


MONTHS = ["jan", "feb", "mar", "apr", "mai", "jun"]


async def test_bars_stand_on_zero_when_the_series_under_them_is_empty():
    app = Plot()
    async with app.run_test(size=(80, 30)) as pilot:
        chart = app.query_one(Chart)
        chart.styles.width = 60
        chart.styles.height = 16
        empty = {"Egenmeldt": [0.0] * 6, "Legemeldt": [4.0, 0.0, 8.0, 2.0, 6.0, 3.0]}
        chart.show(ChartData("Tapte dagsverk", MONTHS, empty, stacked=True))
        await pilot.pause()
        [zero] = [row for row in drawn_rows(chart) if row.lstrip().startswith("0┤")]
        assert zero.count("█") >= 5 * 4  # five bars, each a few cells wide, on the zero row


async def test_the_legend_is_drawn_where_no_data_is():
    app = Plot()
    async with app.run_test(size=(80, 30)) as pilot:
        chart = app.query_one(Chart)
        chart.styles.width = 60
        chart.styles.height = 16
        high = {"Egenmeldt": [9.0] * 6, "Legemeldt": [9.0] * 6}
        chart.show(ChartData("Tapte dagsverk", MONTHS, high, stacked=True))
        await pilot.pause()
        rows = drawn_rows(chart)
        top = next(i for i, row in enumerate(rows) if "┌" in row)
        above = "\n".join(rows[:top])
        assert "Egenmeldt" in above and "Legemeldt" in above
        assert not any("meldt" in row for row in rows[top:])  # nothing of it over the bars


async def test_a_series_of_one_point_keeps_every_tick_of_the_axis():
    app = Plot()
    async with app.run_test(size=(80, 30)) as pilot:
        chart = app.query_one(Chart)
        chart.styles.width = 50
        labels = ["4.kv 23", "1.kv 24", "2.kv 24", "3.kv 24", "4.kv 24", "1.kv 25", ""]
        one = [None, None, None, 7.0, None, None, None]
        chart.show(ChartData("Prosjektet", labels, {"Prosjektet": one}))
        await pilot.pause()
        drawn_text = drawn(chart)
        assert "4.kv 23" in drawn_text and "4.kv 24" in drawn_text


async def test_the_plot_is_drawn_in_the_colours_rich_reads_from_plotext():
    """The chart reads plotext's colour codes itself: cell for cell as rich's Text.from_ansi."""
    from rich.text import Text

    from tui.widgets.charts import _ansi_rows

    app = Plot()
    async with app.run_test(size=(80, 20)) as pilot:
        chart = app.query_one(Chart)
        chart.styles.width = 60
        series = {"Egenmeldt": [1.0, 0.0, 2.5], "Legemeldt": [3.0, 1.0, 0.0]}
        chart.show(ChartData("Tapte dagsverk", ["jan", "feb", "mar"], series, stacked=True))
        await pilot.pause()
        picture = chart._build(chart.size.height - 2)
        expected = [list(line.render(app.console)) for line in Text.from_ansi(picture).split()]
        rows = _ansi_rows(picture)
        assert len(rows) == len(expected) > 5
        for row, line in zip(rows, expected, strict=True):
            assert [(s.text, s.style or None) for s in row if s.text] == [
                (s.text, s.style or None) for s in line if s.text
            ]
        assert len({s.style for row in rows for s in row}) > 2  # the picture has colours
