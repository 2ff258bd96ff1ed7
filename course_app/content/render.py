"""Markdown to safe HTML: Python-Markdown renders, nh3 sanitizes, links to other lessons are resolved."""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

EXTENSIONS = ["tables", "admonition", "footnotes", "toc", "attr_list", "fenced_code", "sane_lists", "def_list"]
EXTENSION_CONFIGS = {
    "toc": {"toc_depth": "2-3", "permalink": False},
    "tables": {"use_align_attribute": True},
    "footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
}

ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"section", "figure", "figcaption", "dl", "dt", "dd", "sup", "details", "summary"}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href", "title", "id", "class"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "th": {"align", "scope"},
    "td": {"align"},
    "ol": {"start"},
}

# Resolves a link found in a lesson: returns the URL to use, or None when the target is unknown.
LinkResolver = Callable[[str], "str | None"]


@dataclass
class Rendered:
    html: str
    toc_html: str
    headings: list[dict]
    images_without_alt: list[str] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)


class _LinkChecker(Treeprocessor):
    def __init__(self, md: markdown.Markdown, resolve: LinkResolver, report: Rendered):
        super().__init__(md)
        self.resolve = resolve
        self.report = report

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag == "img":
                if not (element.get("alt") or "").strip():
                    self.report.images_without_alt.append(element.get("src", ""))
                self._rewrite(element, "src")
            elif element.tag == "a":
                self._rewrite(element, "href")

    def _rewrite(self, element: etree.Element, attribute: str) -> None:
        target = element.get(attribute, "")
        if not target or re.match(r"^(#|[a-z][a-z0-9+.-]*:|//)", target, re.I):
            return  # anchors and external links pass through as written
        resolved = self.resolve(target)
        if resolved is None:
            self.report.broken_links.append(target)
        else:
            element.set(attribute, resolved)


class _ResolveLinks(Extension):
    def __init__(self, resolve: LinkResolver, report: Rendered):
        super().__init__()
        self.resolve = resolve
        self.report = report

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_LinkChecker(md, self.resolve, self.report), "resolve_links", 0)


def render_markdown(source: str, resolve: LinkResolver | None = None) -> Rendered:
    """Render Markdown to sanitized HTML with its table of contents and any link problems."""
    report = Rendered(html="", toc_html="", headings=[])
    extensions: list = list(EXTENSIONS)
    extensions.append(_ResolveLinks(resolve or (lambda target: None), report))
    md = markdown.Markdown(extensions=extensions, extension_configs=EXTENSION_CONFIGS)
    report.html = wrap_tables(sanitize(md.convert(source)))
    report.headings = [{"id": t["id"], "name": t["name"], "level": t["level"]} for t in _flatten(md.toc_tokens)]
    report.toc_html = sanitize(md.toc) if report.headings else ""
    return report


def render_inline(source: str) -> str:
    """Render a short Markdown text (a quiz choice, a prompt) to sanitized HTML."""
    html = markdown.markdown(source, extensions=["sane_lists", "attr_list"])
    return sanitize(html)


def sanitize(html: str) -> str:
    """Strip anything from HTML that is not plain, safe document markup."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


TABLE_HINT = '<p class="table-hint" aria-hidden="true">Scroll sideways to see the whole table.</p>'


def wrap_tables(html: str) -> str:
    """Put each table in a labelled region a keyboard can scroll; an empty header cell becomes a data cell."""
    html = re.sub(r"<th( [^>]*)?>\s*</th>", r"<td\1></td>", html)
    count = 0

    def region(match: re.Match) -> str:
        nonlocal count
        count += 1
        return f'{TABLE_HINT}<div class="table-region" role="region" tabindex="0" aria-label="Table {count}">{match[0]}</div>'

    return re.sub(r"<table>.*?</table>", region, html, flags=re.S)


def _flatten(tokens: list[dict]) -> list[dict]:
    flat: list[dict] = []
    for token in tokens:
        flat.append(token)
        flat.extend(_flatten(token.get("children", [])))
    return flat


def word_count(text: str) -> int:
    """Count words as a reader would: runs of letters or digits, with inner apostrophes and hyphens.

    static/js/reflections.js counts the same way, so the count a learner sees is the one that is checked.
    """
    return len(re.findall(r"\w+(?:['’\-]\w+)*", text or ""))


def count_words(markdown_source: str) -> int:
    """Count the words a reader reads in Markdown source (markup and link targets left out)."""
    text = re.sub(r"\]\([^)]*\)", "]", markdown_source)
    return word_count(re.sub(r"<[^>]+>|[_*`#|>]", " ", text))
