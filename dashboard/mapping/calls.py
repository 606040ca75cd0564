"""How map layers hand their data to ``static/efm/layers.js``: one JavaScript call per layer.

The drawing code lives in ``layers.js`` (served with Leaflet, inlined into the HTML export);
Python only writes ``efm.<function>(parent, <JSON>, ...)`` into the page, with the data as
script-safe JSON. The call goes into the page verbatim: branca would otherwise parse it as
a Jinja template (slow for megabytes of data, and wrong for data that contains ``{{``).
"""

from __future__ import annotations

import json
from typing import Any

from branca.element import Element, MacroElement
from folium.template import Template


def script_json(value: Any) -> str:
    """JSON safe to put inside a <script> element."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class JSONText(str):
    """JSON text that is already prepared (and script-safe): passed to a call as it is."""


class _Verbatim(Element):
    """Text placed in the page as it is."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class Call(MacroElement):
    """``var <name> = efm.<function>(<parent layer>, <arguments>);`` in the page's script.

    ``arguments`` are Python values (serialised with ``script_json``) or ``JSONText``.
    streamlit-folium reads the ``script`` macro of the template; folium's own rendering
    goes through ``render``: both produce the same line.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = efm.{{ this.function }}(
            {{ this._parent.get_name() }}, {{ this.arguments }});
        {% endmacro %}
    """)

    def __init__(self, name: str, function: str, *arguments: Any):
        super().__init__()
        self._name, self.function = name, function
        self.arguments = ", ".join(a if isinstance(a, JSONText) else script_json(a)
                                   for a in arguments)

    def render(self, **kwargs) -> None:
        script = self._template.module.__dict__["script"]
        self.get_root().script.add_child(_Verbatim(script(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)
