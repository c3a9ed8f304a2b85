"""The instructor guide: the map of the book's chapters and what each one needs.

    plot_chapter_map(ax=None)    one box per chapter (and per page a chapter needs), in rows
                                 by how far down the chain of prerequisites it sits; solid
                                 arrows for what a chapter requires, dashed for what it
                                 recommends; coloured by part of the book
    map_edges()                  the arrows drawn: a required arrow that a chain of other
                                 required arrows already implies is left out

Everything drawn comes from :mod:`minnet.course`, which the tests hold to the chapters.
"""

from __future__ import annotations

import textwrap

from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from .. import course
from ._common import get_ax

#: Fill colours of the parts (light, so that black text on them keeps a high contrast).
PART_COLORS = ("#e8e8e8", "#cfe3f7", "#fde0c5", "#d5efd0")
#: Size of a chapter's box and the distance between columns, in data units.
BOX_WIDTH, BOX_HEIGHT, COLUMN = 1.0, 0.66, 1.3

__all__ = ["BOX_HEIGHT", "BOX_WIDTH", "COLUMN", "PART_COLORS", "map_edges", "map_layout",
           "plot_chapter_map"]


def _label(doc: str) -> str:
    if doc in course.PAGES:
        return f"{course.PAGES[doc]}\n(reference page)"
    chapter = course.chapter(doc)
    head = f"Chapter {chapter.number}" if chapter.number else "Start here"
    return f"{head}\n{textwrap.fill(chapter.title, 24)}\n{course.format_time(chapter)}"


def _requires() -> dict[str, tuple[str, ...]]:
    return {c.doc: c.requires for c in course.CHAPTERS}


