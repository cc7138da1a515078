"""What a PromQL expression names, and the series consumer/runtime/metrics.py exposes, for checking dashboards and rules
by parsing (no Prometheus here)."""

import re

from prometheus_client.metrics import MetricWrapperBase

from consumer.runtime import metrics

# metric names, once strings, label matchers, durations, `by`/`without` label lists and functions are set aside
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)")
_CALL = re.compile(r"\b([a-zA-Z_][a-zA-Z0-9_]*)\s*\(")
_NAME = re.compile(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)")
KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "le"}
SUFFIXES = {"counter": ("_total", "_created"), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum", "_created")}


def exposed_series() -> dict[str, set[str]]:
    """Each series name the service exposes, with the labels it carries."""
    series = {}
    for collector in vars(metrics).values():
        if not isinstance(collector, MetricWrapperBase):
            continue
        labels = set(collector._labelnames)  # prometheus_client keeps them here; no public accessor
        for family in collector.describe():
            for suffix in SUFFIXES[family.type]:
                series[family.name + suffix] = labels | ({"le"} if suffix == "_bucket" else set())
    return series


def balanced(expr: str) -> bool:
    depth = {"(": 0, "[": 0, "{": 0}
    closing = {")": "(", "]": "[", "}": "{"}
    for char in _STRINGS.sub('""', expr):
        if char in depth:
            depth[char] += 1
        elif char in closing:
            depth[closing[char]] -= 1
            if depth[closing[char]] < 0:
                return False
    return not any(depth.values())


def grouping_labels(expr: str) -> set[str]:
    return {label.strip() for _, labels in _GROUPING.findall(expr) for label in labels.split(",") if label.strip()}


def series_named(expr: str) -> set[str]:
    """The metric names in `expr`."""
    text = _STRINGS.sub(" ", expr)
    text = _MATCHERS.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    functions = set(_CALL.findall(text))
    text = _CALL.sub("(", text)
    names = set(_NAME.findall(text)) - KEYWORDS - functions
    return {name for name in names if not re.fullmatch(r"[0-9.e+-]+", name)}
