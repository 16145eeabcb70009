"""A service repo's commit graph from one `git rev-list --all --parents --timestamp --topo-order`, and
the commits a deploy brings: reachable from its source and not from the previous deploy's source
(what `git rev-list NEW ^OLD` lists), found by painting down the graph in generation order."""

from __future__ import annotations

import heapq
from pathlib import Path

from platform_cli import git


class Graph:
    def __init__(self, rev_list: str) -> None:
        self.date: dict[str, int] = {}
        self.parents: dict[str, tuple[str, ...]] = {}
        lines = rev_list.splitlines()
        for line in lines:
            ts, sha, *parents = line.split()
            self.date[sha] = int(ts)
            self.parents[sha] = tuple(parents)
        self.generation: dict[str, int] = {}
        for line in reversed(lines):  # --topo-order: parents after children, so before them here
            sha = line.split(maxsplit=2)[1]
            self.generation[sha] = 1 + max((self.generation.get(p, 0) for p in self.parents[sha]), default=0)

    def __contains__(self, sha: object) -> bool:
        return sha in self.date

    def brought(self, new: str, old: str | None) -> list[str] | None:
        """Commits reachable from `new` and not from `old` (None: all of `new`'s history); None when
        either is not in the graph (force-pushed away, never pushed)."""
        if new not in self.date or (old is not None and old not in self.date):
            return None
        line = self._line(new, old) if old is not None else None
        return line if line is not None else self._paint(new, old)

    def _line(self, new: str, old: str) -> list[str] | None:
        """The common case, a straight line of single-parent commits from `new` down to `old`; None
        when the history between them is anything else."""
        out, sha, floor = [], new, self.generation[old]
        while sha != old:
            parents = self.parents[sha]
            if len(parents) != 1 or self.generation[sha] <= floor or parents[0] not in self.date:
                return None
            out.append(sha)
            sha = parents[0]
        return out

    def _paint(self, new: str, old: str | None) -> list[str]:
        flags = {new: 1}
        queue = [(-self.generation[new], new)]
        if old is not None:
            flags[old] = flags.get(old, 0) | 2
            if old != new:
                heapq.heappush(queue, (-self.generation[old], old))
        wanted = 1 if flags[new] == 1 else 0  # queued commits reachable from `new` only
        out = []
        while wanted and queue:
            _, sha = heapq.heappop(queue)
            flag = flags[sha]
            if flag == 1:
                wanted -= 1
                out.append(sha)
            for parent in self.parents[sha]:
                if parent not in self.date:
                    continue  # a shallow or damaged repo: stop there
                before = flags.get(parent)
                if before is None:
                    flags[parent] = flag
                    heapq.heappush(queue, (-self.generation[parent], parent))
                    wanted += flag == 1
                elif before | flag != before:
                    flags[parent] = before | flag
                    wanted -= before == 1
        return out


def read(repo: Path | None) -> Graph:
    """The graph of the repo at `repo` (an empty graph when there is none)."""
    if repo is None:
        return Graph("")
    return Graph(git.commit_graph(repo))