def map_layout() -> dict[str, tuple[float, int]]:
    """``doc -> (x, row)``: the row is the length of the longest chain of required pages
    above it; within a row, pages sit in the order of their parents' mean position, except
    that a page two others of its row recommend sits between them."""
    docs = [c.doc for c in course.CHAPTERS] + list(course.PAGES)
    requires = _requires()
    needs = {doc: () for doc in course.PAGES}
    needs |= {c.doc: c.requires + c.recommends for c in course.CHAPTERS}
    row: dict[str, int] = {}

    def depth(doc: str) -> int:
        if doc not in row:
            row[doc] = 1 + max((depth(p) for p in requires.get(doc, ())), default=-1)
        return row[doc]

    for doc in docs:
        depth(doc)
    position: dict[str, tuple[float, int]] = {}
    for r in range(max(row.values()) + 1):
        members = [d for d in docs if row[d] == r]

        def parent_x(doc: str) -> float:
            xs = [position[p][0] for p in requires.get(doc, ()) if p in position]
            return sum(xs) / len(xs) if xs else docs.index(doc)

        members.sort(key=lambda d: (parent_x(d), docs.index(d)))
        if r == 0:  # the top row: reference pages first, then the chapters in order
            members.sort(key=lambda d: (d not in course.PAGES, docs.index(d)))
        # a page that two others of its row recommend goes between them, so that its
        # arrows to them run side to side instead of under the row (6 between 7 and 9)
        for hub in [d for d in members if sum(d in needs[o] for o in members) >= 2]:
            members.remove(hub)
            members.insert(len(members) // 2, hub)
        for k, doc in enumerate(members):
            position[doc] = ((k - (len(members) - 1) / 2) * COLUMN, r)
    return position


def map_edges() -> list[tuple[str, str, str]]:
    """The arrows of the map: every recommended one, and every required one that no chain
    of other required arrows implies (chapter 1 -> 3 goes, 1 -> 2 -> 3 shows it)."""
    requires = _requires()

    def reachable(start: str, target: str, skip: tuple[str, str]) -> bool:
        stack, seen = [start], set()
        while stack:
            doc = stack.pop()
            for parent in requires.get(doc, ()):
                if (parent, doc) == skip or parent in seen:
                    continue
                if parent == target:
                    return True
                seen.add(parent)
                stack.append(parent)
        return False

    return [
        (start, end, kind) for start, end, kind in course.prerequisite_edges()
        if kind == "recommends" or not reachable(end, start, skip=(start, end))
    ]


def plot_chapter_map(ax=None):
    """Draw the chapter map: boxes for chapters and pages, arrows for prerequisites."""
    position = map_layout()
    rows = max(r for _, r in position.values()) + 1
    xs = [x for x, _ in position.values()]
    ax = get_ax(ax, figsize=(1.9 * (max(xs) - min(xs) + BOX_WIDTH + 0.4), 1.05 * rows + 0.9))
    part_of = {doc: k for k, docs in enumerate(course.PARTS.values()) for doc in docs}
    for doc, (x, r) in position.items():
        ax.add_patch(FancyBboxPatch(
            (x - BOX_WIDTH / 2, -r - BOX_HEIGHT / 2), BOX_WIDTH, BOX_HEIGHT,
            boxstyle="round,pad=0,rounding_size=0.06", zorder=3,
            facecolor=PART_COLORS[part_of[doc]], edgecolor="#333333", linewidth=0.8,
        ))
        ax.text(x, -r, _label(doc), ha="center", va="center", fontsize=8,
                linespacing=1.15, zorder=4)

    for start, end, kind in map_edges():
        (x0, r0), (x1, r1) = position[start], position[end]
        if r0 == r1:  # in the same row: side to side, or under the row past a neighbour
            side = 1 if x1 > x0 else -1
            if abs(x1 - x0) <= COLUMN + 1e-9:
                ends = ((x0 + side * BOX_WIDTH / 2, -r0), (x1 - side * BOX_WIDTH / 2, -r1))
                bend = 0.0
            else:
                ends = ((x0 + side * 0.25, -r0 - BOX_HEIGHT / 2),
                        (x1 - side * 0.25, -r1 - BOX_HEIGHT / 2))
                bend = 0.12 * side
        else:  # downwards; the ends of several arrows spread along the box edges
            dx_out = max(-0.3, min(0.3, (x1 - x0) * 0.15))
            dx_in = max(-0.3, min(0.3, (x0 - x1) * 0.15))
            ends = ((x0 + dx_out, -r0 - BOX_HEIGHT / 2), (x1 + dx_in, -r1 + BOX_HEIGHT / 2))
            # an arrow past several rows bows out, clear of the boxes between its ends
            # (to the outer side: left for an arrow that runs down and to the right)
            bend = 0.0
            if r1 - r0 > 1 and x0 != x1:
                bend = 0.2 if r1 - r0 == 2 else 0.6 * (1 if x1 > x0 else -1)
        ax.add_patch(FancyArrowPatch(
            *ends, arrowstyle="-|>", mutation_scale=10, zorder=2, shrinkA=1, shrinkB=1,
            connectionstyle=f"arc3,rad={bend}",
            linestyle="-" if kind == "requires" else (0, (4, 3)),
            color="#222222" if kind == "requires" else "#6b6b6b",
            linewidth=1.1 if kind == "requires" else 1.0,
        ))
    ax.set_xlim(min(xs) - BOX_WIDTH / 2 - 0.1, max(xs) + BOX_WIDTH / 2 + 0.1)
    ax.set_ylim(-(rows - 1) - BOX_HEIGHT / 2 - 0.1, BOX_HEIGHT / 2 + 0.1)
    ax.set_axis_off()
    handles = [Patch(facecolor=PART_COLORS[k], edgecolor="#333333", label=name)
               for k, name in enumerate(course.PARTS)]
    handles += [
        Line2D([], [], color="#222222", lw=1.1, label="required before"),
        Line2D([], [], color="#6b6b6b", lw=1.0, ls=(0, (4, 3)), label="recommended before"),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2,
              fontsize=7.5, frameon=False)
    return ax
