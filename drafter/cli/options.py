"""Options several commands share, each declared once here: the model (``--model``,
``--base-url``, ``--endpoint``), the prompt folder, the corpus index, the largest file, the
rule switches and the output file. Each is a decorator; the commands differ only in the words
of the help (what the model or the index is for there)."""

from __future__ import annotations

from collections.abc import Callable

import click


def _stack(*decorators: Callable) -> Callable:
    """Several option decorators as one, listed in ``--help`` in the order given."""

    def apply(f: Callable) -> Callable:
        for d in reversed(decorators):
            f = d(f)
        return f

    return apply


def model_options(used_by: str, *, endpoint: bool = True) -> Callable:
    """``--model``, ``--base-url`` and (with ``endpoint``) ``--endpoint``: an OpenAI-compatible
    model, resolved by ``drafter.llm.chat.endpoint_from_env``. ``used_by`` names what needs it
    (``--llm``, ``--backend openai``)."""
    options = [
        click.option("--model", help=f"Model name for {used_by} (or DRAFTER_MODEL)."),
        click.option("--base-url", help=f"OpenAI-compatible base URL for {used_by} (or DRAFTER_BASE_URL); "
                                        "the default key is never sent to it."),
    ]
    if endpoint:
        options.append(click.option("--endpoint", help="A named endpoint from the config file (drafter.yml: endpoints) "
                                                       f"for {used_by}."))
    return _stack(*options)


def prompts_option(*, repeatable: bool = False) -> Callable:
    """``--prompts DIR``: the prompt folder (repeatable where variants are compared); the value
    is passed as ``prompts_dir``, or ``prompt_dirs`` (a tuple) when repeatable."""
    if repeatable:
        return click.option("--prompts", "prompt_dirs", multiple=True,
                            help="Prompt folder(s) to compare (repeatable; replaces the suite's variants).")
    return click.option("--prompts", "prompts_dir", type=click.Path(file_okay=False),
                        help="Prompt folder (default prompts/v1).")


def index_options(*, optional: bool = True) -> Callable:
    """``--index DIR`` and ``--chroma-url URL`` (passed as ``index_dir`` and ``chroma_url``);
    with ``optional``, for the commands that use an index when there is one, ``--no-index`` too."""
    if optional:
        where = "Corpus index folder (default .drafter/index when it exists)."
    else:
        where = "Index folder (default .drafter/index)."
    options = [
        click.option("--index", "index_dir", type=click.Path(file_okay=False), help=where),
        click.option("--chroma-url", help="Use a Chroma server (http://HOST:PORT) as the corpus index."),
    ]
    if optional:
        options.append(click.option("--no-index", is_flag=True, help="Do not compare with the corpus index."))
    return _stack(*options)


def max_mb_option(what: str) -> Callable:
    """``--max-mb``: the largest file read (20 MB by default)."""
    return click.option("--max-mb", type=float, default=20.0, show_default=True, help=f"Largest {what}.")


def disable_option(scope: str = "") -> Callable:
    """``--disable ID`` (repeatable): a rule switched off."""
    return click.option("--disable", multiple=True, help=f"Rule id to switch off{scope} (repeatable).")


def output_option(help: str) -> Callable:
    """``-o/--output FILE`` (passed as ``output``)."""
    return click.option("-o", "--output", "output", type=click.Path(dir_okay=False), help=help)
