"""Every public name of minnet is documented, and the building blocks show their formula.

*Public* means: every module of ``minnet`` whose dotted name has no part starting with an
underscore is public, and its public names are exactly its ``__all__``. Every name such a
module defines at its top level (a ``def``, a ``class`` or an assignment) without a leading
underscore must be in its ``__all__``, so that nothing escapes the reference by being left
out of the list. Names starting with an underscore are private.

Every public method and property of a public class has a docstring too (its own, or the
one it inherits from a base class, as autodoc shows it).

These tests read the docstrings with no build (fast). The build's side, that every public
name appears in the HTML reference (``_build/html/objects.inv``), is checked in
``tests/test_book_build.py``, which builds the book once for its module
(``test_every_public_name_is_in_the_api_reference``); :func:`public_objects` is shared.

The formula rule: the docstring of every public class and function of the modules in
:data:`FORMULA_MODULES` contains mathematics that the HTML renders (an inline
``:math:`...``` role or a ``.. math::`` block), except the names in
:data:`NO_FORMULA`, each with the reason it has none.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import minnet

ROOT = Path(__file__).resolve().parent.parent
API_PAGES = [ROOT / "book" / "api.md", *sorted((ROOT / "book" / "api").glob("*.md"))]

#: Modules whose classes and functions compute something with a formula.
FORMULA_MODULES = (
    "minnet.activations",
    "minnet.layers",
    "minnet.losses",
    "minnet.optimizers",
    "minnet.initializers",
    "minnet.regularizers",
)

#: Public names of those modules that compute nothing with a formula, and why.
NO_FORMULA = {
    "minnet.activations.get": "looks an activation up by name",
    "minnet.losses.get": "looks a loss up by name",
    "minnet.optimizers.get": "looks an optimizer up by name",
    "minnet.initializers.get": "looks an initializer up by name",
    "minnet.regularizers.get": "looks a regularizer up by name",
    "minnet.layers.batch_input_shape": "a shape from Keras's keywords",
    "minnet.layers.unique_name": "a layer's name",
    "minnet.layers.find_layer": "a layer by name or position",
    "minnet.layers.cast": "converts arrays to another dtype",
    "minnet.layers.InputLayer": "holds a shape, computes nothing",
    "minnet.layers.Input": "holds a shape, computes nothing",
}

MATH = re.compile(r":math:`[^`]+`|^\s*\.\. math::", re.MULTILINE)


def public_modules() -> list[str]:
    """``minnet`` and every module under it with no part of its name starting with ``_``."""
    names = ["minnet"]

    def walk(package):
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):
                continue
            full = f"{package.__name__}.{info.name}"
            names.append(full)
            if info.ispkg:
                walk(importlib.import_module(full))

    walk(minnet)
    return names


def defined_names(module_name: str) -> list[str]:
    """The names a module's source defines at top level without a leading underscore."""
    module = importlib.import_module(module_name)
    tree = ast.parse(Path(module.__file__).read_text())
    found = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            targets = [node.name]
        elif isinstance(node, ast.Assign):
            targets = [n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [node.target.id]
        else:
            targets = []
        found += [t for t in targets if not t.startswith("_") and t not in found]
    return found


def public_objects() -> list[tuple[str, str, str]]:
    """``(public name, kind, documented name)`` for every public name of every public module.

    The documented name is where the reference documents the object: a module's own name;
    for a class or function, the module that defines it plus its qualified name (so
    ``minnet.Dense`` is documented as ``minnet.layers.Dense``); for any other object (a
    constant, an instance), the module that assigns it. ``kind`` is ``"module"``,
    ``"class"``, ``"function"`` or ``"data"``.
    """
    out = []
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        out.append((module_name, "module", module_name))
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            public = f"{module_name}.{name}"
            if inspect.ismodule(obj):
                out.append((public, "module", obj.__name__))
            elif inspect.isclass(obj) or inspect.isfunction(obj):
                kind = "class" if inspect.isclass(obj) else "function"
                out.append((public, kind, f"{obj.__module__}.{obj.__qualname__}"))
            else:
                out.append((public, "data", public))
    return out


def _docstring(public: str, kind: str, documented: str) -> str:
    """The text the reference shows for a public name: a module's or an object's own
    docstring (not one inherited from a base class), a constant's doc-comment."""
    if kind == "module":
        return importlib.import_module(documented).__doc__ or ""
    module_name, _, name = public.rpartition(".")
    if kind == "data":
        from sphinx.pycode import ModuleAnalyzer

        comments = ModuleAnalyzer.for_module(module_name).find_attr_docs()
        return "\n".join(comments.get(("", name), []))
    return inspect.cleandoc(getattr(importlib.import_module(module_name), name).__doc__ or "")


def _object(public: str):
    module_name, _, name = public.rpartition(".")
    return getattr(importlib.import_module(module_name), name)


PUBLIC = public_objects()


def test_the_audit_finds_the_public_names():
    names = {public for public, _, _ in PUBLIC}
    assert {"minnet.Dense", "minnet.layers.Dense", "minnet.losses.MeanSquaredError",
            "minnet.optimizers.Adam", "minnet.exercises.activations.check_sigmoid",
            "minnet.viz.plot_history", "minnet.viz.losses.loss_explorer"} <= names
    assert len(names) > 300


@pytest.mark.parametrize("module_name", public_modules())
def test_every_public_module_lists_its_public_names_in_all(module_name):
    module = importlib.import_module(module_name)
    assert hasattr(module, "__all__"), (
        f"{module_name} has no __all__: list its public names in __all__ (and start private "
        "names with an underscore)"
    )
    missing = [n for n in defined_names(module_name) if n not in module.__all__]
    assert not missing, (
        f"{module_name} defines {missing} without a leading underscore but leaves them out of "
        "__all__: add them to __all__ (they are public, and documented in the API reference) "
        "or rename them with a leading underscore"
    )
    unknown = [n for n in module.__all__ if not hasattr(module, n)]
    assert not unknown, f"{module_name}.__all__ lists {unknown}, which the module lacks"


@pytest.mark.parametrize(("public", "kind", "documented"), PUBLIC, ids=[p for p, _, _ in PUBLIC])
def test_every_public_name_has_a_docstring_with_a_one_line_summary(public, kind, documented):
    doc = _docstring(public, kind, documented).strip()
    assert doc, (
        f"{public} has no docstring (for a constant or an instance: a '#:' comment above the "
        "assignment, or a string literal below it)"
    )
    first = doc.splitlines()[0].strip()
    assert len(first.split()) >= 2, f"{public}: the docstring's first line {first!r} is no summary"


def _inherited_doc(cls, name) -> str:
    """The docstring a method or property shows in the reference: its own, or else the one
    of the same name in a base class (autodoc inherits docstrings, and so does this)."""
    for base in cls.__mro__:
        member = base.__dict__.get(name)
        if member is None:
            continue
        doc = getattr(member, "__doc__", None)
        if isinstance(member, (classmethod, staticmethod)):
            doc = member.__func__.__doc__
        if doc and doc.strip():
            return doc
    return ""


PUBLIC_METHODS = [
    f"{public}.{name}"
    for public, kind, documented in PUBLIC
    if kind == "class" and public == documented
    for name, member in vars(_object(public)).items()
    if not name.startswith("_")
    and (inspect.isfunction(member) or isinstance(member, (property, classmethod, staticmethod)))
]


@pytest.mark.parametrize("method", PUBLIC_METHODS)
def test_every_public_method_has_a_docstring(method):
    public, _, name = method.rpartition(".")
    assert _inherited_doc(_object(public), name).strip(), (
        f"{method} has no docstring (and inherits none): say in one line what it does"
    )


def _read_as_a_type(doc: str, what: str, name: str) -> str | None:
    """What napoleon would show as the *type* of a constant or a property, or None.

    Napoleon reads a first line ``text: more`` of such a docstring as ``type: description``;
    the type becomes a cross-reference, which -n reports, or a "Type:" line on the page."""
    from sphinx.ext.napoleon import Config, NumpyDocstring

    config = Config(napoleon_google_docstring=False, napoleon_numpy_docstring=True)
    lines = NumpyDocstring(doc, config, what=what, name=name).lines()
    return next((line for line in lines if line.startswith(":type:")), None)


DESCRIBED = [
    (public, "data", _docstring(public, kind, documented))
    for public, kind, documented in PUBLIC if kind == "data"
] + [
    (f"{public}.{name}", "property", inspect.cleandoc(member.__doc__))
    for public, kind, documented in PUBLIC
    if kind == "class" and public == documented
    for name, member in vars(_object(public)).items()
    if isinstance(member, property) and member.__doc__
]


@pytest.mark.parametrize(("public", "what", "doc"), DESCRIBED, ids=[p for p, _, _ in DESCRIBED])
def test_no_constant_or_property_docstring_reads_as_a_type(public, what, doc):
    read = _read_as_a_type(doc, what, public)
    assert read is None, (
        f"napoleon reads the first line of {public}'s docstring as a type ({read!r}): keep "
        "'text: more' out of its first line (a comma or a full stop instead of the colon)"
    )


FORMULA_NAMES = [
    (public, documented)
    for public, kind, documented in PUBLIC
    if kind in ("class", "function") and public.rsplit(".", 1)[0] in FORMULA_MODULES
]


def test_the_exemptions_from_the_formula_rule_are_public_names():
    stale = set(NO_FORMULA) - {public for public, _ in FORMULA_NAMES}
    assert not stale, f"NO_FORMULA names {sorted(stale)}, which are not public names any more"


@pytest.mark.parametrize(("public", "documented"), FORMULA_NAMES, ids=[p for p, _ in FORMULA_NAMES])
def test_every_building_block_shows_its_formula(public, documented):
    if public in NO_FORMULA:
        pytest.skip(f"no formula: {NO_FORMULA[public]}")
    kind = "class" if inspect.isclass(_object(public)) else "function"
    doc = _docstring(public, kind, documented)
    assert MATH.search(doc), (
        f"{public}'s docstring has no formula the HTML can render: write it with :math:`...` "
        "or a '.. math::' block, in the notation of book/notation.md (or, if it computes "
        "nothing with a formula, add it to NO_FORMULA with the reason)"
    )


def test_every_public_module_is_on_an_api_page():
    text = "\n".join(page.read_text() for page in API_PAGES)
    documented = set(re.findall(r"^\.\. automodule:: (\S+)$", text, re.MULTILINE))
    missing = [m for m in public_modules() if m not in documented]
    assert not missing, (
        f"public modules missing from the API pages (book/api.md, book/api/*.md): {missing}"
    )
