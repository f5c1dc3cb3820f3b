# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Container image references: registry[:port]/repository[:tag][@digest], as the Docker reference
grammar (github.com/distribution/reference) defines them. Shared by the image_ref filter and the
values validation module."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:localhost|(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)"
_REFERENCE = re.compile(
    r"^(?:(?P<registry>" + _DOMAIN + r"(?::[0-9]+)?)/)?"
    r"(?P<repository>" + _COMPONENT + r"(?:/" + _COMPONENT + r")*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$"
)
_MAX_LENGTH = 255


class ImageRefError(ValueError):
    """The value is not an image reference; the message says why and what is expected."""


def parse_image_ref(value):
    """Split a reference into registry, repository, tag and digest (each '' when absent)."""
    if not isinstance(value, str):
        raise ImageRefError("an image reference is a string such as registry.example.com/thebot/backend:1.2.3, "
                            "not %s" % type(value).__name__)
    text = value.strip()
    if not text:
        raise ImageRefError("the image reference is empty: write e.g. registry.example.com/thebot/backend:1.2.3")
    if len(text) > _MAX_LENGTH:
        raise ImageRefError("the image reference is %d characters long; the limit is %d" % (len(text), _MAX_LENGTH))
    match = _REFERENCE.match(text)
    if not match:
        hint = " (repository names are lower case)" if text != text.lower() and ":" not in text else ""
        raise ImageRefError("%r is not an image reference%s: write [registry/]repository[:tag][@sha256:digest], "
                            "e.g. registry.example.com/thebot/backend:1.2.3" % (text, hint))
    registry = match.group("registry") or ""
    repository = match.group("repository")
    # "thebot/backend" has no registry; "myhost/thebot" is ambiguous and, as in Docker, a first part
    # without a dot, a port or "localhost" is a path component, not a registry.
    if registry and "." not in registry and ":" not in registry and registry != "localhost":
        repository, registry = registry + "/" + repository, ""
        if registry == "" and not re.match("^" + _COMPONENT + "$", repository.split("/")[0]):
            raise ImageRefError("%r is not an image reference: repository names are lower case" % (text,))
    digest = match.group("digest") or ""
    if digest and digest.startswith("sha256:") and len(digest) != len("sha256:") + 64:
        raise ImageRefError("%r: a sha256 digest has 64 hexadecimal digits" % (text,))
    return {"registry": registry, "repository": repository, "tag": match.group("tag") or "", "digest": digest}
