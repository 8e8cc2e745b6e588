"""deduce's lookup tables in a compact form.

deduce keeps its lists of names, streets, places and institutions as tries of Python objects: about
two million of them, 1.1 GB in every process that scrubs, and seconds to unpickle. Here each trie
becomes a MARISA trie (marisa-trie) of its items, tokens joined by a separator, a few megabytes,
that answers the same two questions deduce asks (the longest item at a position, and whether an item
is in it). The compact tables are written next to deduce's own cache once per machine (`make setup`,
or a child process at the first start) and are what every scrubbing process loads.

`CompactTrie` is a `docdeid` `LookupTrie`, so deduce hands it to its annotators unchanged; they
read `matching_pipeline`, the first words (`children.keys()`) and `longest_matching_prefix`.
"""

from __future__ import annotations

import fcntl
import logging
import os
import pickle
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator, KeysView, List, Tuple

import marisa_trie
from docdeid.ds.lookup import LookupStructure, LookupTrie

from heupwijzer.paths import ROOT

logger = logging.getLogger(__name__)

SEPARATOR = "\x1f"  # the ASCII unit separator: in no list item, and never a token of its own
CACHE_SUBDIR = "compact"  # + the deduce version; deduce's cache_path layout below it: cache/lookup_structs.pickle
CACHE_FILE = Path("cache") / "lookup_structs.pickle"


class FirstWords:
    """What deduce's annotators read of a trie's children: the words its items begin with."""

    def __init__(self, words: Iterable[str]) -> None:
        self._words = frozenset(words)

    def keys(self) -> KeysView[str]:
        return dict.fromkeys(self._words).keys()

    def __contains__(self, word: object) -> bool:
        return word in self._words

    def __iter__(self) -> Iterator[str]:
        return iter(self._words)

    def __len__(self) -> int:
        return len(self._words)


class CompactTrie(LookupTrie):
    """The items of a LookupTrie (lists of tokens) in a MARISA trie; lookups give the same answers."""

    def __init__(self, items: Iterable[List[str]], matching_pipeline: list | None = None) -> None:
        LookupStructure.__init__(self, matching_pipeline=matching_pipeline)
        items = [list(item) for item in items if item]
        self.is_terminal = False
        self.depth = max((len(item) for item in items), default=0)
        self.children = FirstWords(item[0] for item in items)  # type: ignore[assignment]
        self.keys = marisa_trie.Trie(SEPARATOR.join(item) for item in items)

    @classmethod
    def of(cls, trie: LookupTrie) -> CompactTrie:
        """The same items as deduce's trie (already through its matching pipeline)."""
        return cls(items_of(trie), matching_pipeline=trie.matching_pipeline)

    def add_item(self, item: list[str]) -> None:
        raise TypeError("a compact trie is built once, from all its items")

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, item: list[str]) -> bool:
        # As docdeid's: its pipeline changes only the first word here (its lower nodes have none).
        return bool(item) and SEPARATOR.join([self._apply_matching_pipeline(item[0]), *item[1:]]) in self.keys

    def longest_matching_prefix(self, item: list[str], start_i: int = 0) -> list[str] | None:
        tokens = [self._apply_matching_pipeline(token) for token in item[start_i : start_i + self.depth]]
        if not tokens or tokens[0] not in self.children:
            return None
        query = SEPARATOR.join(tokens)
        longest = 0
        for key in self.keys.prefixes(query):
            if len(key) == len(query) or query[len(key)] == SEPARATOR:  # whole tokens only
                longest = max(longest, key.count(SEPARATOR) + 1)
        return tokens[:longest] or None


def items_of(trie: LookupTrie) -> Iterator[List[str]]:
    stack: List[Tuple[LookupTrie, Tuple[str, ...]]] = [(trie, ())]
    while stack:
        node, path = stack.pop()
        if node.is_terminal and path:
            yield list(path)
        stack.extend((child, path + (token,)) for token, child in node.children.items())


def compact_folder(deduce_cache: Path) -> Path:
    """One folder per deduce version: deduce checks the version in the pickle it reads and would
    otherwise rebuild its big tables into this folder, inside a server."""
    import deduce

    return deduce_cache / f"{CACHE_SUBDIR}-{deduce.__version__}"


def write_compact(deduce_cache: Path, config: Path) -> Path:
    """Load deduce's own tables (building them the first time), write them compactly, and return
    the folder to give deduce as its cache_path. Run in a child process: it holds 1.1 GB meanwhile."""
    import deduce
    from docdeid.ds import DsCollection

    full = deduce.Deduce(load_base_config=False, config=str(config), cache_path=deduce_cache)
    compact = DsCollection()
    for name, struct in full.lookup_structs.items():
        if isinstance(struct, LookupTrie):
            compact[name] = small = CompactTrie.of(struct)
            if not len(small) == sum(1 for _ in items_of(struct)) > 0:
                raise RuntimeError(f"deduce's table {name} is empty or was not copied whole")
        else:
            compact[name] = struct
    target = compact_folder(deduce_cache) / CACHE_FILE
    for folder in (compact_folder(deduce_cache), target.parent):
        folder.mkdir(mode=0o700, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    with open(partial, "wb") as file:
        header = {"deduce_version": deduce.__version__, "saved_datetime": str(datetime.now())}
        pickle.dump({**header, "lookup_structs": compact}, file, protocol=pickle.HIGHEST_PROTOCOL)
        file.flush()
        os.fsync(file.fileno())  # whole on disk before it takes the name, also after a power cut
    os.chmod(partial, 0o600)
    os.replace(partial, target)  # another process never reads half a file
    folder_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder_fd)  # the new name on disk too
    finally:
        os.close(folder_fd)
    return compact_folder(deduce_cache)


def ensure_compact(deduce_cache: Path, config: Path) -> Path:
    """The folder with the compact tables, made in a child process when missing. Processes that
    start together on a new machine wait for one of them to make them (a lock file)."""
    target = compact_folder(deduce_cache) / CACHE_FILE
    if not target.exists():
        with open(deduce_cache / ".compact.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not target.exists():
                logger.info("Making deduce's compact lookup tables (once per machine) ...")
                subprocess.run(
                    [sys.executable, "-m", "heupwijzer.store.deduce_tables", str(deduce_cache), str(config)],
                    check=True,
                    timeout=600,
                    cwd=ROOT,  # `-m` imports from the working directory first
                )
    return compact_folder(deduce_cache)


def discard(deduce_cache: Path) -> None:
    """Compact tables that could not be read: made again at the next start (where this user may
    remove them; in an image they were built by another user and stay)."""
    try:
        (compact_folder(deduce_cache) / CACHE_FILE).unlink(missing_ok=True)
    except OSError as problem:
        logger.error("deduce's unreadable compact tables could not be removed (%s)", type(problem).__name__)


if __name__ == "__main__":  # the pickled classes must be this module's, not __main__'s
    from heupwijzer.store import deduce_tables

    logging.basicConfig(level=logging.INFO)
    print(deduce_tables.write_compact(Path(sys.argv[1]), Path(sys.argv[2])))
