"""Request validation: a request model is a class whose fields each declare a rule
(`Text`, `Integer`, `Boolean`, `CalendarDate`, `ListOf`, `Nested`); `parse` checks parsed
JSON against them and names every bad field, and `json_schema` describes the same rules for
docs/openapi.json.

Not pydantic: importing it costs an API function about 0.45x of a cold `import boto3`, more
than the rest of our code together, for the dozen string, date, number and list checks these
requests need (docs/decisions.md, "A router, a logger and request validation of our own").
"""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, ClassVar, Self

Location = tuple[str | int, ...]


class InvalidFields(Exception):
    """Every field that broke its rule, each with where it is and what is wrong."""

    def __init__(self, errors: list[tuple[Location, str]]):
        super().__init__(f"{len(errors)} invalid field(s)")
        self.errors = errors


def _invalid(location: Location, message: str) -> InvalidFields:
    return InvalidFields([(location, message)])


class Rule:
    def check(self, value: Any, location: Location) -> Any:
        """The value as the model keeps it; raises InvalidFields."""
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATES = frozenset(range(0xD800, 0xE000))


def _search(pattern: str, text: str) -> re.Match[str] | None:
    """`pattern` as JSON Schema reads it (ECMA-262): a final `$` is the end of the text, not
    also the place before a final line break as in Python."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.search(pattern, text)


def _class_items(characters: Iterable[int]) -> str:
    """The inside of a regex character class naming these code points, as ranges. BMP code
    points are written `\\uXXXX` (Python's `re` and ECMA-262 read it alike); others as the
    character itself, which both read as one code point."""

    def one(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)

    items: list[str] = []
    run: list[int] = []
    for code in sorted(characters):
        if run and code == run[-1] + 1:
            run.append(code)
            continue
        if run:
            items.append(one(run[0]) if len(run) == 1 else f"{one(run[0])}-{one(run[-1])}")
        run = [code]
    if run:
        items.append(one(run[0]) if len(run) == 1 else f"{one(run[0])}-{one(run[-1])}")
    return "".join(items)


@functools.cache
def _characters(predicate: Callable[[str], bool]) -> frozenset[int]:
    """Every code point the predicate holds for (schema generation only: it reads them all)."""
    return frozenset(c for c in range(sys.maxunicode + 1) if predicate(chr(c)))


def _spaces() -> frozenset[int]:
    """What `str.strip` drops and Python's `\\s` matches; ECMA-262's `\\s` differs (it has
    U+FEFF, not U+001C-U+001F or U+0085), so the schema lists them."""
    return _characters(str.isspace)


def _for_ecma(pattern: str, refused: frozenset[int] = frozenset()) -> str:
    """The pattern with `\\s` and `\\S` spelled as the characters Python means, and the
    refused characters added to every negated class (a pattern with refused characters uses
    only negated classes, so every character it takes passes through one)."""
    spaces = _class_items(_spaces())
    out, index, in_class = [], 0, False
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith(r"[\s\S]", index) and not in_class:
            if refused:
                raise ValueError("refused characters need negated classes")
            out.append(r"[\s\S]")  # any character, whatever a space is
            index += 6
            continue
        if char == "\\":
            escape = pattern[index : index + 2]
            if escape == r"\s":
                out.append(spaces if in_class else f"[{spaces}]")
            elif escape == r"\S":
                if in_class:
                    raise ValueError("\\S inside a class has no ECMA spelling here")
                out.append(f"[^{spaces}{_class_items(refused)}]")
            else:
                out.append(escape)
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            negated = pattern.startswith("[^", index)
            if refused and not negated:
                raise ValueError("refused characters need negated classes")
            out.append("[^" if negated else "[")
            index += 2 if negated else 1
            continue
        if char == "]" and in_class:
            in_class = False
            out.append(_class_items(refused) + "]" if refused else "]")
            index += 1
            continue
        if char == "." and not in_class and refused:
            raise ValueError("refused characters need negated classes, not '.'")
        out.append(char)
        index += 1
    return "".join(out)


@dataclasses.dataclass(frozen=True)
class Text(Rule):
    """Bounded text. With `strip`, surrounding spaces (`str.isspace`) are dropped and the
    rest is checked and kept; the length bound holds for the text as sent. `refuse` is a
    rule a pattern cannot say (text.py), named in the schema as the string's `format`.
    `refused_characters` are the characters `refuse` refuses wherever they are in the
    (stripped) text: the schema's pattern leaves them out, so it says that part too.
    `pattern_message` explains a text that does not match `pattern`."""

    max_length: int
    min_length: int = 1
    pattern: str | None = None  # anchored; of the text once stripped
    strip: bool = False
    refuse: Callable[[str], str | None] | None = None
    format: str | None = None  # the name of `refuse` in the schema
    refused_characters: Callable[[str], bool] | None = None
    pattern_message: str = "Not in the expected format."

    def __post_init__(self) -> None:
        if (self.refuse is None) != (self.format is None):
            raise ValueError("a text rule the schema cannot say is named by a format")
        if self.refused_characters is not None and self.refuse is None:
            raise ValueError("refused characters are those `refuse` refuses")
        if self.pattern is not None and not (
            self.pattern.startswith("^") and self.pattern.endswith("$")
        ):
            raise ValueError("patterns are anchored, so every reader means the same")

    def check(self, value: Any, location: Location) -> str:
        if not isinstance(value, str):
            raise _invalid(location, "Must be a string.")
        if _LONE_SURROGATE.search(value):  # JSON allows "\ud800"; no encoder does
            raise _invalid(location, "Must be valid Unicode text.")
        if len(value) > self.max_length:
            raise _invalid(location, f"At most {self.max_length} characters.")
        text: str = value.strip() if self.strip else value
        if len(text) < self.min_length:
            raise _invalid(
                location,
                "Must not be empty."
                if self.min_length == 1
                else f"At least {self.min_length} characters.",
            )
        problem = self.refuse(text) if self.refuse is not None else None
        if problem is not None:
            raise _invalid(location, problem)
        if self.pattern is not None and not _search(self.pattern, text):
            raise _invalid(location, self.pattern_message)
        return text

    def schema(self) -> dict[str, Any]:
        described: dict[str, Any] = {"type": "string", "maxLength": self.max_length}
        if self.min_length:
            described["minLength"] = self.min_length
        pattern = self._stripped_pattern() if self.strip else self._pattern()
        if pattern is not None:
            # Lone surrogates are left out: no JSON text a client can make (I-JSON) holds one,
            # and every Text refuses them on its own.
            refused = (
                _characters(self.refused_characters) - _SURROGATES
                if self.refused_characters is not None
                else frozenset()
            )
            described["pattern"] = _for_ecma(pattern, refused)
        if self.format is not None:
            described["format"] = self.format
        return described

    def _pattern(self) -> str | None:
        if self.pattern is not None or self.refused_characters is None:
            return self.pattern
        return r"^[^]*$"  # the refused characters are added to the class

    def _stripped_pattern(self) -> str | None:
        """The pattern the text as sent matches when, once stripped, it passes: the declared
        pattern between runs of spaces (it starts and ends with no space itself), or else
        enough characters between the first and the last that are not spaces (nor refused)."""
        if self.pattern is not None:
            return r"^\s*" + self.pattern[1:-1] + r"\s*$"
        if self.min_length <= 0:
            return None
        if self.refused_characters is not None:
            # Between the first and the last character that is not a space: no refused one.
            ends = r"[^\s]"
            if self.min_length == 1:
                return r"^\s*" + ends + r"(?:[^]*" + ends + r")?\s*$"
            middle = r"[^]{%d,}" % (self.min_length - 2)  # noqa: UP031 - a regex's braces
            return r"^\s*" + ends + middle + ends + r"\s*$"
        if self.min_length == 1:
            return r"\S"
        return r"\S[\s\S]{%d,}\S" % (self.min_length - 2)  # noqa: UP031 - a regex's braces


_WHOLE_NUMBER = re.compile(r"[+-]?\d{1,18}")


@dataclasses.dataclass(frozen=True)
class Integer(Rule):
    ge: int
    le: int
    from_text: bool = False  # query strings carry numbers as text

    def check(self, value: Any, location: Location) -> int:
        if self.from_text and isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid(location, "Must be a whole number.")
        if value < self.ge:
            raise _invalid(location, f"Must be at least {self.ge}.")
        if value > self.le:
            raise _invalid(location, f"Must be at most {self.le}.")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.ge, "maximum": self.le}


@dataclasses.dataclass(frozen=True)
class Number(Rule):
    ge: float
    le: float

    def check(self, value: Any, location: Location) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _invalid(location, "Must be a number.")
        if not self.ge <= value <= self.le:
            raise _invalid(location, f"Must be between {self.ge:g} and {self.le:g}.")
        return float(value)

    def schema(self) -> dict[str, Any]:
        return {"type": "number", "minimum": self.ge, "maximum": self.le}


@dataclasses.dataclass(frozen=True)
class Boolean(Rule):
    from_text: bool = False  # query strings carry "true" and "false" as text

    def check(self, value: Any, location: Location) -> bool:
        if self.from_text and value in ("true", "false"):
            value = value == "true"
        if not isinstance(value, bool):  # not 1, not "true" in a body
            raise _invalid(location, "Must be true or false.")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclasses.dataclass(frozen=True)
class CalendarDate(Rule):
    """Only a "YYYY-MM-DD" string that names a real day (no numbers, no datetimes)."""

    def check(self, value: Any, location: Location) -> date:
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise _invalid(location, "Use a date as YYYY-MM-DD.")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _invalid(location, "Use a real date as YYYY-MM-DD.") from None

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


@dataclasses.dataclass(frozen=True)
class OneOfText(Rule):
    """One of a few words, exactly (a role, a status)."""

    values: tuple[str, ...]

    def check(self, value: Any, location: Location) -> str:
        if not isinstance(value, str) or value not in self.values:
            raise _invalid(location, "Must be one of: " + ", ".join(self.values) + ".")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values)}


@dataclasses.dataclass(frozen=True)
class ListOf(Rule):
    item: Rule
    max_items: int
    min_items: int = 0
    min_message: str | None = None  # what to say when there are fewer

    def check(self, value: Any, location: Location) -> list[Any]:
        if not isinstance(value, list):
            raise _invalid(location, "Must be a list.")
        if len(value) > self.max_items:
            raise _invalid(location, f"At most {self.max_items} items.")
        if len(value) < self.min_items:
            raise _invalid(location, self.min_message or f"At least {self.min_items} items.")
        checked, errors = [], []
        for index, item in enumerate(value):
            try:
                checked.append(self.item.check(item, (*location, index)))
            except InvalidFields as exc:
                errors += exc.errors
        if errors:
            raise InvalidFields(errors)
        return checked

    def schema(self) -> dict[str, Any]:
        described = {"type": "array", "items": self.item.schema(), "maxItems": self.max_items}
        if self.min_items:
            described["minItems"] = self.min_items
        return described


@dataclasses.dataclass(frozen=True)
class Nested(Rule):
    model: type[RequestModel]

    def check(self, value: Any, location: Location) -> RequestModel:
        if not isinstance(value, dict):
            raise _invalid(location, "Must be an object.")
        return self.model.parse(value, location)

    def schema(self) -> dict[str, Any]:
        return self.model.json_schema()


_REQUIRED: Any = object()  # the default of a field the request must name


@dataclasses.dataclass(frozen=True)
class Declared:
    """A request field: its rule, whether null is accepted, its default when absent."""

    rule: Rule
    nullable: bool
    default: Any

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def default_value(self) -> Any:
        return list(self.default) if isinstance(self.default, list) else self.default


def field(rule: Rule, *, default: Any = _REQUIRED, nullable: bool = False) -> Any:
    """Declares a request field (`name: str = field(NAME)`); a list default is copied for
    each request."""
    return Declared(rule, nullable, default)


class RequestModel:
    """A request body: fields declared with `field`, in order; unknown fields refused.

    Plain classes rather than dataclasses: a function imports all the request models, and
    generating each dataclass's methods cost more than the rest of the module."""

    unknown_fields: ClassVar[str] = "refuse"  # or "ignore"
    # A PATCH body names at least one field (`minProperties`); this says why when it names none.
    at_least_one_field: ClassVar[str | None] = None
    declared: ClassVar[dict[str, Declared]] = {}
    # The fields the request named (a PATCH changes those only, null included).
    fields_given: frozenset[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = {name: value for name, value in vars(cls).items() if isinstance(value, Declared)}
        cls.declared = {**cls.declared, **own}

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __repr__(self) -> str:
        # Names only: the values are what people typed (names, emails, passwords).
        return f"{type(self).__name__}(fields_given={sorted(self.fields_given)})"

    @classmethod
    def parse(cls, data: Mapping[str, Any], location: Location = ()) -> Self:
        errors: list[tuple[Location, str]] = []
        if cls.unknown_fields == "refuse":
            errors += [
                ((*location, key), "Unknown field.") for key in data if key not in cls.declared
            ]
        if cls.at_least_one_field is not None and not data:
            errors.append((location or ("body",), cls.at_least_one_field))
        values: dict[str, Any] = {}
        for name, declared in cls.declared.items():
            where = (*location, name)
            if name not in data:
                if declared.required:
                    errors.append((where, "Field required."))
                else:
                    values[name] = declared.default_value()
                continue
            value = data[name]
            if value is None:
                if declared.nullable:
                    values[name] = None
                else:
                    errors.append((where, "Must not be null."))
                continue
            try:
                values[name] = declared.rule.check(value, where)
            except InvalidFields as exc:
                errors += exc.errors
        if errors:
            raise InvalidFields(errors)
        parsed = object.__new__(cls)
        parsed.__dict__.update(values, fields_given=frozenset(cls.declared.keys() & data.keys()))
        return parsed

    def as_dict(self) -> dict[str, Any]:
        """The declared fields, nested requests as dicts too."""
        return {name: _plain(getattr(self, name)) for name in self.declared}

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required = []
        for name, declared in cls.declared.items():
            described = declared.rule.schema()
            if declared.nullable:
                described = {"anyOf": [described, {"type": "null"}]}
            if declared.required:
                required.append(name)
            elif declared.default_value() is not None or declared.nullable:
                # A default the field's own schema refuses (null for a non-nullable field:
                # "not given") would make the document invalid; absence says the same.
                described["default"] = declared.default_value()
            properties[name] = described
        schema: dict[str, Any] = {"type": "object", "title": cls.__name__}
        schema["properties"] = properties
        if required:
            schema["required"] = required
        if cls.at_least_one_field is not None:
            schema["minProperties"] = 1
        if cls.unknown_fields == "refuse":
            schema["additionalProperties"] = False
        return schema


def _plain(value: Any) -> Any:
    if isinstance(value, RequestModel):
        return value.as_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class QueryParameters(RequestModel):
    """A query string: unknown names are ignored (a cache-buster must not break a list)."""

    unknown_fields: ClassVar[str] = "ignore"
