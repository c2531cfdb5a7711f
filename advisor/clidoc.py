"""The README's command reference, generated from the CLI's own parameters (a test keeps them in sync)."""
from __future__ import annotations

from advisor.cli import NOT_HOISTED
from advisor.cli import command as cli_command


def _is(param, kind: str) -> bool:
    # typer vendors click in recent releases; compare class names instead of importing click.
    return any(cls.__name__ in (kind, f"Typer{kind}") for cls in type(param).__mro__)


def _commands(group, prefix: str) -> list:
    found = []
    for name in sorted(group.commands):
        command = group.commands[name]
        if hasattr(command, "commands"):
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append((f"{prefix} {name}", command))
    return found


def reference() -> str:
    """Markdown: one entry per command with its arguments and options."""
    root = cli_command()
    lines = []
    global_options = [p for p in root.params if _is(p, 'Option') and p.opts[0] not in NOT_HOISTED]
    lines.append("Global options, before or after the command (`go-advisor recommend --db DIR` is "
                 "`go-advisor --db DIR recommend`): " + ", ".join(f"`{p.opts[0]}`" for p in global_options) + ".")
    lines.append("")
    completion = [p for p in root.params if _is(p, 'Option') and p.opts[0] in NOT_HOISTED]
    if completion:
        lines.append("Shell completion (bash, zsh, fish, PowerShell): " + "; ".join(
            f"`go-advisor {p.opts[0]}` ({' '.join((p.help or '').split()).rstrip('.').lower()})" for p in completion)
            + ".")
        lines.append("")
    for path, command in _commands(root, "go-advisor"):
        arguments = " ".join(p.name.upper() if p.required else f"[{p.name.upper()}]"
                             for p in command.params if _is(p, 'Argument'))
        lines.append(f"### `{path}{' ' + arguments if arguments else ''}`")
        lines.append("")
        lines.append((command.help or "").strip().splitlines()[0])
        lines.append("")
        if command.epilog:
            lines.append(f"Example: `{command.epilog.strip().removeprefix('Example: ')}`")
            lines.append("")
        for param in command.params:
            if _is(param, 'Option') and param.name != "help":
                lines.append(f"- `{', '.join(param.opts)}`: {' '.join((param.help or '').split())}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(reference(), end="")
