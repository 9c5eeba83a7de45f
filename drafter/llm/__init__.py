"""The model side of drafter: ``chat`` (endpoints, and ``build_chat``, the one builder of a
cached chat model that the CLI, the web server, the claim check and the evals use), ``claims``
(the model's claim check) and ``prompts`` (prompt files)."""
