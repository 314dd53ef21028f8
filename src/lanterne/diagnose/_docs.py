"""The rule and fix tables of docs/diagnosis.md, generated from the registry (a test keeps them)."""

from __future__ import annotations

from lanterne.diagnose import _diagnosis  # noqa: F401  (registers the built-in rules and fixes)
from lanterne.diagnose._registry import fixes, rules

START = "<!-- generated: rules -->"
END = "<!-- end generated -->"


def rules_markdown() -> str:
    """Markdown tables of every registered rule and fix."""
    lines = [
        "| rule | weight | checks (fr) | checks (en) | applies to | fix |",
        "|---|---:|---|---|---|---|",
    ]
    for r in rules():
        scope = "all records"
        if r.types is not None:
            scope = ", ".join(sorted(t.value for t in r.types))
        elif r.scope is not None:
            scope = r.scope[1]
        lines.append(
            f"| `{r.id}` | {r.weight} | {r.label[0]} | {r.label[1]} | {scope} | `{r.fix}` |"
        )
    lines += ["", "| fix | what to do (fr) | what to do (en) |", "|---|---|---|"]
    for f in fixes():
        lines.append(f"| `{f.id}` | {f.label[0]} | {f.label[1]} |")
    return "\n".join(lines)


def generated_block() -> str:
    return f"{START}\n{rules_markdown()}\n{END}"


def update(path: str = "docs/diagnosis.md") -> None:
    """Rewrite the generated block of the docs page in place."""
    from pathlib import Path

    page = Path(path)
    text = page.read_text("utf-8")
    start, end = text.index(START), text.index(END) + len(END)
    page.write_text(text[:start] + generated_block() + text[end:], "utf-8")


if __name__ == "__main__":
    update()
