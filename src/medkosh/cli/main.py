"""The `medkosh` command. Sub-commands are modules in this package, imported only when used,
so `medkosh <cmd>` pays only for the libraries that command needs.

A module `medkosh/cli/<name>.py` exposing a Typer `app` becomes `medkosh <name>` (underscores
become dashes). Modules starting with '_' are helpers, not commands.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import traceback
from typing import Any

import click

from medkosh import __version__

_HIDDEN_PREFIX = "_"
_HELP = {  # short help without importing the module (keeps `medkosh --help` fast)
    "access": "Access requests, committee review, data use agreements and grants.",
    "anonymise": "Anonymise tables with k-anonymity, l-diversity and t-closeness.",
    "audit": "Verify and export the tamper-evident audit log.",
    "config": "Show the effective configuration.",
    "consent": "Import, revoke, expire and enforce ABDM consent artefacts.",
    "credits": "Compute credit allocations and usage.",
    "dataset": "Build, list, show and search dataset versions in the catalog.",
    "db": "Database migrations.",
    "deid": "De-identify clinical text and DICOM; scan artefacts for PHI.",
    "demo": "Run the whole commons on synthetic data, then serve the portal.",
    "ingest": "Ingest FHIR bundles, tabular extracts and DICOM studies.",
    "job": "Submit and follow jobs in the trusted research environment.",
    "model": "Register, approve, deploy and monitor AI models.",
    "outputs": "Check and release job outputs (airlock).",
    "query": "Privacy-protected aggregate queries over a dataset version.",
    "serve": "Serve the API and web portal.",
    "surveillance": "Disease surveillance: weekly series and aberration alerts.",
    "synth": "Generate synthetic Indian health data.",
    "user": "Manage users, institutions, roles and trainings.",
    "validate": "Validate a model version on a sealed benchmark.",
}


def _discover() -> dict[str, str]:
    import medkosh.cli as pkg

    found = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith(_HIDDEN_PREFIX) or info.name == "main":
            continue
        found[info.name.replace("_", "-")] = f"medkosh.cli.{info.name}"
    return found


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_discover())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = _discover().get(cmd_name)
        if module_name is None:
            return None
        import typer

        module = importlib.import_module(module_name)
        command = typer.main.get_command(module.app)
        command.name = cmd_name
        if not command.help and cmd_name in _HELP:
            command.help = _HELP[cmd_name]
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _HELP.get(name, "")) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="medkosh")
@click.option("--debug", is_flag=True, envvar="MEDKOSH_DEBUG", help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """medkosh — a sovereign, consent-governed health-data and AI commons."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if debug:
        os.environ["MEDKOSH_DEBUG"] = "1"


def _fail(line: str, code: int) -> None:
    sys.stderr.write(f"error: {line}\n")
    sys.exit(code)


def main(argv: list[str] | None = None) -> Any:
    from medkosh.errors import MedkoshError

    debug = "--debug" in (argv if argv is not None else sys.argv[1:]) or os.environ.get("MEDKOSH_DEBUG") == "1"
    try:
        return cli.main(args=argv, prog_name="medkosh", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail("aborted", 130)
    except click.ClickException as exc:
        # Usage errors: one line naming the bad option and pointing at --help.
        ctx_hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            ctx_hint = f"; see '{exc.ctx.command_path} --help'"
        _fail(f"{exc.format_message()}{ctx_hint}", exc.exit_code)
    except MedkoshError as exc:
        if debug:
            traceback.print_exc()
        _fail(exc.user_line(), exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # a bug, not a user error: still one line unless --debug
        if debug:
            traceback.print_exc()
        _fail(f"internal error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
              "; rerun with --debug for the traceback and report it", 70)
    return None


if __name__ == "__main__":
    sys.exit(main())  # a command's typer.Exit(code) comes back as main()'s value, as for the console script
