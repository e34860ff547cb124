"""Style sheets as rule lists, edited the way CSSOM edits them (insertRule, deleteRule, setProperty).

Rules stay plain text until an edit reaches inside one; only the rules on an edit's path are parsed, so
a large sheet costs one split on its first edit and nothing per untouched rule.
"""

from __future__ import annotations

from reel.dom.mirror.css import (
    Declaration,
    format_declarations,
    is_grouping,
    is_valid_property,
    is_valid_value,
    parse_declarations,
    remove_declaration,
    set_declaration,
    split_block,
    split_rules,
)

MAX_NESTING = 32
"""Deepest rule path an edit may name; deeper paths are refused (no CSS nests that deep)."""


class Group:
    """A rule that holds rules (@media, @supports, ...), parsed because an edit reached inside it."""

    __slots__ = ("prelude", "rules")

    def __init__(self, prelude: str, rules: list[Rule]) -> None:
        self.prelude = prelude
        self.rules = rules


class Styled:
    """A rule that holds declarations, parsed because an edit changed one of them."""

    __slots__ = ("items", "prelude")

    def __init__(self, prelude: str, items: list[Declaration | str]) -> None:
        self.prelude = prelude
        self.items = items


Rule = str | Group | Styled


def rule_text(rule: Rule) -> str:
    """The CSS text of a rule (recursion is bounded by MAX_NESTING: only edited paths are parsed)."""
    if isinstance(rule, str):
        return rule
    head = f"{rule.prelude} {{ " if rule.prelude else "{ "
    if isinstance(rule, Group):
        return f"{head}{' '.join(rule_text(r) for r in rule.rules)} }}"
    return f"{head}{format_declarations(rule.items)} }}"


def _path(index: object) -> list[int] | None:
    if not isinstance(index, list) or not 0 < len(index) <= MAX_NESTING:
        return None
    for i in index:
        if type(i) is not int:
            return None
    return index


class Sheet:
    """One style sheet: an element's (<style>, inlined <link>) or a constructed one (adopted)."""

    __slots__ = ("dirty", "rules")

    def __init__(self, text: str = "") -> None:
        self.rules: list[Rule] = list(split_rules(text)) if text else []
        self.dirty = False

    def text(self) -> str:
        """The whole sheet as CSS text."""
        return "".join(rule_text(r) for r in self.rules)

    def rule_texts(self) -> list[str]:
        """Each top-level rule as CSS text."""
        return [rule_text(r) for r in self.rules]

    def _container(self, positions: list[int]) -> list[Rule] | str:
        rules = self.rules
        for p in positions:
            if not 0 <= p < len(rules):
                return f"no rule at position {p}"
            rule = rules[p]
            if isinstance(rule, str):
                block = split_block(rule)
                if block is None or not is_grouping(block[0]):
                    return f"rule at position {p} holds no rules"
                rule = rules[p] = Group(block[0], list(split_rules(block[1])))
            if not isinstance(rule, Group):
                return f"rule at position {p} holds no rules"
            rules = rule.rules
        return rules

    def insert(self, text: object, index: object) -> str | None:
        """insertRule; returns why it failed, or None."""
        if not isinstance(text, str):
            return "rule is not a string"
        parts = split_rules(text)
        if len(parts) != 1:
            return f"rule text holds {len(parts)} rules"
        if index is None:
            index = 0
        if type(index) is int:
            if index < 0:
                return f"bad rule index {index}"
            self.rules.insert(min(index, len(self.rules)), parts[0])
            self.dirty = True
            return None
        path = _path(index)
        if path is None or len(path) < 2:
            return "bad rule index"
        rules = self._container(path[:-1])
        if isinstance(rules, str):
            return rules
        if not 0 <= path[-1] <= len(rules):
            return f"rule index {path[-1]} out of range"
        rules.insert(path[-1], parts[0])
        self.dirty = True
        return None

    def delete(self, index: object) -> str | None:
        """deleteRule; returns why it failed, or None."""
        if type(index) is int:
            rules = self.rules
            position = index
        else:
            path = _path(index)
            if path is None or len(path) < 2:
                return "bad rule index"
            found = self._container(path[:-1])
            if isinstance(found, str):
                return found
            rules, position = found, path[-1]
        if not 0 <= position < len(rules):
            return f"rule index {position} out of range"
        del rules[position]
        self.dirty = True
        return None

    def replace(self, text: object) -> str | None:
        """replace/replaceSync of a constructed sheet."""
        if not isinstance(text, str):
            return "sheet text is not a string"
        self.rules = list(split_rules(text))
        self.dirty = True
        return None

    def _styled(self, index: object) -> Styled | str:
        path = _path(index)
        if path is None:
            return "bad rule index"
        rules = self._container(path[:-1])
        if isinstance(rules, str):
            return rules
        p = path[-1]
        if not 0 <= p < len(rules):
            return f"no rule at position {p}"
        rule = rules[p]
        if isinstance(rule, str):
            block = split_block(rule)
            if block is None or is_grouping(block[0]):
                return f"rule at position {p} holds no declarations"
            rule = rules[p] = Styled(block[0], parse_declarations(block[1]))
        if not isinstance(rule, Styled):
            return f"rule at position {p} holds no declarations"
        return rule

    def set_property(self, index: object, name: object, value: object, priority: object) -> str | None:
        """CSSStyleDeclaration.setProperty on the rule at `index`; a null value removes (as in CSSOM)."""
        if not isinstance(name, str) or not is_valid_property(name):
            return "bad property name"
        if value is not None and not (isinstance(value, str) and is_valid_value(value)):
            return f"bad value for {name}"
        if priority is not None and not isinstance(priority, str):
            return "bad priority"
        rule = self._styled(index)
        if isinstance(rule, str):
            return rule
        if not value:
            remove_declaration(rule.items, name)
        else:
            set_declaration(rule.items, name, value.strip(), priority == "important")
        self.dirty = True
        return None

    def remove_property(self, index: object, name: object) -> str | None:
        """CSSStyleDeclaration.removeProperty on the rule at `index`."""
        if not isinstance(name, str):
            return "bad property name"
        rule = self._styled(index)
        if isinstance(rule, str):
            return rule
        remove_declaration(rule.items, name)
        self.dirty = True
        return None
