"""From a news article to draft incidents (issue 18): pure, offline, deterministic.

``propose(text, published)`` -> ``Proposal`` list; ``to_feature`` makes a schema feature;
``duplicates`` finds proposals already in the data; ``plain_text`` reads HTML/Markdown.
"""

from __future__ import annotations

from .propose import Proposal, duplicates, propose, same_incident, to_feature
from .text import plain_text

__all__ = ["Proposal", "duplicates", "plain_text", "propose", "same_incident", "to_feature"]
