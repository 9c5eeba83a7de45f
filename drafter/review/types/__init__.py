"""Rule types: the code behind the YAML rules, one module per type, named after the type a
rule file ``extends``. Each module declares

- ``STAGE``: ``"text"`` (it reads the report's ``Analysis``), ``"corpus"`` or ``"llm"`` (it
  reads a ``drafter.review.context.ReviewContext``: the analysis, the corpus matcher, the
  claim checker);
- ``Params``: the pydantic model of the keys a rule file may set besides the common ones
  (``drafter.review.types._common.BaseParams``: an unknown key is an error);
- ``check(rule, analysis_or_context)``: a generator of findings.

``drafter.review.registry`` finds the modules here (those not starting with ``_``); nothing
else lists them. Types never hold phrases: the phrases are in the rule files."""
