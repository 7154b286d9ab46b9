"""What makes two harness runs on one machine safe side by side (issue 15): each run's
own PostgreSQL databases, its own Redis database, its own port and its own output
directory. Nothing here drops, deletes or flushes what the run did not create.

- Databases: named from DATABASE_URL's database name, the size and the run's id
  (`academy_bench_tiny_4711a3f2`), made with CREATE DATABASE (which fails, and leaves
  the other alone, if the name is taken) and dropped at the end only if this run made
  them.
- Redis: the stack's keys (Celery's queues and bindings, the cache's `academy:*`)
  have fixed names, so each run needs a Redis database of its own (REDIS_URL's
  number). The run claims it with a key of its own (SET NX), refuses it if another run
  holds it or if anything else's keys of those names are already there, and at the end
  deletes only keys of those names, which were then its own, and its claim.
"""

import os
import secrets
import socket
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/academy"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
MAX_IDENTIFIER = 63  # PostgreSQL's limit on a database name

# The keys the stack writes in its Redis database: Celery's queues, bindings and unacked
# messages (kombu's Redis transport), and the academy's cache (KEY_PREFIX "academy").
OWN_KEY_PATTERNS = ("celery", "celery\x06*", "slow", "slow\x06*", "unacked*", "_kombu.*",
                    "academy:*")
CLAIM_KEY = "academy-bench:run"
CLAIM_SECONDS = 4 * 60 * 60  # longer than a full run; a crashed run's claim expires


def run_id_new() -> str:
    """Unique on this machine for the run: the process id and a little randomness."""
    return f"{os.getpid()}{secrets.token_hex(2)}"


def database_url_split(url: str) -> tuple[str, str]:
    """(the URL without its database, the database name)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit(f"DATABASE_URL names no database: {url}")
    return urlunsplit(parts._replace(path="")), name


def database_url_for(url: str, name: str) -> str:
    """The same server, user and options as `url`, on database `name`."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def bench_database_name(source_name: str, size: str, run_id: str) -> str:
    """`<DATABASE_URL's database>_bench_<size>_<run id>`, within PostgreSQL's 63
    characters (the source name is shortened, never the size or run id)."""
    suffix = f"_bench_{size}_{run_id}"
    name = source_name[: MAX_IDENTIFIER - len(suffix)] + suffix
    if not all(c.isalnum() or c == "_" for c in name):
        raise SystemExit(f"unexpected characters in the database name {name!r}")
    return name


def free_port() -> int:
    """A port nothing listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bench_port() -> int:
    return int(os.environ["BENCH_PORT"]) if os.environ.get("BENCH_PORT") else free_port()


class Databases:
    """The databases this run creates on DATABASE_URL's server, and only those dropped."""

    def __init__(self, url: str):
        self.url = url
        self.created: list[str] = []

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            ["psql", database_url_for(self.url, database), "-qAtX", "-v", "ON_ERROR_STOP=1",
             "-c", sql], capture_output=True, text=True)
        if result.returncode:
            raise SystemExit(f"psql failed ({sql}): {result.stderr.strip()}")
        return result.stdout

    def exists(self, name: str) -> bool:
        return bool(self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip())

    def create(self, name: str) -> str:
        """CREATE DATABASE: fails (and is not recorded) if the name is taken."""
        self.psql(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return name

    def drop(self, name: str) -> None:
        """Drop a database this run created; anything else is refused."""
        if name not in self.created:
            raise ValueError(f"{name} was not created by this run; not dropping it")
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.remove(name)

    def drop_created(self) -> list[str]:
        dropped = list(self.created)
        for name in dropped:
            self.drop(name)
        return dropped


class RedisClaim:
    """This run's hold on REDIS_URL's database: see the module's docstring."""

    def __init__(self, client, run_id: str):
        self.client = client
        self.run_id = run_id
        self.held = False

    def own_keys(self) -> list[bytes]:
        return [key for pattern in OWN_KEY_PATTERNS
                for key in self.client.scan_iter(match=pattern, count=1000)]

    def acquire(self) -> None:
        where = self.client.connection_pool.connection_kwargs.get("db", 0)
        if not self.client.set(CLAIM_KEY, self.run_id, nx=True, ex=CLAIM_SECONDS):
            holder = self.client.get(CLAIM_KEY)
            raise SystemExit(
                f"Redis database {where} is in use by another benchmark run "
                f"({holder.decode() if holder else '?'}); give this run its own "
                f"database in REDIS_URL (redis://host:6379/<number>).")
        self.held = True
        found = self.own_keys()
        if found:
            self.release(delete_keys=False)
            raise SystemExit(
                f"Redis database {where} already holds {len(found)} Celery or academy "
                f"cache keys (for example {found[0]!r}): something else uses it. Give "
                f"this run a Redis database of its own in REDIS_URL; the harness deletes "
                f"nothing it did not write.")

    def release(self, delete_keys: bool = True) -> int:
        """Delete this run's keys (those of the stack's names, none of which were there
        when it claimed the database) and its claim, if it still holds it."""
        deleted = 0
        if not self.held:
            return deleted
        if delete_keys:
            for key in self.own_keys():
                deleted += self.client.delete(key)
        if self.client.get(CLAIM_KEY) == self.run_id.encode():
            self.client.delete(CLAIM_KEY)
        self.held = False
        return deleted


def out_dir(root: Path, run_id: str) -> Path:
    path = root / run_id
    path.mkdir(parents=True, exist_ok=True)
    return path
