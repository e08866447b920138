"""An action is declared once, as a ``Binding`` with an id, a description and a tooltip.

Its button label, its command-palette entry and its F1 help line are built from that
binding with the key the user actually has: a ``[keymap]`` remap in the config file
(binding id -> keys) shows on the button and in the palette as well as in the footer and
F1 (which Textual builds from the remapped bindings itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from textual.actions import parse
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.widget import Widget

from frontdesk.tui.base import frontdesk_app


def declared(bindings: Iterable[BindingType]) -> Iterator[Binding]:
    """The Binding objects of a BINDINGS list (the tuple shorthand has no id to remap)."""
    for binding in bindings:
        if isinstance(binding, Binding):
            yield binding


def binding_by_id(bindings: Iterable[BindingType], binding_id: str) -> Binding:
    for binding in declared(bindings):
        if binding.id == binding_id:
            return binding
    raise KeyError(binding_id)


def user_key(node: DOMNode, binding: Binding, *, prose: bool = False) -> str:
    """The key that runs this binding for this user, as buttons show it: "F4", "^R",
    "Enter", "Del", "P" (the first of several keys); in a sentence (``prose``) "Ctrl+R"."""
    keymap = frontdesk_app(node).settings.keymap
    keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
    first = keys.split(",")[0].strip()
    shown = tidy_key(node.app.get_key_display(replace(binding, key=first)))
    if prose and shown.startswith("^"):
        return "Ctrl+" + shown[1:]
    if prose and len(shown) == 1:
        return shown.lower()  # "Discard (y)": the letter as it is typed
    return shown


def tidy_key(display: str) -> str:
    """Textual's key display ("f4", "^r", "⏎", "del") in the desk's style ("F4", "^R"...)."""
    if display == "⏎":
        return "Enter"
    if display.startswith("^"):
        return "^" + display[1:].upper()
    return "+".join(part[:1].upper() + part[1:] for part in display.split("+"))


def key_for(node: DOMNode, binding_id: str, *, prose: bool = True) -> str:
    """The user's key for one of the node's own bindings (by id), for a text: "Ctrl+S"."""
    bindings = [b for klass in type(node).__mro__ for b in getattr(klass, "BINDINGS", [])]
    return user_key(node, binding_by_id(bindings, binding_id), prose=prose)


def labelled(node: DOMNode, text: str, binding_id: str) -> str:
    """A button's label with the user's key for the binding it runs: "Save (Ctrl+S)"."""
    return f"{text} ({key_for(node, binding_id)})"


def button_label(node: DOMNode, binding: Binding) -> str:
    """A button for a binding: its description and the user's key ("Call next F4")."""
    return f"{binding.description} {user_key(node, binding)}"


def palette_commands(
    node: Widget, bindings: Iterable[BindingType], prefix: str, *, skip: Iterable[str] = ()
) -> Iterator[SystemCommand]:
    """A command-palette entry for each binding with an id: "<prefix>: <description>",
    with its tooltip and the user's key as help; choosing it runs the binding's action.
    Bindings in ``skip`` (ids) and those the node's ``check_action`` refuses are left out."""
    left_out = set(skip)
    for binding in declared(bindings):
        if not binding.id or not binding.description or binding.id in left_out:
            continue
        _namespace, name, params = parse(binding.action)
        if node.check_action(name, params) is False:
            continue
        help_text = f"{binding.tooltip or binding.description} ({user_key(node, binding)})"
        yield SystemCommand(
            f"{prefix}: {binding.description}",
            help_text,
            lambda action=binding.action: node.call_later(node.run_action, action),
        )
