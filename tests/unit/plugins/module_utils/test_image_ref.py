import pytest

from ansible_collections.thebot.platform.plugins.module_utils.image_ref import ImageRefError, parse_image_ref

DIGEST = "sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize("text,expected", [
    ("redis", ("", "redis", "", "")),
    ("thebot/backend:1.2.3", ("", "thebot/backend", "1.2.3", "")),
    ("docker.io/library/postgres:16.6-alpine", ("docker.io", "library/postgres", "16.6-alpine", "")),
    ("registry.example.com:5000/a/b:v1@" + DIGEST, ("registry.example.com:5000", "a/b", "v1", DIGEST)),
    ("localhost/app", ("localhost", "app", "", "")),
    ("localhost:5000/app:dev", ("localhost:5000", "app", "dev", "")),
    ("team/app@" + DIGEST, ("", "team/app", "", DIGEST)),
])
def test_splits_references(text, expected):
    parts = parse_image_ref(text)
    assert (parts["registry"], parts["repository"], parts["tag"], parts["digest"]) == expected


@pytest.mark.parametrize("bad", ["", "Upper/Case", "a:b:c", "app@sha256:abc", "app:" + "t" * 129, "/leading",
                                 "trailing/", "a//b", "x" * 256, 3, None, ["a"]])
def test_refuses_anything_else_with_a_message(bad):
    with pytest.raises(ImageRefError, match="image reference|not an image|digest|characters long"):
        parse_image_ref(bad)
