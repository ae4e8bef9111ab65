"""Which layer changes? Seeded build problems: a Dockerfile-like list of steps and one change to the sources.

Pure and deterministic per seed. The rules are those of an image builder's layer cache (Docker's build
cache, "Optimize cache usage in builds"): only ``FROM`` (the base image, counted here as one layer),
``RUN``, ``COPY`` and ``ADD`` make file-system layers; ``EXPOSE``, ``ENV``, ``LABEL`` and ``CMD`` change only
the image config. A step is rebuilt when its own input changed (the command's text, or the files a ``COPY``
copies, or the base) or when any step before it was rebuilt (each step's cache entry hangs off its parent's).
Problems assume, as ordinary builds do, that a step run again writes a layer with a new digest (new file
times), so a host holding the old image pulls exactly the rebuilt layers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..core import validate

__all__ = ["LAYER_STEPS", "BuildProblem", "build_problem"]

LAYER_STEPS = ("FROM", "RUN", "COPY", "ADD")
_STACKS = (
    ("python:3.12-slim", "python:3.13-slim", "requirements.txt", "RUN pip install -r requirements.txt", "app.py"),
    ("node:20-slim", "node:22-slim", "package.json", "RUN npm ci", "server.js"),
    ("ruby:3.2-slim", "ruby:3.3-slim", "Gemfile", "RUN bundle install", "app.rb"),
)
_PACKAGES = ("curl", "tini", "ca-certificates", "libpq5", "git")


@dataclass(frozen=True)
class BuildProblem:
    """Steps (instruction text), which of them make layers, the change, and the answer under the rules above."""

    seed: int
    steps: tuple[str, ...]
    change: str
    touched: int  # the first step whose own input changed (1-based), 0 if none
    first: int  # the first step whose layer changes (1-based), 0 if none
    rebuilt: int  # layers rebuilt (and pulled by a host that has the old image)
    layers: int  # layers in the image

    def is_layer(self, n: int) -> bool:
        """Whether step ``n`` (1-based) makes a file-system layer."""
        return self.steps[n - 1].split()[0] in LAYER_STEPS

    def show(self) -> str:
        """The problem as the learner sees it."""
        lines = [f"Build problem #{self.seed} (a synthetic project). The image is built from these steps:"]
        lines += [f"  {n:>2}  {s}" for n, s in enumerate(self.steps, 1)]
        lines += [
            f"Change: {self.change}.",
            "Which step is the first whose layer gets a new digest (0 if no layer changes), and how many layers "
            "must be rebuilt, and so pulled by a host that has the old image? Answer (first step, layers rebuilt).",
        ]
        return "\n".join(lines)

    def answer(self) -> str:
        """The worked answer, step by step."""
        if not self.first:
            return (
                f"No layer changes: the change touches step {self.touched} ({self.steps[self.touched - 1]}), "
                "which writes only the image config (new config and manifest digests); every layer is reused "
                "from the cache, and a host that has the old image pulls no layer, only the new config and manifest."
            )
        why = []
        for n in range(1, len(self.steps) + 1):
            if not self.is_layer(n):
                why.append(f"step {n} makes no layer (config only)")
            elif n < self.first:
                why.append(f"step {n} is reused (its input and every step before it are unchanged)")
            elif n == self.first == 1:
                why.append("step 1 changes: the new base's layers (counted here as one) are pulled, not rebuilt")
            elif n == self.first:
                why.append(f"step {n} is rebuilt: its own input changed")
            else:
                why.append(f"step {n} is rebuilt: a step before it was (its cache hangs off its parent)")
        kept = self.layers - self.rebuilt
        done = "new (the base's pulled, the rest rebuilt)" if self.first == 1 else "rebuilt"
        return (
            f"First changed layer: step {self.first}; {self.rebuilt} of {self.layers} layers {done} and pulled, "
            f"{kept} reused from the cache and already on the host. " + "; ".join(why) + "."
        )


def build_problem(seed: int) -> BuildProblem:
    """The problem for ``seed`` (same seed, same problem); ValueError if ``seed`` is not a whole number >= 0."""
    seed = validate.integer("seed", seed, minimum=0, maximum=10**9)
    rng = random.Random(seed)
    base, newer, manifest, install, source = rng.choice(_STACKS)
    packages = rng.sample(_PACKAGES, 2)
    cache_friendly = rng.random() < 0.6  # dependencies before the source, or everything copied at once
    steps = [f"FROM {base}", f"RUN apt-get update && apt-get install -y {' '.join(packages)}"]
    if rng.random() < 0.5:
        steps.append("ENV APP_ENV=production")
    if cache_friendly:
        steps += [f"COPY {manifest} .", install, "EXPOSE 8080", "COPY src/ ./src/"]
    else:
        steps += ["COPY . .", install, "EXPOSE 8080"]
    steps.append(f'CMD ["./src/{source}"]')
    kinds = ["source", "dependency", "package", "base", "cmd"]
    kind = rng.choices(kinds, weights=(4, 3, 2, 2, 1))[0]
    if kind == "source":
        change, touched = f"you edit src/{source}", _copy_of(steps, "src/")
    elif kind == "dependency":
        change, touched = f"you add a dependency to {manifest}", _copy_of(steps, manifest)
    elif kind == "package":
        extra = rng.choice([p for p in _PACKAGES if p not in packages])
        change, touched = f"you add {extra} to the apt-get install line of step 2", 2
    elif kind == "base":
        change = (
            f"the base image is bumped from {base} to {newer} "
            "(a host may already share some of the new base's own layers)"
        )
        touched = 1
    else:
        change, touched = f'you change the last step to CMD ["./src/{source}", "--verbose"]', len(steps)
    is_layer = [s.split()[0] in LAYER_STEPS for s in steps]
    first = next((n for n in range(touched, len(steps) + 1) if is_layer[n - 1]), 0)
    rebuilt = sum(is_layer[first - 1 :]) if first else 0
    return BuildProblem(seed, tuple(steps), change, touched, first, rebuilt, sum(is_layer))


def _copy_of(steps: list[str], what: str) -> int:
    """The first COPY step that copies ``what`` (``COPY . .`` copies everything)."""
    return next(n for n, s in enumerate(steps, 1) if s.startswith("COPY ") and (s.split()[1] in (what, ".")))
