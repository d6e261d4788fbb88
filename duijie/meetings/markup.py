"""Small pieces of markup the meeting pages share: text that must wrap only where a reader expects it."""

from __future__ import annotations

from markupsafe import Markup, escape


def email_html(address: str | None, link: bool = True) -> Markup:
    """An e-mail address that a narrow column wraps only before its "@" and before the dots of its domain,
    never inside a word ("contact124" / "@demo.duijie.invalid"); linked unless `link` is false, the whole
    address in its title."""
    if not address:
        return Markup("")
    local_part, at, domain = address.partition("@")
    pieces = [escape(local_part)]
    if at:
        labels = domain.split(".")
        pieces.append(Markup("<wbr>@") + escape(labels[0]))
        pieces.extend(Markup("<wbr>.") + escape(label) for label in labels[1:])
    text = Markup("").join(pieces)
    if not link:
        return Markup('<span class="email" title="{0}">{1}</span>').format(address, text)
    return Markup('<a class="email" href="mailto:{0}" title="{0}">{1}</a>').format(address, text)
