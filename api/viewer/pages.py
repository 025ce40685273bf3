"""The viewer's templates, for the server's pages and for the CLI's standalone report.

One Jinja environment (`environment()`), so `clausewatch diff --format html` shows a
comparison with the very markup and styles of the viewer's change page (`diff_articles`
in templates/_macros.html), not a second renderer.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup

from api.diffrender import version_line
from api.viewer.diffview import diff_view
from api.viewer.text import clip, day
from monitor.compare import Comparison

HERE = Path(__file__).parent


def environment() -> jinja2.Environment:
    """The templates with every piece of text escaped and missing names an error."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update({"day": day, "clip": clip})
    return env


def render_report(comparison: Comparison, old_name: str, new_name: str) -> str:
    """A standalone HTML page of a comparison: the viewer's styles inlined, no script and
    no link to a server, so it can be mailed or opened from disk."""
    css = (HERE / "static" / "viewer.css").read_text(encoding="utf-8")
    view = diff_view(comparison.to_detail_dict())
    return (
        environment()
        .get_template("report.html")
        .render(
            view=view,
            title=comparison.new.title or comparison.old.title or "Privacy policy",
            old_line=version_line("Old " + old_name, comparison.old),
            new_line=version_line("New " + new_name, comparison.new),
            # The stylesheet is the project's own file, not input: trusted as it is.
            css=Markup(css),
        )
    )
