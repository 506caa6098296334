"""The transition record shared by the participation workflows that an organiser drives (topics, notices):
from which states an action is allowed, the state it leads to, and its Chinese verb for messages."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    label: str
