"""`genlab datasets`: what data there is."""

from __future__ import annotations

import dataclasses
import logging

import typer

from genlab.cli._app import app, examples, print_json

log = logging.getLogger("genlab")


# --- datasets ---------------------------------------------------------------------------------


@app.command(help="List the built-in data sets and the forms of user data." + examples("genlab datasets", "genlab datasets --json"))
def datasets(as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    from genlab.data.registry import PREFIX_USAGE, USER_PREFIXES, list_datasets

    infos = [dataclasses.asdict(info) for info in list_datasets()]
    user = {
        "folder": "folder:PATH - images (PNG, JPEG, ...), optional class subfolders or train/ and test/; --resize N",
        "npz": "npz:PATH - arrays x (and optional y, x_test, y_test)",
        "shapes": "shapes:n=N,test=M,seed=S - another draw from the sprite grid",
        "faces": "faces:skin=0.9,0.1,glasses=0.05,n=N,... - skewed or balanced faces (docs/guide.md)",
        "faces-detection": "faces-detection:OPTIONS - the same options, plus negatives=N",
        "csv": "csv:PATH - a table of numbers with a header row; a 0/1 'label' column marks outliers (for evaluation)",
        "mat": "mat:PATH - an ODDS outlier benchmark file (X, y)",
    }
    user_rows = [user.get(p, PREFIX_USAGE[p]) for p in USER_PREFIXES]
    if as_json:
        print_json({"datasets": infos, "user_data": user_rows})
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Built-in data sets")
    for column in ("name", "kind", "shape", "train", "test", "source", "present"):
        table.add_column(column)
    for info in infos:
        present = "yes" if info["present"] else "[red]no[/red]"
        table.add_row(
            info["name"], info["kind"], info["shape"], _count(info["n_train"]), _count(info["n_test"]),
            info["source"], present,
        )  # fmt: skip
    console = Console()
    console.print(table)
    for info in infos:
        if not info["present"]:
            console.print(f"[red]{info['name']}[/red]: {info['how_to_get']}")
    console.print("Your data and options: " + "; ".join(user_rows))


def _count(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"
