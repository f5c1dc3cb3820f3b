"""Image digests for the tests: imported alone by the secret scan and the deploy helpers (no test bed needed)."""

import hashlib

# Well-formed digests that name no real bytes, one per image block: for renders and kwok nodes, which pull
# nothing. (The kind scenarios run their images by the digests the node really holds.)
EXAMPLE_DIGESTS = {name: "sha256:" + hashlib.sha256(f"kwok-pulls-no-image:{name}".encode()).hexdigest()
                   for name in ("backend", "frontend", "postgresql", "redis")}
